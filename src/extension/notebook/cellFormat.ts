// How one JSONL pair record is shown as an editable notebook cell, and how an edited cell is
// written back into that record. No `vscode` import: the serializer and the tests share it.
//
// The cell format is Markdown-ish text with one `## <Title>` line per part of the pair:
//
//     ## Prompt
//     What is 17 * 24?
//
//     ## Response 1
//     408.
//
//     ## Response 2
//     418.
//
// Chosen over YAML or JSON because a response is long free text: it reads and edits as-is,
// with no indentation or quoting to keep right, and Markdown highlighting shows the headers.
// What the cell shows is what the judge sees (core/records.ts reads the record): the context,
// as one `## Prompt` or one `## User` / `## Assistant` / `## System` section per turn, then the
// two responses, titled after the record's own fields (`## Chosen`/`## Rejected`, `## Response
// A`/`## Response B`, `## Conversation A`/`## Conversation B`, ...). A text line that is itself
// a header line gets a backslash in front (`\## Response 2`), and one backslash is removed
// when reading: every text survives.
//
// Writing back merges into the line's original object, in the record's own shape: the turns
// two conversations share are rewritten in both (and in a `prompt` or `messages` field that
// restates them), an HH-RLHF transcript stays a transcript, and every field the cell does not
// show (ids, labels, metadata the tools here never heard of) is kept. An unedited cell gives
// back the same object.

import type { ChatMessage, Pair } from "../../core/judgment";
import { CONTEXT_FIELDS, pairFromRecord, parseTranscript, readMessage, SHAPES, turnsFromLines, writeTranscript, type PairRecord, type RecordLayout } from "../../core/records";

export type ContextRole = ChatMessage["role"];

const ROLE_TITLES: Record<ContextRole, string> = { system: "System", user: "User", assistant: "Assistant" };
const TITLE_ROLES = new Map<string, ContextRole>(Object.entries(ROLE_TITLES).map(([role, title]) => [title, role as ContextRole]));

/** Section titles of the response fields, in the words of the record's own field names. */
const FIELD_TITLES: Record<string, string> = {
  response1: "Response 1",
  response2: "Response 2",
  chosen: "Chosen",
  rejected: "Rejected",
  response_a: "Response A",
  response_b: "Response B",
  response_0: "Response 0",
  response_1: "Response 1",
  conversation_a: "Conversation A",
  conversation_b: "Conversation B",
};

interface CellShape {
  r1: string;
  r2: string;
  titles: [string, string];
}

/** The record shapes, in the order records.ts tries them; titled by their fields. */
const CELL_SHAPES: CellShape[] = SHAPES.map((s) => ({ r1: s.r1, r2: s.r2, titles: [FIELD_TITLES[s.r1], FIELD_TITLES[s.r2]] }));

export const HEADER_TITLES = [...new Set(["Prompt", "Question", "System", "User", "Assistant", ...Object.values(FIELD_TITLES)])];
const HEADER = new RegExp(`^## (${HEADER_TITLES.join("|")})[ \\t]*$`);
const ESCAPED_HEADER = new RegExp(`^\\\\+## (?:${HEADER_TITLES.join("|")})[ \\t]*$`);
const NEEDS_ESCAPE = new RegExp(`^\\\\*## (?:${HEADER_TITLES.join("|")})[ \\t]*$`);

export interface Section {
  title: string;
  text: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function shapeOf(record: Json): CellShape {
  return CELL_SHAPES.find((s) => s.r1 in record || s.r2 in record) ?? CELL_SHAPES[0];
}

/** A new cell's shape, from the titles the user typed ("Response 0" only PKU-style records have). */
function shapeOfTitles(titles: Set<string>): CellShape {
  return (
    CELL_SHAPES.find((s) => titles.has(s.titles[0]) && titles.has(s.titles[1])) ??
    CELL_SHAPES.find((s) => titles.has(s.titles[0]) || titles.has(s.titles[1])) ??
    CELL_SHAPES[0]
  );
}

function readMessages(v: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map(readMessage);
  return out.every((m) => m !== undefined) ? (out as ChatMessage[]) : undefined;
}

function contextSections(prompt: Pair["prompt"], promptTitle: string): Section[] {
  return typeof prompt === "string" ? [{ title: promptTitle, text: prompt }] : prompt.map((m) => ({ title: ROLE_TITLES[m.role], text: m.content }));
}

/** The sections of a record, in cell order: the context and the responses exactly as the judge sees them. */
export function recordSections(record: Json): Section[] {
  const shape = shapeOf(record);
  const parsed = pairFromRecord(record);
  if (parsed.ok) {
    const { prompt, responses } = parsed.record;
    return [
      ...contextSections(prompt, parsed.layout.contextField === "question" ? "Question" : "Prompt"),
      { title: shape.titles[0], text: responses[0] },
      { title: shape.titles[1], text: responses[1] },
    ];
  }
  // A record that is not a pair yet (a response missing, say) shows what it has, to be completed.
  const contextField = CONTEXT_FIELDS.find((f) => Array.isArray(record[f]));
  const messages = contextField ? readMessages(record[contextField]) : undefined;
  const promptField = typeof record.question === "string" && !("prompt" in record) ? "question" : "prompt";
  const text = (v: unknown) => (typeof v === "string" ? v : (readMessages(v)?.at(-1)?.content ?? ""));
  return [
    ...(messages ?? [{ title: promptField === "question" ? "Question" : "Prompt", text: typeof record[promptField] === "string" ? (record[promptField] as string) : "" }]).map((m) =>
      "role" in m ? { title: ROLE_TITLES[m.role], text: m.content } : m,
    ),
    { title: shape.titles[0], text: text(record[shape.r1]) },
    { title: shape.titles[1], text: text(record[shape.r2]) },
  ];
}

function escapeLines(text: string): string {
  return text
    .split("\n")
    .map((l) => (NEEDS_ESCAPE.test(l) ? `\\${l}` : l))
    .join("\n");
}

export function formatSections(sections: Section[]): string {
  return sections.map((s) => `## ${s.title}\n${escapeLines(s.text)}`).join("\n\n");
}

/** The cell text of a record. */
export function recordToCell(record: Json): string {
  return formatSections(recordSections(record));
}

/**
 * Reads a cell's text back into sections. Text before the first header is the prompt (a pair
 * typed from scratch may start without one). The blank line that separates sections belongs
 * to the format, not to the text before it.
 */
export function parseCell(text: string): Section[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const sections: { title: string; lines: string[] }[] = [];
  let current: { title: string; lines: string[] } | undefined;
  for (const line of lines) {
    const header = HEADER.exec(line);
    if (header) {
      current = { title: header[1], lines: [] };
      sections.push(current);
      continue;
    }
    if (!current) {
      if (line.trim() === "") continue;
      current = { title: "Prompt", lines: [] };
      sections.push(current);
    }
    current.lines.push(ESCAPED_HEADER.test(line) ? line.slice(1) : line);
  }
  return sections.map((s, i) => {
    const body = i < sections.length - 1 && s.lines.length > 0 && s.lines[s.lines.length - 1] === "" ? s.lines.slice(0, -1) : s.lines;
    return { title: s.title, text: body.join("\n") };
  });
}

// ---------------------------------------------------------------- writing back

/** Where a message's text goes back: the keys its original used. */
function writeMessage(original: unknown, m: ChatMessage, style: "openai" | "sharegpt"): Json {
  const base: Json = isObject(original) ? { ...original } : {};
  const shareGpt = isObject(original) ? !("content" in original) && ("value" in original || "from" in original) : style === "sharegpt";
  const before = readMessage(original);
  if (shareGpt) {
    if (before?.role !== m.role) base.from = m.role === "user" ? "human" : m.role === "assistant" ? "gpt" : "system";
    base.value = m.content;
  } else {
    if (before?.role !== m.role) base.role = m.role;
    base.content = m.content;
  }
  return base;
}

function writeMessages(original: unknown, messages: ChatMessage[]): Json[] {
  const list = Array.isArray(original) ? original : [];
  const style = list.some((m) => isObject(m) && "from" in m) ? "sharegpt" : "openai";
  return messages.map((m, i) => writeMessage(list[i], m, style));
}

const sameMessages = (a: ChatMessage[] | undefined, b: ChatMessage[]) => a !== undefined && a.length === b.length && a.every((m, i) => m.role === b[i].role && m.content === b[i].content);
const sameContext = (a: Pair["prompt"], b: Pair["prompt"]) => (typeof a === "string" || typeof b === "string" ? a === b : sameMessages(a, b));

/** The turns a response stands for after an edit: a single answer stays one assistant turn; several turns are read back from their User:/Assistant: lines. */
function responseTurns(text: string, before: ChatMessage[]): ChatMessage[] {
  if (before.length === 1 && before[0].role === "assistant") return [{ role: "assistant", content: text }];
  return turnsFromLines(text) ?? [{ role: "assistant", content: text }];
}

/** The cell's context: its turns, or its one prompt text; undefined when it shows none. */
function cellContext(sections: Section[]): Pair["prompt"] | undefined {
  const messages = sections.filter((s) => TITLE_ROLES.has(s.title)).map((s) => ({ role: TITLE_ROLES.get(s.title)!, content: s.text }));
  if (messages.length > 0) return messages;
  return sections.find((s) => s.title === "Prompt" || s.title === "Question")?.text;
}

const asMessages = (c: Pair["prompt"]): ChatMessage[] => (typeof c === "string" ? [{ role: "user", content: c }] : c);

/**
 * Writes a context into the field it was read from: a message list keeps the messages it has
 * beyond the context (a last answer that repeated a response), a transcript stays one.
 */
function writeContextField(record: Json, field: string, shown: number, context: Pair["prompt"]): void {
  const original = record[field];
  if (Array.isArray(original)) {
    record[field] = [...writeMessages(original.slice(0, shown), asMessages(context)), ...original.slice(shown)];
  } else if (typeof original === "string" && parseTranscript(original)) {
    const turns = parseTranscript(original)!;
    record[field] = writeTranscript([...asMessages(context), ...turns.slice(shown)]);
  } else if (typeof context === "string") {
    record[field] = context;
  } else {
    // Turns typed where the record had one prompt: they go to a messages field, which is read first.
    record.messages = writeMessages(undefined, context);
  }
}

/**
 * A message list holding a copy of one response after the context (UltraFeedback's `messages`
 * repeats chosen) takes that response's new text, or the stale copy would read as context.
 */
function followResponseCopy(record: Json, field: string, shown: number, before: [string, string], after: [string, string]): void {
  const list = record[field];
  if (!Array.isArray(list) || list.length <= shown) return;
  const last = readMessage(list[list.length - 1]);
  const side = before.findIndex((r) => last?.role === "assistant" && r.trim() === last.content.trim());
  if (side >= 0 && before[side] !== after[side]) record[field] = [...list.slice(0, -1), writeMessage(list[list.length - 1], { role: "assistant", content: after[side] }, "openai")];
}

/** The record with an edited conversation-pair cell merged in: the shared turns in both lists, each response after them. */
function mergeConversations(record: Json, layout: RecordLayout, old: PairRecord, context: Pair["prompt"], responses: [string, string]): void {
  const k = layout.shared;
  const raw = layout.fields.map((f) => (layout.responses === "transcript" ? parseTranscript(record[f] as string)! : (record[f] as unknown[])));
  const lists = raw.map((list) => list.map((m) => readMessage(m)!));
  const prefix = k > 0 ? asMessages(context) : [];
  const rebuilt = lists.map((list, i) => [...prefix, ...responseTurns(responses[i], list.slice(k))]);
  layout.fields.forEach((field, i) => {
    if (layout.responses === "transcript") record[field] = writeTranscript(rebuilt[i]);
    else record[field] = writeMessages(raw[i], rebuilt[i]);
  });
  if (k === 0) {
    if (layout.contextField && !sameContext(old.prompt, context)) writeContextField(record, layout.contextField, typeof old.prompt === "string" ? 1 : old.prompt.length, context);
    return;
  }
  // Fields that restated the shared turns (UltraFeedback's prompt, a messages copy of one side) follow them.
  const oldPrefix = lists[0].slice(0, k);
  for (const f of [...CONTEXT_FIELDS, "prompt", "question"]) {
    const v = record[f];
    if (typeof v === "string") {
      const i = oldPrefix.findIndex((m) => m.role === "user" && m.content.trim() === v.trim());
      if (i >= 0 && prefix[i]) record[f] = prefix[i].content;
    } else if (Array.isArray(v)) {
      const messages = readMessages(v);
      const side = lists.findIndex((list) => sameMessages(messages, list));
      if (side >= 0) record[f] = writeMessages(v, rebuilt[side]);
      else if (messages && sameMessages(messages, oldPrefix.slice(0, messages.length))) record[f] = writeMessages(v, prefix.slice(0, messages.length));
    }
  }
}

/** The record with an edited cell merged in, for a record that reads as a pair. */
function mergePair(original: Json, layout: RecordLayout, old: PairRecord, sections: Section[]): Json {
  const titles = shapeOf(original).titles;
  const find = (title: string) => sections.find((s) => s.title === title)?.text;
  const context = cellContext(sections) ?? old.prompt;
  const responses: [string, string] = [find(titles[0]) ?? old.responses[0], find(titles[1]) ?? old.responses[1]];
  const record: Json = { ...original };
  if (sameContext(context, old.prompt) && responses[0] === old.responses[0] && responses[1] === old.responses[1]) return record;

  if (layout.responses !== "text") {
    mergeConversations(record, layout, old, context, responses);
    return record;
  }
  const sideField = layout.fields.find((f) => f === layout.contextField);
  layout.fields.forEach((field, i) => {
    const list = record[field];
    if (Array.isArray(list)) {
      // A response given as a conversation: the new answer is its last message; with the context field being this side, its turns before it.
      const before = field === sideField ? asMessages(context) : readMessages(list.slice(0, -1)) ?? [];
      record[field] = [...writeMessages(list.slice(0, -1), before), writeMessage(list[list.length - 1], { role: "assistant", content: responses[i] }, "openai")];
    } else if (list !== responses[i]) record[field] = responses[i];
  });
  if (!sideField && layout.contextField && !sameContext(context, old.prompt)) {
    if (typeof context === "string" && typeof old.prompt !== "string") {
      // A conversation turned back into one prompt: the message list it replaces goes.
      for (const f of CONTEXT_FIELDS) delete record[f];
      record[typeof original.question === "string" && !("prompt" in original) ? "question" : "prompt"] = context;
    } else writeContextField(record, layout.contextField, typeof old.prompt === "string" ? 1 : old.prompt.length, context);
  }
  if (!sideField && layout.contextField && typeof old.prompt !== "string") followResponseCopy(record, layout.contextField, old.prompt.length, old.responses, responses);
  return record;
}

/**
 * The record with the cell's edits merged in. `original` is the line's object as it was read
 * (or {} for a new cell); fields the cell does not show are kept, and a field is rewritten
 * only when its text changed, so an unedited cell gives back the same object.
 */
export function mergeCell(original: Json, text: string): Json {
  const sections = parseCell(text);
  const parsed = pairFromRecord(original);
  if (parsed.ok) return mergePair(original, parsed.layout, parsed.record, sections);

  // A new cell, or a record that was not a whole pair: its fields are written as the cell names them.
  const record: Json = { ...original };
  const titles = new Set(sections.map((s) => s.title));
  const shape = Object.keys(original).length > 0 && CELL_SHAPES.some((s) => s.r1 in original || s.r2 in original) ? shapeOf(original) : shapeOfTitles(titles);
  const find = (title: string) => sections.find((s) => s.title === title)?.text;
  const context = cellContext(sections);
  if (typeof context === "string") {
    const field = titles.has("Question") || (typeof original.question === "string" && !("prompt" in original)) ? "question" : "prompt";
    if (original[field] !== context) record[field] = context;
  } else if (context) {
    const field = CONTEXT_FIELDS.find((f) => Array.isArray(original[f])) ?? "messages";
    if (!sameMessages(readMessages(original[field]), context)) record[field] = writeMessages(original[field], context);
  }
  for (const [field, title] of [
    [shape.r1, shape.titles[0]],
    [shape.r2, shape.titles[1]],
  ] as const) {
    const edited = find(title);
    if (edited === undefined || record[field] === edited) continue;
    const current = record[field];
    if (Array.isArray(current) && current.length > 0) record[field] = [...current.slice(0, -1), writeMessage(current[current.length - 1], { role: "assistant", content: edited }, "openai")];
    else record[field] = edited;
  }
  return record;
}

/** What a cell calls its two responses ("Response 1", "Chosen", "Response A"): outputs use the same words. */
export function responseTitles(text: string): [string, string] {
  return shapeOfTitles(new Set(parseCell(text).map((s) => s.title))).titles;
}
