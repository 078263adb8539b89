// One JSON record -> the two responses to compare and their context, for the shapes public
// preference data is published in, detected per record:
//
//   prompt/response1/response2           plain pairs; HelpSteer3 adds `context` (a message
//                                        list) and `overall_preference` (-3..3, 0 a tie)
//   prompt/chosen/rejected               preference data (RewardBench, UltraFeedback, Skywork,
//                                        Tulu, HH-RLHF): texts, conversations or transcripts
//   question|prompt/response_a/response_b  arena-style, with `winner`
//   prompt/response_0/response_1         PKU-SafeRLHF, `better_response_id` 0/1
//   conversation_a/conversation_b        Chatbot Arena, MT-Bench, with `winner`
//
// When both responses are conversations (or HH-RLHF transcripts, parsed into turns), one rule
// applies: the context is the longest common prefix of the two, and each response is the rest
// of its own list. Nothing that belongs to a response may reach the context: a `messages`
// field that repeats one side is not context, and a prompt must agree with the shared turns.
// Used by the dataset reader, the notebook and "Compare Responses" on a JSON document.

import type { ChatMessage, Pair } from "./judgment";
import { formatContext } from "./prompts";

/** Which response the data says is better, in the record's order, or a tie. */
export type Label = 1 | 2 | "tie";

export interface PairRecord {
  /** The context: a prompt, or a conversation. */
  prompt: Pair["prompt"];
  /** The two responses in the record's own order (for preference data: chosen, rejected). */
  responses: [string, string];
  /** Which response the data says is better (1 or 2 in the record's order, or a tie), if it says. */
  label: Label | null;
  /** Preference data: responses[0] is "chosen". The reader decides the order shown to the judge. */
  preference: boolean;
  id?: string;
}

/** Where each part of a pair is kept in its record, so an editor can write changes back into the same shape. */
export interface RecordLayout {
  /** The fields holding the two responses, in the record's order. */
  fields: [string, string];
  /**
   * How the responses are stored: plain `text`; `conversation` message lists (or `transcript`
   * strings, HH-RLHF's) whose first `shared` turns are the context and the rest the response.
   * With `shared` 0 the context comes from `contextField`.
   */
  responses: "text" | "conversation" | "transcript";
  shared: number;
  /** The field the context was read from, when not from the shared turns. */
  contextField?: string;
}

export type RecordResult = { ok: true; record: PairRecord; layout: RecordLayout } | { ok: false; reason: string };

/** The canonical parts of a pair that `--map` can point at other field names. */
export const CANONICAL_FIELDS = ["prompt", "response1", "response2", "label", "id"] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];
/** Canonical part -> the field of the user's records that holds it. */
export type FieldMap = Partial<Record<CanonicalField, string>>;

interface Shape {
  r1: string;
  r2: string;
  preference: boolean;
  /** Labels name the responses 0 and 1 (PKU-SafeRLHF). */
  zeroBased?: boolean;
}

/** Response fields of each shape, in the order they are tried. */
export const SHAPES: readonly Shape[] = [
  { r1: "response1", r2: "response2", preference: false },
  { r1: "chosen", r2: "rejected", preference: true },
  { r1: "response_a", r2: "response_b", preference: false },
  { r1: "response_0", r2: "response_1", preference: false, zeroBased: true },
  { r1: "conversation_a", r2: "conversation_b", preference: false },
];

/** Fields that hold a conversation as context, tried before a plain prompt. */
export const CONTEXT_FIELDS = ["messages", "conversations", "conversation", "context"] as const;
const PROMPT_FIELDS = ["prompt", "question"] as const;
const LABEL_FIELDS = ["label", "winner", "preferred", "overall_preference", "better_response_id"] as const;

const SHAPES_TEXT =
  "prompt/response1/response2, prompt/chosen/rejected, question/response_a/response_b, prompt/response_0/response_1 or conversation_a/conversation_b (optionally with messages, conversations or context as the conversation); other names can be mapped with --map";

/** Fields whose presence makes a line a pair (possibly an incomplete one). */
export const PAIR_FIELDS: readonly string[] = [...new Set([...PROMPT_FIELDS, ...SHAPES.flatMap((s) => [s.r1, s.r2]), ...CONTEXT_FIELDS])];
/** Every field a record shape consumes; the others are the caller's own, carried along untouched. */
const RECORD_FIELDS: ReadonlySet<string> = new Set([...PAIR_FIELDS, "id", ...LABEL_FIELDS]);

/**
 * A pair file opened as a BR-RM notebook keeps each pair's judgment in the line under this key,
 * and a Markdown cell as a line holding only NOTE_FIELD: readers of pair files skip both.
 */
export const RESULT_FIELD = "brrm";
export const NOTE_FIELD = "brrm_markdown";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

const ROLE_ALIASES: Record<string, ChatMessage["role"]> = {
  user: "user",
  human: "user",
  assistant: "assistant",
  gpt: "assistant",
  bot: "assistant",
  model: "assistant",
  system: "system",
};

/** A message's role and text: `{role, content}` (OpenAI) or `{from, value}` (ShareGPT). */
export function readMessage(m: unknown): ChatMessage | undefined {
  if (!isObject(m)) return undefined;
  const role = ROLE_ALIASES[String(m.role ?? m.from ?? "").toLowerCase()];
  const content = m.content ?? m.value;
  return role && typeof content === "string" ? { role, content } : undefined;
}

/** `[{role, content}]` or `[{from, value}]` -> messages, or why not. */
function toMessages(field: string, value: unknown): ChatMessage[] | string {
  if (!Array.isArray(value) || value.length === 0) return `"${field}" must be a non-empty array of messages`;
  const out: ChatMessage[] = [];
  for (const [i, m] of value.entries()) {
    if (!isObject(m)) return `"${field}[${i}]" is not a message object`;
    const message = readMessage(m);
    if (!message) {
      if (!ROLE_ALIASES[String(m.role ?? m.from ?? "").toLowerCase()]) return `"${field}[${i}]" has no known role (user, assistant, system; or from: human, gpt)`;
      return `"${field}[${i}]" has no text content`;
    }
    out.push(message);
  }
  return out;
}

// ---------------------------------------------------------------- HH-RLHF transcripts

const TURN = /(?:^|\n\n)(Human|Assistant):[ ]?/g;

/**
 * An HH-RLHF transcript (`\n\nHuman: ...\n\nAssistant: ...`) as turns, or undefined when the
 * text is not one. Turn texts are kept exactly, so writing them back gives the same string.
 */
export function parseTranscript(text: string): ChatMessage[] | undefined {
  const marks = [...text.matchAll(TURN)];
  if (marks.length < 2 || marks[0].index !== 0 || marks[0][1] !== "Human") return undefined;
  return marks.map((m, i) => ({
    role: m[1] === "Human" ? "user" : "assistant",
    content: text.slice(m.index + m[0].length, i + 1 < marks.length ? marks[i + 1].index : text.length),
  }));
}

/** Turns written back as a transcript, the way HH-RLHF writes them. */
export function writeTranscript(messages: ChatMessage[]): string {
  return messages.map((m) => `\n\n${m.role === "user" ? "Human" : "Assistant"}: ${m.content}`).join("");
}

// ---------------------------------------------------------------- labels

/**
 * A label in the record's terms. `overall_preference` (HelpSteer3) is a signed strength: < 0
 * response 1, > 0 response 2, 0 a tie. `*_response_id` fields and PKU-style responses count
 * from 0. Otherwise 1/2, a/b, model_a/model_b, response_a/response_b, response1/response2, and
 * tie, "tie (bothbad)" or 0 for a tie.
 */
function readLabel(record: Json, shape: Shape, map: FieldMap): Label | null | { error: string } {
  if (shape.preference) return 1;
  const field = map.label ?? LABEL_FIELDS.find((f) => present(record[f]));
  if (field === undefined || !present(record[field])) return null;
  const v = record[field];
  if (field === "overall_preference") {
    if (typeof v !== "number" || !Number.isFinite(v)) return { error: `"overall_preference" must be a number from -3 to 3, got ${JSON.stringify(v)}` };
    return v < 0 ? 1 : v > 0 ? 2 : "tie";
  }
  if (typeof v !== "string" && typeof v !== "number") return { error: `"${field}" must be a label (1 or 2, a or b, tie), got ${JSON.stringify(v)}` };
  const s = String(v).trim().toLowerCase();
  if (/^tie\b/.test(s)) return "tie";
  if (shape.zeroBased || field.endsWith("response_id")) {
    if (s === "0" || s === "response_0") return 1;
    if (s === "1" || s === "response_1") return 2;
    return { error: `"${field}" must be 0 or 1 (which response is better), got ${JSON.stringify(v)}` };
  }
  if (s === "0") return "tie";
  const t = s.replace(/^(response|model)[ _]?/, "");
  if (t === "1" || t === "a") return 1;
  if (t === "2" || t === "b") return 2;
  return { error: `"${field}" must be 1 or 2 (or a/b, model_a/model_b, response1/response2, tie), got ${JSON.stringify(v)}` };
}

// ---------------------------------------------------------------- responses and context

type Side = { kind: "text"; text: string } | { kind: "messages"; messages: ChatMessage[] };

function readSide(field: string, value: unknown): Side | string {
  if (typeof value === "string") return value.trim() ? { kind: "text", text: value } : `"${field}" is empty`;
  if (Array.isArray(value)) {
    const messages = toMessages(field, value);
    return typeof messages === "string" ? messages : { kind: "messages", messages };
  }
  if (!present(value)) return `missing "${field}"`;
  return `"${field}" must be text or a list of messages, got ${typeof value}`;
}

const sameMessage = (a: ChatMessage, b: ChatMessage) => a.role === b.role && a.content === b.content;

function commonPrefix(a: ChatMessage[], b: ChatMessage[]): number {
  let n = 0;
  while (n < a.length && n < b.length && sameMessage(a[n], b[n])) n++;
  return n;
}

const startsWith = (list: ChatMessage[], prefix: ChatMessage[]) => prefix.length <= list.length && prefix.every((m, i) => sameMessage(m, list[i]));

/** A response given as the turns after the shared context: the final answer's text, or the turns as User:/Assistant: lines. */
function restText(field: string, rest: ChatMessage[]): string | { error: string } {
  if (rest.length === 0) return { error: `"${field}" has nothing after the turns both responses share` };
  const last = rest[rest.length - 1];
  if (last.role === "assistant" && !last.content.trim()) return { error: `"${field}" ends with an empty assistant message` };
  return rest.length === 1 && last.role === "assistant" ? last.content : formatContext(rest);
}

const TURN_LINE = /^(User|Assistant|System): ?/;
const LINE_ROLES: Record<string, ChatMessage["role"]> = { User: "user", Assistant: "assistant", System: "system" };

/**
 * Turns written as User:/Assistant: lines (how a response of several turns is shown) read back
 * into messages; undefined when the text does not start with such a line.
 */
export function turnsFromLines(text: string): ChatMessage[] | undefined {
  const out: ChatMessage[] = [];
  for (const line of text.split("\n")) {
    const m = TURN_LINE.exec(line);
    if (m) out.push({ role: LINE_ROLES[m[1]], content: line.slice(m[0].length) });
    else if (out.length === 0) return undefined;
    else out[out.length - 1].content += `\n${line}`;
  }
  return out;
}

/** A context candidate as messages or text; a transcript prompt ("Human: ... Assistant:") as its turns. */
function readContext(field: string, value: unknown): ChatMessage[] | string | { error: string } {
  if (typeof value === "string") {
    const turns = parseTranscript(value);
    if (turns) {
      const last = turns[turns.length - 1];
      return last.role === "assistant" && !last.content.trim() ? turns.slice(0, -1) : turns;
    }
    return value;
  }
  if (Array.isArray(value)) {
    const messages = toMessages(field, value);
    return typeof messages === "string" ? { error: messages } : messages;
  }
  return { error: `"${field}" must be text or a list of messages, got ${typeof value}` };
}

const isError = (c: ChatMessage[] | string | { error: string }): c is { error: string } => typeof c === "object" && !Array.isArray(c);
const isEmptyContext = (c: ChatMessage[] | string) => (typeof c === "string" ? !c.trim() : c.length === 0);

type Read = { responses: [string, string]; prompt?: Pair["prompt"]; shared: number; contextField?: string } | { error: string };

/** Both responses are conversations: the shared turns are the context, the rest of each list its response. */
function fromConversations(value: Json, shape: Shape, a: ChatMessage[], b: ChatMessage[], candidates: string[]): Read {
  const shared = commonPrefix(a, b);
  if (shared === a.length && shared === b.length) return { error: `"${shape.r1}" and "${shape.r2}" are the same conversation` };
  const ra = restText(shape.r1, a.slice(shared));
  if (typeof ra !== "string") return ra;
  const rb = restText(shape.r2, b.slice(shared));
  if (typeof rb !== "string") return rb;
  if (shared === 0) return { responses: [ra, rb], shared };
  const prompt = a.slice(0, shared);
  // Other context fields may only restate the shared turns (or one whole side, as
  // UltraFeedback's `messages` does); anything else would make the context ambiguous.
  for (const f of candidates) {
    const c = readContext(f, value[f]);
    if (isError(c) || !agrees(c, prompt, a, b))
      return { error: `"${f}" does not match the turns "${shape.r1}" and "${shape.r2}" share, so the context is ambiguous; fix the record, or name the fields with --map` };
  }
  return { responses: [ra, rb], prompt, shared };
}

/** Texts, or one conversation and one text: a conversation's last answer is its response and its turns before that the context. */
function fromTexts(shape: Shape, a: Side, b: Side): Read {
  let prompt: ChatMessage[] | undefined;
  let contextField: string | undefined;
  for (const [side, field] of [[a, shape.r1], [b, shape.r2]] as const) {
    if (side.kind !== "messages") continue;
    const last = side.messages[side.messages.length - 1];
    if (last.role !== "assistant") return { error: `"${field}" must end with an assistant message` };
    if (!last.content.trim()) return { error: `"${field}" ends with an empty assistant message` };
    if (side.messages.length > 1) {
      prompt = side.messages.slice(0, -1);
      contextField = field;
    }
  }
  const text = (side: Side) => (side.kind === "text" ? side.text : side.messages[side.messages.length - 1].content);
  return { responses: [text(a), text(b)], shared: 0, ...(prompt ? { prompt, contextField } : {}) };
}

export function pairFromRecord(value: unknown, map: FieldMap = {}): RecordResult {
  if (!isObject(value)) return { ok: false, reason: `expected a JSON object with ${SHAPES_TEXT}` };
  if ((map.response1 === undefined) !== (map.response2 === undefined)) return { ok: false, reason: "map both response1 and response2, or neither" };
  const shape: Shape =
    map.response1 !== undefined && map.response2 !== undefined
      ? { r1: map.response1, r2: map.response2, preference: false }
      : (SHAPES.find((s) => s.r1 in value || s.r2 in value) ?? SHAPES[0]);
  const a = readSide(shape.r1, value[shape.r1]);
  if (typeof a === "string") return { ok: false, reason: withShapes(a) };
  const b = readSide(shape.r2, value[shape.r2]);
  if (typeof b === "string") return { ok: false, reason: withShapes(b) };

  // HH-RLHF: both responses are transcripts of the whole conversation, read as its turns.
  const ta = a.kind === "text" ? parseTranscript(a.text) : undefined;
  const tb = b.kind === "text" ? parseTranscript(b.text) : undefined;
  const transcript = ta !== undefined && tb !== undefined;
  const [sideA, sideB]: Side[] = transcript ? [{ kind: "messages", messages: ta }, { kind: "messages", messages: tb }] : [a, b];

  const candidates = map.prompt !== undefined ? [map.prompt] : contextCandidates(value);
  const read = sideA.kind === "messages" && sideB.kind === "messages" ? fromConversations(value, shape, sideA.messages, sideB.messages, candidates) : fromTexts(shape, sideA, sideB);
  if ("error" in read) return { ok: false, reason: read.error };
  const { responses, shared } = read;
  let { prompt, contextField } = read;

  if (prompt === undefined) {
    const found = contextFrom(value, candidates, responses);
    if ("error" in found) return { ok: false, reason: found.error };
    prompt = found.context;
    contextField = found.field;
  }

  const label = readLabel(value, shape, map);
  if (label !== null && typeof label === "object") return { ok: false, reason: label.error };
  const id = value[map.id ?? "id"];
  return {
    ok: true,
    record: { prompt, responses, label, preference: shape.preference, ...(typeof id === "string" || typeof id === "number" ? { id: String(id) } : {}) },
    layout: { fields: [shape.r1, shape.r2], responses: transcript ? "transcript" : sideA.kind === "messages" && sideB.kind === "messages" ? "conversation" : "text", shared, ...(contextField ? { contextField } : {}) },
  };
}

/**
 * The fields that may hold the context, in the order they are tried: conversations first, then
 * a prompt. A conversation field holds a list; a `context` that is text (a passage, in
 * retrieval data) is not the conversation and is carried like any other field.
 */
function contextCandidates(value: Json): string[] {
  return [...CONTEXT_FIELDS.filter((f) => Array.isArray(value[f])), ...PROMPT_FIELDS.filter((f) => present(value[f]))];
}

const consumes = (field: string, v: unknown) => RECORD_FIELDS.has(field) && !(field === "context" && !Array.isArray(v));

/** Whether a context field restates the shared turns `prefix` (a prompt: one of its user turns; a list: a start of either side). */
function agrees(c: ChatMessage[] | string, prefix: ChatMessage[], a: ChatMessage[], b: ChatMessage[]): boolean {
  if (typeof c === "string") return prefix.some((m) => m.role === "user" && m.content.trim() === c.trim());
  return startsWith(a, c) || startsWith(b, c);
}

/**
 * The context from the first field that holds one. A message list whose last message is an
 * assistant turn equal to one of the responses repeats that side: the turn is not context.
 */
function contextFrom(value: Json, candidates: string[], responses: [string, string]): { context: Pair["prompt"]; field: string } | { error: string } {
  for (const field of candidates) {
    if (!present(value[field])) return { error: withShapes(`missing "${field}"`) };
    const c = readContext(field, value[field]);
    if (isError(c)) return c;
    let context = c;
    const last = Array.isArray(context) ? context[context.length - 1] : undefined;
    if (Array.isArray(context) && last?.role === "assistant" && responses.some((r) => r.trim() === last.content.trim())) context = context.slice(0, -1);
    if (!isEmptyContext(context)) return { context, field };
    if (field === candidates[candidates.length - 1]) return { error: `"${field}" is empty` };
  }
  return { error: withShapes(`missing "prompt"`) };
}

function withShapes(reason: string): string {
  return `${reason} (records need ${SHAPES_TEXT})`;
}

/** The record's own fields that no part of the pair consumed: carried into results untouched. */
export function carriedFields(value: Json, map: FieldMap = {}): Json {
  const mapped = new Set(Object.values(map));
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (!consumes(k, v) && !mapped.has(k) && k !== RESULT_FIELD) out[k] = v;
  return out;
}

/** `prompt=question,response1=answer_a` -> a FieldMap, or why not. */
export function parseFieldMap(text: string): FieldMap | string {
  const map: FieldMap = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim();
    const field = part.slice(eq + 1).trim();
    if (eq <= 0 || !field) return `"${part}" is not canonical=field (for example prompt=question)`;
    if (!(CANONICAL_FIELDS as readonly string[]).includes(key)) return `"${key}" cannot be mapped; map any of ${CANONICAL_FIELDS.join(", ")}`;
    if (key in map) return `"${key}" is mapped twice`;
    map[key as CanonicalField] = field;
  }
  if (Object.keys(map).length === 0) return "give at least one canonical=field pair (for example prompt=question)";
  if ((map.response1 === undefined) !== (map.response2 === undefined)) return "map both response1 and response2, or neither";
  return map;
}
