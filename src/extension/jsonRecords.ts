// The pair record under the cursor in a JSON or JSONL document, and where its prompt and
// responses are in the text (so diagnostics land on them). The record shapes are core's
// (pairFromRecord); this file only finds the record and the offsets. No `vscode` here.

import { findNodeAtOffset, getNodeValue, parseTree, type Node, type ParseError } from "jsonc-parser";
import type { Pair } from "../core/judgment";
import { pairFromRecord, type PairRecord, type RecordLayout } from "../core/records";

/** A piece of the document that holds one text of the pair. */
export interface TextRegion {
  /** Document offsets of the region (for a JSON string: inside the quotes). */
  start: number;
  end: number;
  /**
   * For text stored escaped (a JSON string): the document offset of each UTF-16 unit of the
   * decoded text, plus one for its end. Absent when the document holds the text as is.
   */
  offsets?: number[];
}

export interface RecordHit {
  record: PairRecord;
  pair: Pair;
  regions: { prompt?: TextRegion; response1: TextRegion; response2: TextRegion };
  /** Which record, in words: "line 3", "record 2" or "" for a lone object. */
  where: string;
}

export type RecordLookup = { ok: true; hit: RecordHit } | { ok: false; reason: string };

/**
 * For a JSON string literal (with its quotes), the offset in the literal of each UTF-16 unit
 * of its decoded value, and of the closing quote at the end.
 */
export function decodedOffsets(literal: string): number[] {
  const out: number[] = [];
  let i = 1;
  const last = literal.length - 1;
  while (i < last) {
    out.push(i);
    if (literal[i] !== "\\") i += 1;
    else i += literal[i + 1] === "u" ? 6 : 2;
  }
  out.push(last);
  return out;
}

function stringRegion(text: string, node: Node, base: number): TextRegion {
  const literal = text.slice(node.offset, node.offset + node.length);
  const offsets = decodedOffsets(literal).map((o) => o + node.offset + base);
  return { start: node.offset + 1 + base, end: node.offset + node.length - 1 + base, offsets };
}

function stringNodes(node: Node, out: Node[] = []): Node[] {
  if (node.type === "string" && node.parent?.type === "property" && node.parent.children?.[0] === node) return out;
  if (node.type === "string") out.push(node);
  for (const child of node.children ?? []) stringNodes(child, out);
  return out;
}

function lastUserContent(prompt: Pair["prompt"]): string | undefined {
  if (typeof prompt === "string") return prompt;
  for (let i = prompt.length - 1; i >= 0; i--) if (prompt[i].role === "user") return prompt[i].content;
  return undefined;
}

/** The last `length` units of a string's region (a transcript's final answer). */
function tailRegion(region: TextRegion, length: number): TextRegion {
  const offsets = region.offsets!.slice(region.offsets!.length - 1 - length);
  return { start: offsets[0], end: offsets[offsets.length - 1], offsets };
}

/**
 * The regions of a record's texts: the string nodes of the object that hold them. A response
 * at the end of a transcript is the end of its string; one made of several turns lands on its
 * field's last string (its final answer).
 */
function regionsOf(text: string, object: Node, record: PairRecord, layout: RecordLayout, base: number): RecordHit["regions"] | undefined {
  const strings = stringNodes(object);
  const used = new Set<Node>();
  const take = (value: string | undefined): Node | undefined => {
    if (value === undefined) return undefined;
    const node = strings.find((n) => !used.has(n) && n.value === value);
    if (node) used.add(node);
    return node;
  };
  const response = (i: 0 | 1): TextRegion | undefined => {
    const value = record.responses[i];
    const exact = take(value);
    if (exact) return stringRegion(text, exact, base);
    const field = object.children?.find((p) => p.children?.[0].value === layout.fields[i])?.children?.[1];
    const inField = field ? stringNodes(field) : [];
    const whole = inField.find((n) => typeof n.value === "string" && (n.value as string).endsWith(value));
    if (whole) return tailRegion(stringRegion(text, whole, base), value.length);
    const last = inField[inField.length - 1];
    return last ? stringRegion(text, last, base) : undefined;
  };
  const r1 = response(0);
  const r2 = response(1);
  if (!r1 || !r2) return undefined;
  const prompt = take(lastUserContent(record.prompt));
  return {
    response1: r1,
    response2: r2,
    ...(prompt ? { prompt: stringRegion(text, prompt, base) } : {}),
  };
}

/** The innermost object around `offset` that is a pair record (records may sit in arrays or wrappers). */
function recordAround(text: string, root: Node, offset: number, base: number): { hit: Omit<RecordHit, "where">; node: Node } | { reason: string } {
  let node: Node | undefined = findNodeAtOffset(root, offset, true) ?? root;
  let firstReason: string | undefined;
  for (; node; node = node.parent) {
    if (node.type !== "object") continue;
    const result = pairFromRecord(getNodeValue(node));
    if (!result.ok) {
      firstReason ??= result.reason;
      continue;
    }
    const regions = regionsOf(text, node, result.record, result.layout, base);
    if (!regions) continue;
    const { record } = result;
    return { node, hit: { record, regions, pair: { prompt: record.prompt, response1: record.responses[0], response2: record.responses[1] } } };
  }
  return { reason: firstReason ?? "the cursor is not inside a JSON object" };
}

function parse(text: string): { root: Node } | { reason: string } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (!root) return { reason: "it is not valid JSON" };
  if (errors.length > 0) return { reason: `it is not valid JSON (error at offset ${errors[0].offset})` };
  return { root };
}

/** The record under the cursor: in JSONL the line's record, in JSON the object around the cursor. */
export function recordAt(text: string, offset: number, format: "json" | "jsonl"): RecordLookup {
  if (format === "jsonl") {
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    const newline = text.indexOf("\n", offset);
    const line = text.slice(lineStart, newline === -1 ? text.length : newline).replace(/\r$/, "");
    const lineNumber = text.slice(0, lineStart).split("\n").length;
    if (!line.trim()) return { ok: false, reason: `line ${lineNumber} is empty: put the cursor on a record's line` };
    const parsed = parse(line);
    if ("reason" in parsed) return { ok: false, reason: `line ${lineNumber}: ${parsed.reason}` };
    const found = recordAround(line, parsed.root, Math.min(offset - lineStart, line.length), lineStart);
    if ("reason" in found) return { ok: false, reason: `line ${lineNumber}: ${found.reason}` };
    return { ok: true, hit: { ...found.hit, where: `line ${lineNumber}` } };
  }
  const parsed = parse(text);
  if ("reason" in parsed) return { ok: false, reason: parsed.reason };
  let found = recordAround(text, parsed.root, offset, 0);
  // The cursor between records of an array (or at its very start): a lone record still counts.
  if ("reason" in found && parsed.root.type === "array" && parsed.root.children?.length === 1) {
    found = recordAround(text, parsed.root, parsed.root.children[0].offset + 1, 0);
  }
  if ("reason" in found) return { ok: false, reason: found.reason };
  const parent = found.node.parent;
  const where = parent?.type === "array" ? `record ${(parent.children?.indexOf(found.node) ?? 0) + 1}` : "";
  return { ok: true, hit: { ...found.hit, where } };
}
