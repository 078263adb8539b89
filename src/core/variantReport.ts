// What a prompt-variant comparison reports (`brrm variants`, "Compare Prompt Variants…"): B's
// win rate over A with its interval, the dimensions where B wins and loses most, and the pairs
// to read first, as figures and as Markdown. The pairs were judged
// with A as response 1 and B as response 2, so every B figure is the response-1 figure turned
// around: a rate r with interval [low, high] becomes 1 - r with [1 - high, 1 - low].

import type { Order, PairResult } from "./dataset";
import type { Dimension, Judgment } from "./judgment";
import { formatContext } from "./prompts";
import { intervalText } from "./report";
import { SummaryBuilder, type Interval, type Summary } from "./stats";
import { mdText } from "./markdownText";
import type { Problem, VariantFields } from "./variantPairs";

export interface DimensionForB {
  dimension: Dimension;
  /** Judgments that focused on this dimension. */
  chosen: number;
  bWins: number;
  aWins: number;
  /** B's win rate among those judgments with a verdict. */
  bWinRate: Interval;
}

export interface ReadFirst {
  key: string;
  id: string | null;
  reason: string;
  dimensions: Dimension[];
  /** What the judge found wrong with B (and A), from the first judgment with a verdict. */
  bIssues: string[];
  aIssues: string[];
  context: string;
  a: string;
  b: string;
}

export interface VariantSummary {
  pairs: number;
  wins: { a: number; b: number; ties: number; noVerdict: number };
  /** B's win rate over A (a tie counts half). */
  bWinRate: Interval | null;
  consistency: Interval | null;
  inconsistent: number;
  /** Dimensions ranked by the lower end of B's (resp. A's) win-rate interval, so one lucky judgment does not top the list. */
  bWinsMost: DimensionForB[];
  bLosesMost: DimensionForB[];
  readFirst: ReadFirst[];
  readFirstTotal: number;
  summary: Summary;
}

/** An interval about response 1 (A) as the same interval about response 2 (B). */
export function flipInterval(i: Interval): Interval;
export function flipInterval(i: Interval | null): Interval | null;
export function flipInterval(i: Interval | null): Interval | null {
  return i ? { rate: 1 - i.rate, low: 1 - i.high, high: 1 - i.low, n: i.n } : null;
}

const TOP_DIMENSIONS = 3;
const READ_FIRST = 20;

/** The judgment's issues about A and B, whichever order it was made in. */
function issuesAB(j: Judgment, order: Order): { a: string[]; b: string[] } {
  return order === "AB" ? { a: j.issues.response1, b: j.issues.response2 } : { a: j.issues.response2, b: j.issues.response1 };
}

/** Why a pair deserves reading, most telling first; undefined when B won cleanly. */
function readReason(r: PairResult): { rank: number; reason: string } | undefined {
  if (r.preferred === 1) return { rank: 0, reason: r.orders.length > 1 ? "A is better in both orders" : "A is better" };
  if (r.consistent === false) return { rank: 1, reason: "the judge changed its mind when the order was swapped" };
  if (r.preferred === null && !r.orders.some((o) => o.votes.response1 + o.votes.response2 > 0)) return { rank: 2, reason: "no verdict" };
  if (r.preferred === null) return { rank: 1, reason: "a tie: the votes are split" };
  return undefined;
}

export function variantSummary(results: Iterable<PairResult>): VariantSummary {
  const builder = new SummaryBuilder();
  const candidates: { rank: number; item: ReadFirst }[] = [];
  for (const r of results) {
    builder.add(r);
    const why = readReason(r);
    if (!why) continue;
    const order = r.orders[0];
    const first = order?.samples.find((s) => s.judgment.verdict !== null) ?? order?.samples[0];
    const issues = first ? issuesAB(first.judgment, order.order) : { a: [], b: [] };
    candidates.push({
      rank: why.rank,
      item: {
        key: r.key,
        id: r.id,
        reason: why.reason,
        dimensions: [...new Set(r.orders.flatMap((o) => o.samples.flatMap((s) => s.judgment.dimensions)))],
        bIssues: issues.b,
        aIssues: issues.a,
        context: formatContext(r.prompt),
        a: r.responses[0],
        b: r.responses[1],
      },
    });
  }
  const summary = builder.summary();
  const dims: DimensionForB[] = summary.dimensions
    .filter((d) => d.response1WinRate !== null)
    .map((d) => ({ dimension: d.dimension, chosen: d.chosen, bWins: d.response2Wins, aWins: d.response1Wins, bWinRate: flipInterval(d.response1WinRate!) }));
  const bWinsMost = dims
    .filter((d) => d.bWins > 0)
    .sort((x, y) => y.bWinRate.low - x.bWinRate.low || y.bWins - x.bWins)
    .slice(0, TOP_DIMENSIONS);
  const bLosesMost = dims
    .filter((d) => d.aWins > 0)
    // A's lower bound is 1 - B's upper bound: the lowest upper bound loses most surely.
    .sort((x, y) => x.bWinRate.high - y.bWinRate.high || y.aWins - x.aWins)
    .slice(0, TOP_DIMENSIONS);
  candidates.sort((x, y) => x.rank - y.rank);
  return {
    pairs: summary.pairs,
    wins: { a: summary.wins.response1, b: summary.wins.response2, ties: summary.wins.ties, noVerdict: summary.wins.noVerdict },
    bWinRate: flipInterval(summary.response1WinRate),
    consistency: summary.consistency,
    inconsistent: summary.inconsistent,
    bWinsMost,
    bLosesMost,
    readFirst: candidates.slice(0, READ_FIRST).map((c) => c.item),
    readFirstTotal: candidates.length,
    summary,
  };
}

/** The report's title: which outputs are B and A, and where they come from. */
export function variantTitle(input: { file: string; fields: VariantFields } | { files: { a: string; b: string } }): string {
  return "file" in input ? `Prompt variants: ${input.fields.b} (B) over ${input.fields.a} (A) in ${input.file}` : `Prompt variants: ${input.files.b} (B) over ${input.files.a} (A)`;
}

function dimensionTable(rows: DimensionForB[]): string[] {
  if (rows.length === 0) return ["None.", ""];
  return [
    "| Dimension | Judgments | B wins | A wins | B win rate |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((d) => `| ${d.dimension} | ${d.chosen} | ${d.bWins} | ${d.aWins} | ${intervalText(d.bWinRate)} |`),
    "",
  ];
}

export function renderVariantMarkdown(v: VariantSummary, opts: { title: string; problems: Problem[]; problemsTotal?: number; cancelled?: boolean }): string {
  const out = [`# ${mdText(opts.title, 200)}`, ""];
  if (opts.cancelled) out.push("> The run was cancelled: the figures cover the pairs judged before that.", "");
  out.push(
    `- **B's win rate over A: ${intervalText(v.bWinRate)}**; a tie counts half`,
    `- Pairs: ${v.pairs}; B better ${v.wins.b}, A better ${v.wins.a}, ties ${v.wins.ties} (${v.inconsistent} where the judge changed its mind after the swap), no verdict ${v.wins.noVerdict}`,
    `- Consistency after swap: ${intervalText(v.consistency)}`,
    `- Judgments: ${v.summary.judgments}${v.summary.cachedJudgments > 0 ? ` (${v.summary.cachedJudgments} from the cache)` : ""}; parse failures: ${v.summary.parseFailures}`,
    "",
    "## Where B wins most",
    "",
    ...dimensionTable(v.bWinsMost),
    "## Where B loses most",
    "",
    ...dimensionTable(v.bLosesMost),
    `## Pairs to read first (${v.readFirstTotal})`,
    "",
  );
  if (v.readFirst.length === 0) out.push("B was better on every pair, in both orders.", "");
  for (const r of v.readFirst) {
    out.push(`### ${mdText(r.id !== null ? `id ${r.id}` : r.key)}: ${mdText(r.reason)}`, "");
    out.push(`- Focus: ${mdText(r.dimensions.join(", ") || "none")}`);
    if (r.bIssues.length > 0) out.push(`- Issues in B: ${r.bIssues.map((i) => mdText(i, 200)).join("; ")}`);
    if (r.aIssues.length > 0) out.push(`- Issues in A: ${r.aIssues.map((i) => mdText(i, 200)).join("; ")}`);
    out.push(`- Input: ${mdText(r.context)}`, `- A: ${mdText(r.a)}`, `- B: ${mdText(r.b)}`, "");
  }
  if (v.readFirstTotal > v.readFirst.length) out.push(`… and ${v.readFirstTotal - v.readFirst.length} more.`, "");
  if (opts.problems.length > 0) {
    out.push(`## Lines not compared (${opts.problemsTotal ?? opts.problems.length})`, "");
    for (const p of opts.problems.slice(0, 50)) out.push(`- ${mdText(p.where)}: ${mdText(p.reason)}`);
    if ((opts.problemsTotal ?? opts.problems.length) > 50) out.push(`- and ${(opts.problemsTotal ?? opts.problems.length) - 50} more`);
    out.push("");
  }
  return out.join("\n");
}
