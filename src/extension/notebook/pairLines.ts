// A pair file as notebook cells and back, without `vscode`: which line becomes which kind of
// cell, where a judgment is kept in the line, and how lines are written so that nothing the
// user did not edit changes.
//
// Judgments are saved in the line itself, under one key (`brrm`), so the file stays one
// self-contained JSONL: `brrm eval` still reads it (an unknown field is carried into the
// results untouched), and reopening the notebook shows the outputs again. Only what the line
// does not already hold is stored (the PairResult without its prompt, responses and fields),
// with a hash of the judged texts so an output whose pair was edited since can say so.

import { isNote, type PairResult, type StoredResult } from "../../core/dataset";
import type { JudgmentError } from "../../core/judgment";
import { carriedFields, NOTE_FIELD, PAIR_FIELDS, pairFromRecord, RESULT_FIELD, type PairRecord } from "../../core/records";
import { recordToCell, mergeCell } from "./cellFormat";

export type StoredOutcome = { pairHash: string; result: StoredResult } | { pairHash: string; error: JudgmentError };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export type LineCell =
  /** A pair: `text` is the editable cell, `line` the original line (kept in the cell's metadata). */
  | { kind: "pair"; text: string; line: string; outcome?: StoredOutcome }
  /** A line that is not a pair record (not JSON, or no pair fields): shown and saved as it is. */
  | { kind: "raw"; text: string }
  | { kind: "markdown"; text: string };

/**
 * A short, stable hash of the texts the judge compares (cyrb53: 53 bits, plenty to tell an
 * edited pair from the judged one; it only needs to be stable, not secret).
 */
export function textHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export const pairHash = (record: PairRecord): string => textHash(JSON.stringify([record.prompt, record.responses]));

function isOutcome(v: unknown): v is StoredOutcome {
  if (!isObject(v) || typeof v.pairHash !== "string") return false;
  if (isObject(v.error)) return typeof v.error.message === "string";
  return isObject(v.result) && Array.isArray(v.result.orders);
}

/** Lines of a pair file as cells. Blank lines carry nothing and are dropped. */
export function readPairLines(text: string): LineCell[] {
  const cells: LineCell[] = [];
  for (const raw of text.replace(/^\uFEFF/, "").split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      cells.push({ kind: "raw", text: line });
      continue;
    }
    if (isNote(value)) {
      cells.push({ kind: "markdown", text: (value as Json)[NOTE_FIELD] as string });
      continue;
    }
    if (!isObject(value) || !PAIR_FIELDS.some((f) => f in value)) {
      cells.push({ kind: "raw", text: line });
      continue;
    }
    const { [RESULT_FIELD]: stored, ...record } = value;
    cells.push({ kind: "pair", text: recordToCell(record), line, ...(isOutcome(stored) ? { outcome: stored } : {}) });
  }
  return cells;
}

export type CellToWrite =
  | { kind: "pair"; text: string; line?: string; outcome?: StoredOutcome }
  | { kind: "raw"; text: string }
  | { kind: "markdown"; text: string };

/** The record a pair cell stands for now: its line's object with the cell's edits merged in. */
export function cellRecord(text: string, line?: string): Json {
  let original: Json = {};
  if (line !== undefined) {
    try {
      const v: unknown = JSON.parse(line);
      if (isObject(v)) original = v;
    } catch {
      // A cell whose line was not JSON starts from nothing but its text.
    }
  }
  const { [RESULT_FIELD]: _stored, ...rest } = original;
  return mergeCell(rest, text);
}

function writePair(cell: Extract<CellToWrite, { kind: "pair" }>): string | undefined {
  const record = cellRecord(cell.text, cell.line);
  if (Object.keys(record).length === 0) return undefined;
  if (cell.outcome) record[RESULT_FIELD] = cell.outcome;
  // An unchanged line is written back byte for byte: JSON.stringify would reformat numbers
  // (1.0, big integers) and escapes the user never touched.
  if (cell.line !== undefined) {
    try {
      if (JSON.stringify(JSON.parse(cell.line)) === JSON.stringify(record)) return cell.line;
    } catch {
      // Not JSON: the merged record is written instead.
    }
  }
  return JSON.stringify(record);
}

/** The file's text for the cells (one line each; an empty new cell writes nothing). */
export function writePairLines(cells: CellToWrite[]): string {
  const lines: string[] = [];
  for (const cell of cells) {
    if (cell.kind === "markdown") {
      if (cell.text.trim()) lines.push(JSON.stringify({ [NOTE_FIELD]: cell.text }));
    } else if (cell.kind === "raw") {
      if (!cell.text.trim()) continue;
      // A one-line cell is written as it is. Valid JSON typed over several lines goes back on
      // one; anything else is joined into one line, so it cannot split into several bad lines.
      if (!cell.text.includes("\n")) lines.push(cell.text);
      else {
        try {
          lines.push(JSON.stringify(JSON.parse(cell.text)));
        } catch {
          lines.push(cell.text.replace(/\r?\n/g, " "));
        }
      }
    } else {
      const line = writePair(cell);
      if (line !== undefined) lines.push(line);
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** The pair a cell stands for, or why it is not one (the reason names the field, as `brrm eval` does). */
export function cellPair(text: string, line?: string): PairOf {
  return pairOf(cellRecord(text, line));
}

/** The pair of a JSON cell (a line that was not a pair when the file was opened, maybe fixed since). */
export function jsonCellPair(text: string): PairOf {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  if (!isObject(value)) return pairOf(value);
  const { [RESULT_FIELD]: _stored, ...record } = value;
  return pairOf(record);
}

type PairOf = { ok: true; record: PairRecord; fields: Json } | { ok: false; reason: string };

function pairOf(record: unknown): PairOf {
  const parsed = pairFromRecord(record);
  if (!parsed.ok) return parsed;
  const fields = carriedFields(record as Json);
  return { ok: true, record: parsed.record, fields };
}

/** The stored part of a result (the line already holds the texts). */
export function storedResult(r: PairResult): StoredResult {
  const { prompt: _p, responses: _r, fields: _f, ...rest } = r;
  return rest;
}

/** A stored result made whole again with the pair it belongs to (for summaries and reports). */
export function fullResult(stored: StoredResult, record: PairRecord, fields: Json): PairResult {
  return { ...stored, prompt: record.prompt, responses: record.responses, fields };
}
