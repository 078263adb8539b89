// What a BR-RM notebook cell's output holds: the judged pair's result, or the progress of a
// run. The extension writes it as JSON under JUDGMENT_MIME and the renderer (renderer.ts)
// draws it; both bundles include their own copy of this file (types and constants only).

import type { Order, StoredResult } from "../../src/core/dataset";

export const JUDGMENT_MIME = "application/vnd.brrm.judgment+json";

export interface ResultOutput {
  kind: "result";
  result: StoredResult;
  /** Hash of the texts that were judged (the extension's pairHash), to tell an edited pair. */
  pairHash: string;
  /** What the cell calls its two responses ("Response 1", "Chosen", "Response A", ...). */
  titles: [string, string];
  /** The cell was edited after this judgment: it is about other texts. */
  stale?: boolean;
}

export type JobState = "waiting" | "turn1" | "turn2" | "done" | "cached" | "noVerdict";

/** One comparison of a running pair: one order, one sample. */
export interface JobProgress {
  order: Order;
  sample: number;
  state: JobState;
  /** Tokens generated in the current (or last) turn. */
  tokens: number;
  /** Generation speed of the current turn, tokens per second. */
  rate: number;
  /** The verdict in the record's terms, once known. */
  preferred: 1 | 2 | null;
}

export interface ProgressOutput {
  kind: "progress";
  /** What is happening, in words ("Loading the model 40%", "Judging", "Waiting for a free slot"). */
  phase: string;
  elapsedMs: number;
  titles: [string, string];
  jobs: JobProgress[];
}

export type NotebookOutput = ResultOutput | ProgressOutput;
