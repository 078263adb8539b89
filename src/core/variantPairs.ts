// Prompt variants (`brrm variants`, "Compare Prompt Variants…"): the outputs of variant A and
// variant B for the same inputs, as pairs with A as response 1 and B as response 2, from one
// JSONL text with the input and both outputs on each line, or two (one per variant) joined by
// `id`; and judging them. The texts are read whole: variant comparisons are hundreds of lines,
// and a join needs one side in memory anyway.

import type { JudgeBackend } from "./backend";
import type { DatasetEntry, DatasetPair, PairResult } from "./dataset";
import { evaluate, type EvaluateOptions, type EvaluationRun } from "./evaluate";
import { pairFromRecord } from "./records";

/** Field names tried, in order, when the user does not name them. */
export const PROMPT_FIELDS = ["prompt", "input", "question", "instruction", "query", "messages"];
export const A_FIELDS = ["output_a", "a", "variant_a", "response_a", "A", "baseline", "response1"];
export const B_FIELDS = ["output_b", "b", "variant_b", "response_b", "B", "candidate", "response2"];
export const OUTPUT_FIELDS = ["output", "response", "completion", "answer", "text", "generation"];

export interface VariantFields {
  prompt: string;
  a: string;
  b: string;
}

export interface Problem {
  where: string;
  reason: string;
}

export interface VariantPairs {
  entries: DatasetEntry[];
  problems: Problem[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

interface Line {
  line: number;
  value: Json;
}

function jsonLines(text: string, file: string, problems: Problem[]): Line[] {
  const out: Line[] = [];
  text.split("\n").forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      const value: unknown = JSON.parse(raw);
      if (isObject(value)) out.push({ line: i + 1, value });
      else problems.push({ where: `${file}, line ${i + 1}`, reason: "not a JSON object" });
    } catch (e) {
      problems.push({ where: `${file}, line ${i + 1}`, reason: `not valid JSON (${(e as Error).message})` });
    }
  });
  return out;
}

const firstPresent = (keys: string[], names: string[]) => names.find((n) => keys.includes(n));

/** The prompt, A and B fields of a one-file comparison, guessed from the first lines; undefined when a guess fails. */
export function guessFields(text: string): VariantFields | undefined {
  const keys = [...new Set(jsonLines(text, "", []).slice(0, 20).flatMap((l) => Object.keys(l.value)))];
  const prompt = firstPresent(keys, PROMPT_FIELDS);
  const a = firstPresent(keys, A_FIELDS);
  const b = firstPresent(keys, B_FIELDS);
  return prompt && a && b ? { prompt, a, b } : undefined;
}

/** Every field name of the first lines (for the user to pick from when the guess fails). */
export function fieldNames(text: string): string[] {
  return [...new Set(jsonLines(text, "", []).slice(0, 20).flatMap((l) => Object.keys(l.value)))];
}

/** A pair with A as response 1 and B as response 2, or why the line cannot be one (in the variants' terms). */
function pairEntry(line: number, id: string | null, prompt: unknown, a: unknown, b: unknown): DatasetEntry {
  const parsed = pairFromRecord({ prompt, response1: a, response2: b });
  if (!parsed.ok)
    return { ok: false, line, reason: parsed.reason.replace(/"response1"/g, "variant A's output").replace(/"response2"/g, "variant B's output").replace(/ \(records need .*\)$/, "") };
  const key = id !== null ? `id:${id}` : `line:${line}`;
  const pair: DatasetPair = { key, id, line, record: { ...parsed.record, label: null, preference: false }, order: "AB", fields: {} };
  return { ok: true, pair };
}

const idOf = (v: Json): string | null => (typeof v.id === "string" || typeof v.id === "number" ? String(v.id) : null);

/** One file: each line holds the input and both outputs. */
export function variantsFromOneFile(text: string, fields: VariantFields, file = "the file"): VariantPairs {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const entries: DatasetEntry[] = [];
  for (const { line, value } of jsonLines(text, file, problems)) {
    const id = idOf(value);
    if (id !== null) {
      if (seen.has(id)) {
        problems.push({ where: `${file}, line ${line}`, reason: `id ${id} appears twice; the first one is used` });
        continue;
      }
      seen.add(id);
    }
    const entry = pairEntry(line, id, value[fields.prompt], value[fields.a], value[fields.b]);
    if (entry.ok) entries.push(entry);
    else problems.push({ where: `${file}, line ${line}`, reason: entry.reason });
  }
  return { entries, problems };
}

/** The output field of one variant's file: the first known name its lines use. */
function outputField(lines: Line[]): string | undefined {
  const keys = [...new Set(lines.slice(0, 20).flatMap((l) => Object.keys(l.value)))];
  return firstPresent(keys, [...OUTPUT_FIELDS, ...A_FIELDS, ...B_FIELDS]);
}

/**
 * Two files, one per variant, joined by `id`. The input comes from A's line (or B's when A's
 * has none); a pair whose two lines carry different inputs is not comparable and is reported.
 */
export function variantsFromTwoFiles(textA: string, textB: string, names: { a: string; b: string } = { a: "file A", b: "file B" }): VariantPairs {
  const problems: Problem[] = [];
  const linesA = jsonLines(textA, names.a, problems);
  const linesB = jsonLines(textB, names.b, problems);
  const outA = outputField(linesA);
  const outB = outputField(linesB);
  if (!outA || !outB) {
    const which = !outA ? names.a : names.b;
    return { entries: [], problems: [...problems, { where: which, reason: `no output field: give each line one of ${OUTPUT_FIELDS.join(", ")}` }] };
  }
  const byId = new Map<string, Line>();
  for (const l of linesB) {
    const id = idOf(l.value);
    if (id === null) problems.push({ where: `${names.b}, line ${l.line}`, reason: 'no "id" to join on' });
    else if (byId.has(id)) problems.push({ where: `${names.b}, line ${l.line}`, reason: `id ${id} appears twice; the first one is used` });
    else byId.set(id, l);
  }
  const entries: DatasetEntry[] = [];
  const joined = new Set<string>();
  for (const l of linesA) {
    const id = idOf(l.value);
    const where = `${names.a}, line ${l.line}`;
    if (id === null) {
      problems.push({ where, reason: 'no "id" to join on' });
      continue;
    }
    if (joined.has(id)) {
      problems.push({ where, reason: `id ${id} appears twice; the first one is used` });
      continue;
    }
    const other = byId.get(id);
    if (!other) {
      problems.push({ where, reason: `id ${id} is not in ${names.b}` });
      continue;
    }
    joined.add(id);
    const promptField = firstPresent(Object.keys(l.value), PROMPT_FIELDS);
    const otherPromptField = firstPresent(Object.keys(other.value), PROMPT_FIELDS);
    const prompt = promptField ? l.value[promptField] : otherPromptField ? other.value[otherPromptField] : undefined;
    if (promptField && otherPromptField && JSON.stringify(l.value[promptField]) !== JSON.stringify(other.value[otherPromptField])) {
      problems.push({ where, reason: `id ${id} has a different input in ${names.a} and ${names.b}; the outputs answer different prompts` });
      continue;
    }
    const entry = pairEntry(l.line, id, prompt, l.value[outA], other.value[outB]);
    if (entry.ok) entries.push(entry);
    else problems.push({ where, reason: entry.reason });
  }
  for (const [id, l] of byId) if (!joined.has(id)) problems.push({ where: `${names.b}, line ${l.line}`, reason: `id ${id} is not in ${names.a}` });
  return { entries, problems };
}

async function* fromArray(entries: DatasetEntry[]): AsyncGenerator<DatasetEntry> {
  yield* entries;
}

/** Judges every pair in both orders, so the judge's preference for a position cancels out. */
export async function judgeVariants(
  pairs: VariantPairs,
  backend: JudgeBackend,
  options: Omit<EvaluateOptions, "swap" | "onResult">,
): Promise<{ run: EvaluationRun; results: PairResult[] }> {
  const results: PairResult[] = [];
  const run = await evaluate(fromArray(pairs.entries), backend, { ...options, swap: true, onResult: (r) => void results.push(r) });
  return { run, results };
}
