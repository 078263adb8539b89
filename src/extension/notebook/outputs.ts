// A BR-RM cell's outputs: building them (a result, an error, the progress of a run) and
// reading back what a cell's outputs say about its pair (the serializer saves that in the
// line; the summary counts it). The result travels as JSON under JUDGMENT_MIME for the
// renderer, with a one-line text/plain alternative for anything that cannot render it.

import * as vscode from "vscode";
import { JUDGMENT_MIME, type NotebookOutput, type ProgressOutput, type ResultOutput } from "../../../media/src/notebookProtocol";
import type { StoredResult } from "../../core/dataset";
import type { JudgmentError } from "../../core/judgment";
import type { StoredOutcome } from "./pairLines";

const ERROR_MIME = "application/vnd.code.notebook.error";

/** Output metadata: the pair hash of an error, and (while a run shows progress) the outcome it replaces. */
interface OutputMetadata {
  brrm?: { pairHash?: string; previous?: StoredOutcome };
}

export function verdictLine(result: StoredResult, titles: [string, string]): string {
  const swapped = result.orders.length > 1;
  const verdict =
    result.preferred !== null ? `${titles[result.preferred - 1]} is better` : swapped && result.consistent === false ? "Tie: the two orders disagree" : "No verdict";
  const parts = [verdict];
  if (swapped && result.consistent !== null) parts.push(result.consistent ? "consistent after swap" : "inconsistent after swap");
  if (result.label === "tie") parts.push("label: tie");
  else if (result.label !== null) parts.push(`label ${titles[result.label - 1]}: ${result.correct ? "agrees" : "disagrees"}`);
  const dims = [...new Set(result.orders.flatMap((o) => o.samples.flatMap((s) => s.judgment.dimensions)))];
  if (dims.length > 0) parts.push(`focus: ${dims.join(", ")}`);
  return parts.join(" · ");
}

export function resultOutput(result: StoredResult, pairHash: string, titles: [string, string], stale = false): vscode.NotebookCellOutput {
  const payload: ResultOutput = { kind: "result", result, pairHash, titles, ...(stale ? { stale: true } : {}) };
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.json(payload, JUDGMENT_MIME), vscode.NotebookCellOutputItem.text(verdictLine(result, titles))]);
}

/** `pairHash` is "" for a cell that is not a pair at all (its error still counts, and is saved with the line). */
export function errorOutput(error: JudgmentError, pairHash: string): vscode.NotebookCellOutput {
  const metadata: OutputMetadata = { brrm: { pairHash } };
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: error.code, message: error.message })], metadata as Record<string, unknown>);
}

export function progressOutput(progress: ProgressOutput, previous: StoredOutcome | undefined): vscode.NotebookCellOutput {
  const metadata: OutputMetadata = previous ? { brrm: { previous } } : {};
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.json(progress, JUDGMENT_MIME)], metadata as Record<string, unknown>);
}

function decodeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}

/**
 * What a cell's outputs hold: its judgment, the error of its last run, or, while a run is in
 * progress, the outcome the run will replace (so saving mid-run keeps the last judgment).
 */
export function outcomeOf(outputs: readonly { items: readonly { mime: string; data: Uint8Array }[]; metadata?: Record<string, unknown> }[]): StoredOutcome | undefined {
  for (const output of outputs) {
    const meta = (output.metadata ?? {}) as OutputMetadata;
    for (const item of output.items) {
      if (item.mime === JUDGMENT_MIME) {
        const value = decodeJson(item.data) as NotebookOutput | undefined;
        if (value?.kind === "result" && typeof value.pairHash === "string") return { pairHash: value.pairHash, result: value.result };
        if (value?.kind === "progress" && meta.brrm?.previous) return meta.brrm.previous;
      } else if (item.mime === ERROR_MIME && typeof meta.brrm?.pairHash === "string") {
        const value = decodeJson(item.data) as { name?: unknown; message?: unknown } | undefined;
        if (typeof value?.message === "string") return { pairHash: meta.brrm.pairHash, error: { code: typeof value.name === "string" ? value.name : "JUDGE_FAILED", message: value.message } };
      }
    }
  }
  return undefined;
}

/** The outputs that show a stored outcome when a notebook is opened. */
export function outputsFor(outcome: StoredOutcome, titles: [string, string], currentHash: string): vscode.NotebookCellOutput[] {
  if ("error" in outcome) return [errorOutput(outcome.error, outcome.pairHash)];
  return [resultOutput(outcome.result, outcome.pairHash, titles, outcome.pairHash !== currentHash)];
}
