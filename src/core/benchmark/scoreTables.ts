// What a benchmark's scoring produces: tables of figures with intervals, and the score. Each
// benchmark module fills them its own way; the reports and --json-summary only read these.

import type { BenchmarkTag } from "./benchmarks";
import type { Estimate } from "./estimate";

export interface ScoreRow {
  name: string;
  estimate: Estimate | null;
}

export interface ScoreTable {
  /** The --json-summary key: sections, subsets, levels, domains, grid. */
  key: string;
  title: string;
  /** What `n` counts in this table: comparisons, items, records. */
  unit: string;
  rows: ScoreRow[];
  /** --json-summary writes `{accuracy, n}` per row instead of the bare percentage. */
  withCounts?: boolean;
}

/** One benchmark's scoring, fed one judged comparison at a time. */
export interface BenchmarkScorer {
  /** `value`: 1 when the judge preferred the chosen response, 0 the rejected one, the convention's value when undecided. */
  add(tag: BenchmarkTag, value: number): void;
  tables(): ScoreTable[];
  score(): Estimate | null;
  /** Lines for the report: parts missing, items left incomplete. */
  notes(): string[];
}
