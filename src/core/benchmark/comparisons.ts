// Benchmark records -> comparisons -> the pairs `evaluate()` judges. Each benchmark module says
// how one of its records becomes comparisons (chosen against rejected); this module gives each
// comparison its seeded order and its tag, reports records that are not what the benchmark
// publishes (with the file and position), and keeps a record that appears twice from counting twice.

import { seededOrder, type DatasetEntry } from "../dataset";
import type { SourceEntry } from "../datasetSource";
import type { ChatMessage } from "../judgment";
import type { PairRecord } from "../records";
import { TAG_FIELD, type BenchmarkId, type BenchmarkTag, type RunSettings } from "./benchmarks";

export interface Comparison {
  /** Unique and stable across runs: what resume matches on. */
  key: string;
  /** The record's id as published. */
  id: string;
  prompt: ChatMessage[];
  chosen: string;
  rejected: string;
  stratum: string;
  /** What --sample draws: one comparison, or a whole best-of-N item (scored only complete). */
  unit: string;
  extra?: Pick<BenchmarkTag, "chosenStyle" | "rejectedStyle" | "losers">;
  /** The record's own fields kept in the result (ids, subset, domain, models). */
  carried: Record<string, unknown>;
}

export type Expansion = { ok: true; item: string; comparisons: Comparison[] } | { ok: false; reason: string };

export interface BenchmarkRecords {
  id: BenchmarkId;
  /** One published record -> its comparisons, or why it is not a record of this benchmark. */
  expand(value: unknown): Expansion;
}

export type ExpandedEntry =
  | { ok: true; item: string; comparisons: Comparison[]; file: string; index: number }
  | { ok: false; index: number; reason: string };

/** Records -> comparisons, with bad and repeated records reported by file and position. */
export async function* expandRecords(entries: AsyncIterable<SourceEntry>, records: BenchmarkRecords): AsyncGenerator<ExpandedEntry> {
  const seen = new Map<string, string>();
  for await (const e of entries) {
    if (!e.ok) {
      yield { ok: false, index: e.index, reason: `${e.file} record ${e.index}: ${e.reason}` };
      continue;
    }
    const { value, file, index } = e.record;
    const where = `${file} record ${index}`;
    const x = records.expand(value);
    if (!x.ok) {
      yield { ok: false, index, reason: `${where}: ${x.reason}` };
      continue;
    }
    const first = seen.get(x.item);
    if (first !== undefined) {
      yield { ok: false, index, reason: `${where}: repeats ${x.item}, first seen in ${first}; a record is judged once` };
      continue;
    }
    seen.set(x.item, where);
    yield { ok: true, item: x.item, comparisons: x.comparisons, file, index };
  }
}

export interface PairsOptions {
  settings: RunSettings;
  /** Seeds the order each comparison is shown in. */
  orderSeed: number;
  /** With --sample: whether a unit of a stratum was drawn. */
  include?: (unit: string, stratum: string) => boolean;
}

/** The comparisons as pairs for `evaluate()`: chosen first in the record, shown in a seeded random order, labelled 1. */
export async function* benchmarkPairs(entries: AsyncIterable<SourceEntry>, records: BenchmarkRecords, options: PairsOptions): AsyncGenerator<DatasetEntry> {
  for await (const x of expandRecords(entries, records)) {
    if (!x.ok) {
      yield { ok: false, line: x.index, reason: x.reason };
      continue;
    }
    for (const c of x.comparisons) {
      if (options.include && !options.include(c.unit, c.stratum)) continue;
      const tag: BenchmarkTag = { ...options.settings, stratum: c.stratum, item: x.item, ...c.extra, file: x.file, index: x.index };
      const record: PairRecord = { prompt: c.prompt, responses: [c.chosen, c.rejected], label: 1, preference: true, id: c.id };
      yield { ok: true, pair: { key: c.key, id: c.id, line: x.index, record, order: seededOrder(c.key, options.orderSeed), fields: { ...c.carried, [TAG_FIELD]: tag } } };
    }
  }
}

// ---------------------------------------------------------------- checking published records

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field that must be text, or the reason it is not. */
export function textField(record: Record<string, unknown>, field: string): string | { reason: string } {
  const v = record[field];
  if (typeof v === "string") return v;
  return { reason: v === undefined || v === null ? `no "${field}"` : `"${field}" must be text, got ${Array.isArray(v) ? "an array" : typeof v}` };
}

/** An id as published (a number or text), as text; or the reason there is none. */
export function idField(record: Record<string, unknown>, field: string): string | { reason: string } {
  const v = record[field];
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return { reason: v === undefined || v === null ? `no "${field}"` : `"${field}" must be a number or text` };
}

/** The fields of a record other than `consumed`: carried into the results untouched. */
export function carriedFields(record: Record<string, unknown>, consumed: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !consumed.includes(k)));
}
