// The `brrm-pairs` notebook type: a JSONL pair file opened as a notebook, one cell per line
// (the cell format is described in cellFormat.ts, the line format in pairLines.ts). A line
// that is not a pair record becomes a JSON cell, kept as it is; a Markdown cell is saved as a
// `{"brrm_markdown": ...}` line. Each pair cell keeps its original line in its metadata, so
// saving merges the edits into it and every field the cell does not show survives.

import * as vscode from "vscode";
import { responseTitles } from "./cellFormat";
import { outcomeOf, outputsFor } from "./outputs";
import { cellPair, pairHash, readPairLines, writePairLines, type CellToWrite } from "./pairLines";
import { refuseSaveWhileLocked } from "./saveLock";

export const NOTEBOOK_TYPE = "brrm-pairs";
/** The language of pair cells (Markdown highlighting shows the `## ` headers); JSON cells hold other lines. */
export const PAIR_LANGUAGE = "markdown";
export const RAW_LANGUAGE = "json";

interface CellMetadata {
  brrm?: { line?: string };
}

/** The original line a pair cell came from (undefined for a cell the user added). */
export function cellLine(cell: { metadata?: Record<string, unknown> }): string | undefined {
  const line = (cell.metadata as CellMetadata | undefined)?.brrm?.line;
  return typeof line === "string" ? line : undefined;
}

/** Cells for the text of a pair file (also used for a new untitled notebook). */
export function notebookData(text: string): vscode.NotebookData {
  const cells = readPairLines(text).map((c) => {
    if (c.kind === "markdown") return new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, c.text, "markdown");
    if (c.kind === "raw") return new vscode.NotebookCellData(vscode.NotebookCellKind.Code, c.text, RAW_LANGUAGE);
    const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, c.text, PAIR_LANGUAGE);
    cell.metadata = { brrm: { line: c.line } } satisfies CellMetadata;
    if (c.outcome) {
      const pair = cellPair(c.text, c.line);
      const current = pair.ok ? pairHash(pair.record) : "";
      cell.outputs = outputsFor(c.outcome, responseTitles(c.text), current);
    }
    return cell;
  });
  return new vscode.NotebookData(cells);
}

export class PairNotebookSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    return notebookData(new TextDecoder().decode(content));
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    // Throws when another run writes the file (saveLock.ts): the save is refused with its name.
    refuseSaveWhileLocked(NOTEBOOK_TYPE, data.cells);
    const cells: CellToWrite[] = data.cells.map((cell) => {
      if (cell.kind === vscode.NotebookCellKind.Markup) return { kind: "markdown", text: cell.value };
      if (cell.languageId === RAW_LANGUAGE) return { kind: "raw", text: cell.value };
      const line = cellLine(cell);
      const outcome = outcomeOf(cell.outputs ?? []);
      return { kind: "pair", text: cell.value, ...(line !== undefined ? { line } : {}), ...(outcome ? { outcome } : {}) };
    });
    return new TextEncoder().encode(writePairLines(cells));
  }
}
