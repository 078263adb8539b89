// Scoring a benchmark's results: the judged comparisons (results-file lines, read one at a time)
// -> each benchmark's tables and score, under the official or the paper's rules. Shared by the end
// of `brrm benchmark`, `brrm report` and the editor's report.

import type { PairResult } from "../dataset";
import { tagOf, undecidedValue, type BenchmarkId, type RunSettings } from "./benchmarks";
import type { BenchmarkRecords } from "./comparisons";
import { percent, sampleMargin, type Estimate } from "./estimate";
import { rewardBenchRecords, RewardBenchScorer } from "./rewardBench";
import { rmBenchRecords, RmBenchScorer } from "./rmBench";
import { rmbRecords, RmbScorer } from "./rmb";
import type { BenchmarkScorer, ScoreTable } from "./scoreTables";

export const BENCHMARK_RECORDS: Record<BenchmarkId, BenchmarkRecords> = { rewardbench: rewardBenchRecords, "rm-bench": rmBenchRecords, rmb: rmbRecords };

function scorerFor(settings: RunSettings): BenchmarkScorer {
  if (settings.name === "rewardbench") return new RewardBenchScorer(settings.scoring);
  if (settings.name === "rm-bench") return new RmBenchScorer();
  return new RmbScorer();
}

export interface BenchmarkScores {
  settings: RunSettings;
  score: Estimate | null;
  tables: ScoreTable[];
  /** Comparisons scored. */
  comparisons: number;
  /** Comparisons without a decision (no verdict, an even vote, or disagreeing orders), and what each counted. */
  undecided: number;
  undecidedValue: number;
  /** Results of another benchmark or run settings, left out. */
  foreign: number;
  notes: string[];
}

export class BenchmarkScoring {
  private readonly scorer: BenchmarkScorer;
  private readonly seen = new Set<string>();
  private readonly tie: number;
  private comparisons = 0;
  private undecided = 0;
  private foreign = 0;

  constructor(readonly settings: RunSettings) {
    this.scorer = scorerFor(settings);
    this.tie = undecidedValue(settings.name, settings.scoring);
  }

  /** Counts a result; a repeated key (files concatenated by hand) and another benchmark's result are left out. */
  add(r: PairResult): void {
    const tag = tagOf(r.fields);
    if (!tag || tag.name !== this.settings.name || tag.prompts !== this.settings.prompts) {
      this.foreign++;
      return;
    }
    if (this.seen.has(r.key)) return;
    this.seen.add(r.key);
    this.comparisons++;
    // The record's first response is the chosen one, whatever order it was shown in.
    const value = r.preferred === 1 ? 1 : r.preferred === 2 ? 0 : this.tie;
    if (r.preferred === null) this.undecided++;
    this.scorer.add(tag, value);
  }

  scores(): BenchmarkScores {
    const notes = this.scorer.notes();
    if (this.foreign > 0) notes.push(`${this.foreign} results are of another benchmark or were judged with other prompts: left out.`);
    return {
      settings: this.settings,
      score: this.scorer.score(),
      tables: this.scorer.tables(),
      comparisons: this.comparisons,
      undecided: this.undecided,
      undecidedValue: this.tie,
      foreign: this.foreign,
      notes,
    };
  }
}

/** The settings a results file was made with: those of its first benchmark result. */
export function settingsOf(r: PairResult): RunSettings | undefined {
  const tag = tagOf(r.fields);
  return tag && { name: tag.name, prompts: tag.prompts, scoring: tag.scoring, sample: tag.sample ?? null };
}

/** With --sample: the whole benchmark's score is within this many points of the estimate (95%). */
export function sampleMarginPoints(s: BenchmarkScores): number | null {
  const sample = s.settings.sample;
  if (!sample || !s.score) return null;
  return percent(sampleMargin(s.score, s.comparisons, sample.of));
}

/** `--json-summary`: every figure a percentage (0-100) to two decimals. */
export function jsonSummary(s: BenchmarkScores): Record<string, unknown> {
  const pct = (e: Estimate | null) => (e ? percent(e.rate) : null);
  const out: Record<string, unknown> = {
    benchmark: s.settings.name,
    scoring: s.settings.scoring,
    prompts: s.settings.prompts,
    score: pct(s.score),
    interval: s.score ? [percent(s.score.low), percent(s.score.high)] : null,
  };
  for (const t of s.tables)
    out[t.key] = Object.fromEntries(t.rows.map((r) => [r.name, t.withCounts ? { accuracy: pct(r.estimate), n: r.estimate?.n ?? 0 } : pct(r.estimate)]));
  out.comparisons = s.comparisons;
  out.undecided = { comparisons: s.undecided, countedAs: s.undecidedValue };
  if (s.settings.sample) out.sample = { ...s.settings.sample, marginPoints: sampleMarginPoints(s) };
  out.notes = s.notes;
  return out;
}
