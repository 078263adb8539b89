// The numbers of an evaluation: wins per side, accuracy against labels (per subset too), how
// the judge split pairs labelled as ties, swap consistency, position bias and per-dimension
// counts, each rate with a 95% Wilson interval. Built one result at a time, so a summary of
// 100k results never holds them all.

import { DIMENSIONS, type Dimension } from "./judgment";
import { toRecordSide, type PairResult } from "./dataset";

export interface Interval {
  /** successes / n; successes may be fractional (a tie counts half a win). */
  rate: number;
  low: number;
  high: number;
  n: number;
}

/**
 * Wilson score interval: unlike the normal approximation it stays inside [0, 1] and behaves
 * with small n and rates near 0 or 1, which is what small evaluation sets produce.
 */
export function wilson(successes: number, n: number, z = 1.96): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n };
}

export interface DimensionStats {
  dimension: Dimension;
  /** Judgments that chose this dimension. */
  chosen: number;
  /** chosen / all judgments that chose any dimension. */
  share: number;
  /** Of those judgments, how many preferred the record's response 1 and response 2. */
  response1Wins: number;
  response2Wins: number;
  /** Response 1's win rate among those judgments with a verdict. */
  response1WinRate: Interval | null;
}

export interface SubsetStats {
  /** The records' `subset` field (RewardBench's sections are made of these). */
  subset: string;
  pairs: number;
  labeled: number;
  correct: number;
  accuracy: Interval | null;
}

/** How the judge decided pairs, in the record's terms. */
export interface Split {
  response1: number;
  response2: number;
  /** No decision although there were verdicts: an inconsistent swap or an even vote. */
  tie: number;
  noVerdict: number;
}

export interface Summary {
  pairs: number;
  /** Pair outcomes in the record's terms (preference data: response 1 is "chosen"). */
  wins: { response1: number; response2: number; ties: number; noVerdict: number };
  /** Response 1's win rate over the pairs with any verdict, a tie counting half. Response 2's is 1 - it. */
  response1WinRate: Interval | null;
  /** Pairs labelled 1 or 2 (a tie label is not counted here), and how many the judge got right. */
  labeled: number;
  correct: number;
  /** correct / labeled: a tie or a missing verdict counts as wrong. */
  accuracy: Interval | null;
  /** Pairs labelled as a tie: judged and kept, but not in labeled, correct or accuracy. */
  tieLabels: number;
  /** How the judge decided the pairs labelled as a tie. */
  tieLabelSplit: Split;
  /** Accuracy per `subset`, sorted by name; empty when no record has a subset. */
  subsets: SubsetStats[];
  /** Pairs judged in both orders, and how many of those with two verdicts agreed. */
  swapped: number;
  consistent: number;
  inconsistent: number;
  consistency: Interval | null;
  /** Share of judgments (with a verdict) that preferred the response shown first: 0.5 is unbiased. */
  firstShownPreferred: Interval | null;
  judgments: number;
  /** Judgments that ended without a valid verdict, by error code. */
  parseFailures: number;
  failureCodes: Record<string, number>;
  cachedJudgments: number;
  dimensions: DimensionStats[];
  /** Summed over the judgments (cached ones included: what the results cost when made). */
  tokens: { prompt: number; generated: number };
  judgeMs: number;
}

export class SummaryBuilder {
  private pairs = 0;
  private readonly wins = { response1: 0, response2: 0, ties: 0, noVerdict: 0 };
  private labeled = 0;
  private correct = 0;
  private tieLabels = 0;
  private readonly tieLabelSplit: Split = { response1: 0, response2: 0, tie: 0, noVerdict: 0 };
  private readonly subsets = new Map<string, { pairs: number; labeled: number; correct: number }>();
  private swapped = 0;
  private consistent = 0;
  private inconsistent = 0;
  private verdicts = 0;
  private firstShown = 0;
  private judgments = 0;
  private parseFailures = 0;
  private readonly failureCodes: Record<string, number> = {};
  private cached = 0;
  private withDimensions = 0;
  private readonly dims = new Map<Dimension, { chosen: number; response1Wins: number; response2Wins: number }>(
    DIMENSIONS.map((d) => [d, { chosen: 0, response1Wins: 0, response2Wins: 0 }]),
  );
  private readonly tokens = { prompt: 0, generated: 0 };
  private judgeMs = 0;

  add(r: PairResult): void {
    this.pairs++;
    const anyVerdict = r.orders.some((o) => o.votes.response1 + o.votes.response2 > 0);
    if (r.preferred === 1) this.wins.response1++;
    else if (r.preferred === 2) this.wins.response2++;
    else if (anyVerdict) this.wins.ties++;
    else this.wins.noVerdict++;
    if (r.label === "tie") {
      this.tieLabels++;
      const split = this.tieLabelSplit;
      if (r.preferred === 1) split.response1++;
      else if (r.preferred === 2) split.response2++;
      else if (anyVerdict) split.tie++;
      else split.noVerdict++;
    } else if (r.label !== null) {
      this.labeled++;
      if (r.correct) this.correct++;
    }
    const subset = r.fields.subset;
    if (typeof subset === "string") {
      const s = this.subsets.get(subset) ?? { pairs: 0, labeled: 0, correct: 0 };
      s.pairs++;
      if (r.label === 1 || r.label === 2) {
        s.labeled++;
        if (r.correct) s.correct++;
      }
      this.subsets.set(subset, s);
    }
    if (r.orders.length > 1) {
      this.swapped++;
      if (r.consistent === true) this.consistent++;
      else if (r.consistent === false) this.inconsistent++;
    }
    for (const o of r.orders)
      for (const s of o.samples) {
        const j = s.judgment;
        this.judgments++;
        if (s.cached) this.cached++;
        if (j.verdict === null) {
          this.parseFailures++;
          const code = j.error?.code ?? "NO_VERDICT";
          this.failureCodes[code] = (this.failureCodes[code] ?? 0) + 1;
        } else {
          this.verdicts++;
          if (j.verdict === 1) this.firstShown++;
        }
        const side = toRecordSide(j.verdict, o.order);
        if (j.dimensions.length > 0) this.withDimensions++;
        for (const d of new Set(j.dimensions)) {
          const c = this.dims.get(d);
          if (!c) continue;
          c.chosen++;
          if (side === 1) c.response1Wins++;
          else if (side === 2) c.response2Wins++;
        }
        for (const u of [j.usage.turn1, j.usage.turn2]) {
          if (!u) continue;
          this.tokens.prompt += u.promptTokens;
          this.tokens.generated += u.generatedTokens;
          this.judgeMs += u.ms;
        }
      }
  }

  summary(): Summary {
    const { response1, response2, ties } = this.wins;
    return {
      pairs: this.pairs,
      wins: { ...this.wins },
      response1WinRate: wilson(response1 + ties / 2, response1 + response2 + ties),
      labeled: this.labeled,
      correct: this.correct,
      accuracy: wilson(this.correct, this.labeled),
      tieLabels: this.tieLabels,
      tieLabelSplit: { ...this.tieLabelSplit },
      subsets: [...this.subsets]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([subset, s]) => ({ subset, ...s, accuracy: wilson(s.correct, s.labeled) })),
      swapped: this.swapped,
      consistent: this.consistent,
      inconsistent: this.inconsistent,
      consistency: wilson(this.consistent, this.consistent + this.inconsistent),
      firstShownPreferred: wilson(this.firstShown, this.verdicts),
      judgments: this.judgments,
      parseFailures: this.parseFailures,
      failureCodes: { ...this.failureCodes },
      cachedJudgments: this.cached,
      dimensions: [...this.dims].map(([dimension, c]) => ({
        dimension,
        chosen: c.chosen,
        share: this.withDimensions > 0 ? c.chosen / this.withDimensions : 0,
        response1Wins: c.response1Wins,
        response2Wins: c.response2Wins,
        response1WinRate: wilson(c.response1Wins, c.response1Wins + c.response2Wins),
      })),
      tokens: { ...this.tokens },
      judgeMs: this.judgeMs,
    };
  }
}

export function summarize(results: Iterable<PairResult>): Summary {
  const b = new SummaryBuilder();
  for (const r of results) b.add(r);
  return b.summary();
}

/** Why a pair deserves a second look: the judge disagreed with the label, or with itself after a swap. */
export function reviewReasons(r: PairResult): string[] {
  const reasons: string[] = [];
  if ((r.label === 1 || r.label === 2) && !r.correct)
    reasons.push(r.preferred === null ? `no decision against label ${r.label}` : `judged ${r.preferred} against label ${r.label}`);
  if (r.consistent === false) reasons.push("inconsistent after swap");
  return reasons;
}
