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
// Titles follow the record's own fields (`## Chosen`/`## Rejected` for preference data,
// `## Question`/`## Response A`/`## Response B` for arena data), and a chat context is one
// `## User` / `## Assistant` / `## System` section per message, so what a user edits maps
// back to exactly one field. A text line that is itself a header line gets a backslash in
// front (`\## Response 2`), and one backslash is removed when reading: every text survives.
//
// Writing back merges into the line's original object: only the fields whose text changed are
// replaced, every other field (ids, labels, metadata the tools here never heard of) is kept.

import type { ChatMessage } from "../../core/judgment";

export type ContextRole = ChatMessage["role"];

const ROLE_TITLES: Record<ContextRole, string> = { system: "System", user: "User", assistant: "Assistant" };
const TITLE_ROLES = new Map<string, ContextRole>(Object.entries(ROLE_TITLES).map(([role, title]) => [title, role as ContextRole]));

/** The record fields of each shape, in the order records.ts tries them, with their titles. */
const SHAPES = [
  { prompt: "prompt", r1: "response1", r2: "response2", titles: ["Prompt", "Response 1", "Response 2"] },
  { prompt: "prompt", r1: "chosen", r2: "rejected", titles: ["Prompt", "Chosen", "Rejected"] },
  { prompt: "question", r1: "response_a", r2: "response_b", titles: ["Question", "Response A", "Response B"] },
  { prompt: "prompt", r1: "response_a", r2: "response_b", titles: ["Prompt", "Response A", "Response B"] },
] as const;

type Shape = (typeof SHAPES)[number];

const CONTEXT_FIELDS = ["messages", "conversations", "conversation"] as const;

export const HEADER_TITLES = ["Prompt", "Question", "System", "User", "Assistant", "Response 1", "Response 2", "Chosen", "Rejected", "Response A", "Response B"];
const HEADER = new RegExp(`^## (${HEADER_TITLES.join("|")})[ \\t]*$`);
const ESCAPED_HEADER = new RegExp(`^\\\\+## (?:${HEADER_TITLES.join("|")})[ \\t]*$`);
const NEEDS_ESCAPE = new RegExp(`^\\\\*## (?:${HEADER_TITLES.join("|")})[ \\t]*$`);

export interface Section {
  title: string;
  text: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function shapeOf(record: Json): Shape {
  return SHAPES.find((s) => s.r1 in record || s.r2 in record) ?? SHAPES[0];
}

/** A message's role and text in either spelling: `{role, content}` (OpenAI) or `{from, value}` (ShareGPT). */
function readMessage(m: unknown): { role: ContextRole; text: string } | undefined {
  if (!isObject(m)) return undefined;
  const raw = String(m.role ?? m.from ?? "").toLowerCase();
  const role: ContextRole | undefined =
    raw === "user" || raw === "human" ? "user" : raw === "assistant" || raw === "gpt" || raw === "bot" || raw === "model" ? "assistant" : raw === "system" ? "system" : undefined;
  const text = m.content ?? m.value;
  return role && typeof text === "string" ? { role, text } : undefined;
}

function readMessages(v: unknown): { role: ContextRole; text: string }[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map(readMessage);
  return out.every((m) => m !== undefined) ? (out as { role: ContextRole; text: string }[]) : undefined;
}

/** A response as the cell shows it: text, or the last message of a conversation (its context shown above). */
function responseText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  const messages = readMessages(v);
  return messages && messages.length > 0 ? messages[messages.length - 1].text : undefined;
}

/** The sections of a record, in cell order. Fields of a kind the cell cannot show are left out (and kept on save). */
export function recordSections(record: Json): Section[] {
  const shape = shapeOf(record);
  const sections: Section[] = [];
  const contextField = CONTEXT_FIELDS.find((f) => f in record);
  const contextMessages = contextField
    ? readMessages(record[contextField])
    : Array.isArray(record[shape.prompt])
      ? readMessages(record[shape.prompt])
      : typeof record[shape.prompt] === "string"
        ? undefined
        : responsePrefix(record, shape);
  if (contextMessages) for (const m of contextMessages) sections.push({ title: ROLE_TITLES[m.role], text: m.text });
  else sections.push({ title: shape.titles[0], text: typeof record[shape.prompt] === "string" ? (record[shape.prompt] as string) : "" });
  sections.push({ title: shape.titles[1], text: responseText(record[shape.r1]) ?? "" });
  sections.push({ title: shape.titles[2], text: responseText(record[shape.r2]) ?? "" });
  return sections;
}

/** Responses given as whole conversations: the messages before the last one are the context. */
function responsePrefix(record: Json, shape: Shape): { role: ContextRole; text: string }[] | undefined {
  const conversation = readMessages(record[shape.r1]) ?? readMessages(record[shape.r2]);
  return conversation && conversation.length > 1 ? conversation.slice(0, -1) : undefined;
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

/** Where a context message's text goes back: the key its original used. */
function writeMessage(original: unknown, role: ContextRole, text: string, style: "openai" | "sharegpt"): Json {
  const base: Json = isObject(original) ? { ...original } : {};
  const shareGpt = isObject(original) ? !("content" in original) && ("value" in original || "from" in original) : style === "sharegpt";
  const before = readMessage(original);
  if (shareGpt) {
    if (before?.role !== role) base.from = role === "user" ? "human" : role === "assistant" ? "gpt" : "system";
    base.value = text;
  } else {
    if (before?.role !== role) base.role = role;
    base.content = text;
  }
  return base;
}

function writeMessages(original: unknown, messages: { role: ContextRole; text: string }[]): Json[] {
  const list = Array.isArray(original) ? original : [];
  const style = list.some((m) => isObject(m) && "from" in m) ? "sharegpt" : "openai";
  return messages.map((m, i) => writeMessage(list[i], m.role, m.text, style));
}

const sameMessages = (a: { role: ContextRole; text: string }[] | undefined, b: { role: ContextRole; text: string }[]) =>
  a !== undefined && a.length === b.length && a.every((m, i) => m.role === b[i].role && m.text === b[i].text);

/**
 * The record with the cell's edits merged in. `original` is the line's object as it was read
 * (or {} for a new cell); fields the cell does not show are kept, and a field is rewritten
 * only when its text changed, so an unedited cell gives back the same object.
 */
export function mergeCell(original: Json, text: string): Json {
  const record: Json = { ...original };
  const sections = parseCell(text);
  const titles = new Set(sections.map((s) => s.title));
  // The shape comes from the record; a new cell takes it from the titles the user typed.
  const shape =
    Object.keys(original).length > 0 && SHAPES.some((s) => s.r1 in original || s.r2 in original)
      ? shapeOf(original)
      : (SHAPES.find((s) => titles.has(s.titles[1]) || titles.has(s.titles[2])) ?? SHAPES[0]);
  const find = (title: string) => sections.find((s) => s.title === title)?.text;

  const messages = sections.filter((s) => TITLE_ROLES.has(s.title)).map((s) => ({ role: TITLE_ROLES.get(s.title)!, text: s.text }));
  const promptText = find(shape.titles[0]) ?? find("Prompt") ?? find("Question");
  const contextField = CONTEXT_FIELDS.find((f) => f in original);
  const responsesAreConversations = !contextField && !(shape.prompt in original) && responsePrefix(original, shape) !== undefined;

  if (messages.length > 0) {
    if (responsesAreConversations) {
      if (!sameMessages(responsePrefix(original, shape), messages))
        for (const field of [shape.r1, shape.r2]) {
          const list = original[field];
          if (Array.isArray(list)) record[field] = [...writeMessages(list.slice(0, -1), messages), list[list.length - 1]];
        }
    } else {
      const field = contextField ?? (Array.isArray(original[shape.prompt]) ? shape.prompt : "messages");
      if (!sameMessages(readMessages(original[field]), messages)) record[field] = writeMessages(original[field], messages);
    }
  } else if (promptText !== undefined) {
    // A context turned back into one prompt: the message list it replaces goes.
    for (const f of CONTEXT_FIELDS) delete record[f];
    if (original[shape.prompt] !== promptText) record[shape.prompt] = promptText;
  }

  for (const [field, title] of [
    [shape.r1, shape.titles[1]],
    [shape.r2, shape.titles[2]],
  ] as const) {
    const edited = find(title);
    if (edited === undefined) continue;
    // A conversation keeps its (possibly just rewritten) context and gets the new last message.
    const current = record[field];
    if (Array.isArray(current) && current.length > 0) {
      const last = readMessage(current[current.length - 1]);
      if (last?.text !== edited) record[field] = [...current.slice(0, -1), writeMessage(current[current.length - 1], last?.role ?? "assistant", edited, "openai")];
    } else if (current !== edited) record[field] = edited;
  }
  return record;
}

/** What a cell calls its two responses ("Response 1", "Chosen", "Response A"): outputs use the same words. */
export function responseTitles(text: string): [string, string] {
  const titles = new Set(parseCell(text).map((s) => s.title));
  const shape = SHAPES.find((s) => titles.has(s.titles[1]) || titles.has(s.titles[2])) ?? SHAPES[0];
  return [shape.titles[1], shape.titles[2]];
}
