// Pair datasets in (records from any DatasetSource, read as a stream) and results out (JSONL,
// one line per judged pair). Core does no I/O: the reader takes parsed records (src/files reads
// them from disk; JSON Lines text from any stream is turned into records here) and the results
// are plain values and lines.

import type { SourceEntry } from "./datasetSource";
import type { Judgment, Pair } from "./judgment";
import { carriedFields, NOTE_FIELD, pairFromRecord, type FieldMap, type Label, type PairRecord } from "./records";

/**
 * The order the judge saw a record's responses in: "AB" as the record has them (the record's
 * first response shown as Response 1), "BA" swapped.
 */
export type Order = "AB" | "BA";

export interface DatasetPair {
  /**
   * What resume and results match on: `id:<id>` when the record has an id, else `line:<n>`; in a
   * folder, prefixed with the record's file (`data/train.parquet:line:7`), so keys stay unique.
   */
  key: string;
  id: string | null;
  /** 1-based position in its file: the line in JSON Lines, the element of a JSON array, the row in parquet. */
  line: number;
  /** The record's file, relative to the folder, when the dataset is a folder. */
  file?: string;
  record: PairRecord;
  /** The order to judge in (or to judge first, with swap): seeded random for preference data. */
  order: Order;
  /** The record's other fields, carried into its result untouched. */
  fields: Record<string, unknown>;
}

export type DatasetEntry = { ok: true; pair: DatasetPair } | { ok: false; line: number; file?: string; reason: string };

export interface ReadDatasetOptions {
  /** Seeds the order preference pairs are shown in; the same seed gives the same orders. */
  orderSeed?: number;
  /** The user's field names for the canonical parts of a pair (`--map`). */
  map?: FieldMap;
  /** The records come from a folder: keys and results name each record's file. */
  folder?: boolean;
}

export const DEFAULT_MAX_LINE_LENGTH = 32 * 1024 * 1024;

/** Where a record is, in words: `line 7`, or `data/train.parquet:7` in a folder. */
export function placeText(p: { line: number; file?: string }): string {
  return p.file !== undefined ? `${p.file}:${p.line}` : `line ${p.line}`;
}

export type Line = { line: number; text: string } | { line: number; tooLong: number };

/**
 * Splits a stream into lines without holding more than one line (and one chunk) at a time.
 * Accepts LF and CRLF and a leading byte-order mark; numbers lines from 1, blank ones included.
 */
export async function* readLines(chunks: AsyncIterable<string | Uint8Array>, maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let skipping = 0; // > 0 while discarding an over-long line: how many characters so far
  let line = 0;
  let first = true;
  const emit = (text: string): Line => {
    line++;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return { line, text: text.endsWith("\r") ? text.slice(0, -1) : text };
  };
  const feed = function* (text: string): Generator<Line> {
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl === -1) break;
      const length = skipping > 0 ? skipping + nl - start : pending.length + nl - start;
      if (length > maxLineLength) {
        line++;
        first = false;
        yield { line, tooLong: length };
      } else yield emit(pending + text.slice(start, nl));
      skipping = 0;
      pending = "";
      start = nl + 1;
    }
    const rest = text.slice(start);
    if (skipping > 0) skipping += rest.length;
    else if (pending.length + rest.length > maxLineLength) {
      skipping = pending.length + rest.length;
      pending = "";
    } else pending += rest;
  };
  for await (const chunk of chunks) yield* feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
  yield* feed(decoder.decode());
  if (skipping > 0) yield { line: line + 1, tooLong: skipping };
  else if (pending.length > 0) yield emit(pending);
}

/** 32-bit FNV-1a: a stable, platform-free hash for seeding per-pair choices. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The order a preference pair is shown in. It depends only on the seed and the pair's key, not
 * on its position in the run, so resuming, `--limit` and the cache all see the same order.
 */
export function seededOrder(key: string, seed: number): Order {
  // Mix the hash once more so neighbouring keys ("line:1", "line:2") do not alternate.
  let h = fnv1a(`${seed}\u0000${key}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return (h & 1) === 0 ? "AB" : "BA";
}

/** A notebook's Markdown cell saved as a line: a note, not a pair. */
export function isNote(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as Record<string, unknown>)[NOTE_FIELD] === "string";
}

/** JSON Lines text as records (blank lines skipped; a line that is not JSON is a bad entry). */
export async function* jsonlRecords(chunks: AsyncIterable<string | Uint8Array>, file: string, maxLineLength = DEFAULT_MAX_LINE_LENGTH): AsyncGenerator<SourceEntry> {
  for await (const l of readLines(chunks, maxLineLength)) {
    if ("tooLong" in l) {
      yield { ok: false, file, index: l.line, reason: `the line is ${l.tooLong} characters long, more than the limit of ${maxLineLength}` };
      continue;
    }
    if (!l.text.trim()) continue;
    try {
      yield { ok: true, record: { value: JSON.parse(l.text), file, index: l.line } };
    } catch (e) {
      yield { ok: false, file, index: l.line, reason: `not valid JSON (${(e as Error).message})` };
    }
  }
}

/**
 * Reads a dataset's records as a stream of pairs and bad records (with their place and a
 * reason). Ids must be unique (results and resume match on them): the ids seen are the one thing
 * kept for the whole dataset.
 */
export async function* readDataset(records: AsyncIterable<SourceEntry>, options: ReadDatasetOptions = {}): AsyncGenerator<DatasetEntry> {
  const seed = options.orderSeed ?? 0;
  const seen = new Map<string, string>(); // id key -> where it was first
  for await (const entry of records) {
    const file = options.folder ? { file: entry.ok ? entry.record.file : entry.file } : {};
    if (!entry.ok) {
      yield { ok: false, line: entry.index, ...file, reason: entry.reason };
      continue;
    }
    const { value, index } = entry.record;
    if (isNote(value)) continue;
    const parsed = pairFromRecord(value, options.map);
    if (!parsed.ok) {
      yield { ok: false, line: index, ...file, reason: parsed.reason };
      continue;
    }
    const { record } = parsed;
    const id = record.id ?? null;
    const key = `${file.file !== undefined ? `${file.file}:` : ""}${id !== null ? `id:${id}` : `line:${index}`}`;
    if (id !== null) {
      const first = seen.get(key);
      if (first !== undefined) {
        yield { ok: false, line: index, ...file, reason: `duplicate id ${JSON.stringify(id)} (first on ${first}); ids must be unique` };
        continue;
      }
      seen.set(key, placeText({ line: index, ...file }));
    }
    const fields = carriedFields(value as Record<string, unknown>, options.map);
    yield { ok: true, pair: { key, id, line: index, ...file, record, order: record.preference ? seededOrder(key, seed) : "AB", fields } };
  }
}

export const flipOrder = (o: Order): Order => (o === "AB" ? "BA" : "AB");

/** The pair as the judge sees it in the given order. */
export function shownPair(record: PairRecord, order: Order): Pair {
  const [a, b] = record.responses;
  return order === "AB" ? { prompt: record.prompt, response1: a, response2: b } : { prompt: record.prompt, response1: b, response2: a };
}

/** A verdict about the shown pair, in the record's terms (1 = the record's first response). */
export function toRecordSide(verdict: 1 | 2 | null, order: Order): 1 | 2 | null {
  if (verdict === null || order === "AB") return verdict;
  return verdict === 1 ? 2 : 1;
}

// ---------------------------------------------------------------- results

export interface SampleResult {
  judgment: Judgment;
  /** True when the judgment was answered from the result cache instead of the model. */
  cached: boolean;
}

export interface Votes {
  response1: number;
  response2: number;
  /** Samples that ended without a valid verdict. */
  none: number;
}

export interface OrderResult {
  order: Order;
  /** The majority verdict in the record's terms; null on an even split or with no verdict at all. */
  preferred: 1 | 2 | null;
  /** The split of the samples' verdicts, in the record's terms. */
  votes: Votes;
  samples: SampleResult[];
}

/** One line of a results file: a pair, how each order was judged, and the outcome. */
export interface PairResult {
  key: string;
  id: string | null;
  line: number;
  /** The record's file, when the dataset is a folder. */
  file?: string;
  prompt: Pair["prompt"];
  /** The responses in the record's order (preference data: chosen, rejected). */
  responses: [string, string];
  /** Which response the data says is better, in the record's order (preference data: 1), or "tie". */
  label: Label | null;
  preference: boolean;
  /** One entry per order judged: the first is the pair's own order; with swap, the flipped one follows. */
  orders: OrderResult[];
  /** The judge's answer in the record's terms; null for a tie (an inconsistent swap or an even vote) or no verdict. */
  preferred: 1 | 2 | null;
  /** With swap: whether both orders preferred the same response (null when one of them has no verdict). */
  consistent: boolean | null;
  /** Whether `preferred` matches the label (null without a label, or with a tie label). A tie is not correct. */
  correct: boolean | null;
  fields: Record<string, unknown>;
}

/** A result without the pair it is about: what a notebook line keeps next to its texts, and what a cell's output shows. */
export type StoredResult = Omit<PairResult, "prompt" | "responses" | "fields">;

/** The majority of the votes; an even split is no decision. */
export function majority(votes: Votes): 1 | 2 | null {
  if (votes.response1 > votes.response2) return 1;
  if (votes.response2 > votes.response1) return 2;
  return null;
}

export function orderResult(order: Order, samples: SampleResult[]): OrderResult {
  const votes: Votes = { response1: 0, response2: 0, none: 0 };
  for (const s of samples) {
    const side = toRecordSide(s.judgment.verdict, order);
    if (side === 1) votes.response1++;
    else if (side === 2) votes.response2++;
    else votes.none++;
  }
  return { order, preferred: majority(votes), votes, samples };
}

/** Combines the orders of a pair: with swap, only agreeing orders decide; disagreement is a tie. */
export function pairResult(pair: DatasetPair, orders: OrderResult[]): PairResult {
  const decided = orders.map((o) => o.preferred);
  const consistent = orders.length < 2 || decided.includes(null) ? null : decided.every((d) => d === decided[0]);
  const preferred = orders.length < 2 ? decided[0] : consistent ? decided[0] : null;
  const label = pair.record.label;
  return {
    key: pair.key,
    id: pair.id,
    line: pair.line,
    ...(pair.file !== undefined ? { file: pair.file } : {}),
    prompt: pair.record.prompt,
    responses: pair.record.responses,
    label,
    preference: pair.record.preference,
    orders,
    preferred,
    consistent,
    correct: label === null || label === "tie" ? null : preferred === label,
    fields: pair.fields,
  };
}

/** One results-file line. */
export function resultLine(result: PairResult): string {
  return `${JSON.stringify(result)}\n`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads one results-file line back. Checks the shape the summary and resume rely on, so a
 * stray or hand-edited line is reported instead of breaking a report.
 */
export function parseResultLine(text: string): { ok: true; result: PairResult } | { ok: false; reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  if (!isObj(v)) return { ok: false, reason: "not a JSON object" };
  if (typeof v.key !== "string" || typeof v.line !== "number") return { ok: false, reason: 'no "key" and "line": not a brrm results line' };
  if (!Array.isArray(v.orders) || v.orders.length === 0) return { ok: false, reason: 'no "orders"' };
  for (const o of v.orders) {
    if (!isObj(o) || (o.order !== "AB" && o.order !== "BA") || !Array.isArray(o.samples) || !isObj(o.votes))
      return { ok: false, reason: 'an entry of "orders" is not an order result' };
    for (const s of o.samples) if (!isObj(s) || !isObj(s.judgment)) return { ok: false, reason: "a sample has no judgment" };
  }
  if (!Array.isArray(v.responses) || v.responses.length !== 2) return { ok: false, reason: 'no "responses"' };
  return { ok: true, result: v as unknown as PairResult };
}
