// One JSON record -> the two responses to compare and their context, for the record shapes
// people already have: plain pairs, preference data (chosen/rejected), arena-style
// question/response_a/response_b, and chat-style message arrays. Used by the dataset reader,
// the notebook and "Compare Responses" on a JSON document.

import type { ChatMessage, Pair } from "./judgment";

export interface PairRecord {
  /** The context: a prompt, or a conversation. */
  prompt: Pair["prompt"];
  /** The two responses in the record's own order (for preference data: chosen, rejected). */
  responses: [string, string];
  /** Which response the data says is better (1 or 2 in the record's order), if it says. */
  label: 1 | 2 | null;
  /** Preference data: responses[0] is "chosen". The reader decides the order shown to the judge. */
  preference: boolean;
  id?: string;
}

export type RecordResult = { ok: true; record: PairRecord } | { ok: false; reason: string };

const SHAPES = "prompt/response1/response2, prompt/chosen/rejected or question/response_a/response_b (optionally with messages or conversations as context)";

type Json = Record<string, unknown>;

/** Fields whose presence makes a line a pair (possibly an incomplete one). */
export const PAIR_FIELDS = ["prompt", "question", "response1", "response2", "chosen", "rejected", "response_a", "response_b", "messages", "conversations", "conversation"] as const;
/** Every field a record consumes; the others are the caller's own, carried along untouched. */
export const RECORD_FIELDS: ReadonlySet<string> = new Set([...PAIR_FIELDS, "id", "label", "winner", "preferred"]);

/**
 * A pair file opened as a BR-RM notebook keeps each pair's judgment in the line under this key,
 * and a Markdown cell as a line holding only NOTE_FIELD: readers of pair files skip both.
 */
export const RESULT_FIELD = "brrm";
export const NOTE_FIELD = "brrm_markdown";

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const ROLE_ALIASES: Record<string, ChatMessage["role"]> = {
  user: "user",
  human: "user",
  assistant: "assistant",
  gpt: "assistant",
  bot: "assistant",
  model: "assistant",
  system: "system",
};

/** `[{role, content}]` (OpenAI) or `[{from, value}]` (ShareGPT) -> messages, or an error. */
function toMessages(field: string, value: unknown): ChatMessage[] | string {
  if (!Array.isArray(value) || value.length === 0) return `"${field}" must be a non-empty array of messages`;
  const out: ChatMessage[] = [];
  for (const [i, m] of value.entries()) {
    if (!isObject(m)) return `"${field}[${i}]" is not a message object`;
    const role = ROLE_ALIASES[String(m.role ?? m.from ?? "").toLowerCase()];
    const content = m.content ?? m.value;
    if (!role) return `"${field}[${i}]" has no known role (user, assistant, system; or from: human, gpt)`;
    if (typeof content !== "string") return `"${field}[${i}]" has no text content`;
    out.push({ role, content });
  }
  return out;
}

/**
 * A response is text, or a conversation whose last assistant message is the response (the
 * messages before it are the context).
 */
function toResponse(field: string, value: unknown): { text: string; context?: ChatMessage[] } | string {
  if (typeof value === "string") return value.trim() ? { text: value } : `"${field}" is empty`;
  if (Array.isArray(value)) {
    const messages = toMessages(field, value);
    if (typeof messages === "string") return messages;
    const last = messages[messages.length - 1];
    if (last.role !== "assistant") return `"${field}" must end with an assistant message`;
    if (!last.content.trim()) return `"${field}" ends with an empty assistant message`;
    return { text: last.content, context: messages.slice(0, -1) };
  }
  if (value === undefined || value === null) return `missing "${field}"`;
  return `"${field}" must be text, got ${Array.isArray(value) ? "an array" : typeof value}`;
}

function toLabel(record: Json, preference: boolean): 1 | 2 | null | string {
  if (preference) return 1;
  const v = record.label ?? record.winner ?? record.preferred;
  if (v === undefined || v === null) return null;
  const s = String(v).toLowerCase().replace(/^(response|model)[ _]?/, "");
  if (s === "1" || s === "a") return 1;
  if (s === "2" || s === "b") return 2;
  return `"label" must be 1 or 2, got ${JSON.stringify(v)}`;
}

const FIELD_SETS = [
  { prompt: "prompt", r1: "response1", r2: "response2", preference: false },
  { prompt: "prompt", r1: "chosen", r2: "rejected", preference: true },
  { prompt: "question", r1: "response_a", r2: "response_b", preference: false },
  { prompt: "prompt", r1: "response_a", r2: "response_b", preference: false },
] as const;

export function pairFromRecord(value: unknown): RecordResult {
  if (!isObject(value)) return { ok: false, reason: `expected a JSON object with ${SHAPES}` };
  const shape = FIELD_SETS.find((s) => s.r1 in value || s.r2 in value) ?? FIELD_SETS[0];
  const r1 = toResponse(shape.r1, value[shape.r1]);
  if (typeof r1 === "string") return { ok: false, reason: withShapes(r1) };
  const r2 = toResponse(shape.r2, value[shape.r2]);
  if (typeof r2 === "string") return { ok: false, reason: withShapes(r2) };

  let prompt: Pair["prompt"] | undefined;
  const contextField = ["messages", "conversations", "conversation"].find((f) => f in value);
  if (contextField) {
    const messages = toMessages(contextField, value[contextField]);
    if (typeof messages === "string") return { ok: false, reason: messages };
    prompt = messages;
  } else if (typeof value[shape.prompt] === "string") {
    prompt = value[shape.prompt] as string;
  } else if (Array.isArray(value[shape.prompt])) {
    const messages = toMessages(shape.prompt, value[shape.prompt]);
    if (typeof messages === "string") return { ok: false, reason: messages };
    prompt = messages;
  } else {
    prompt = r1.context ?? r2.context;
  }
  if (prompt === undefined) return { ok: false, reason: withShapes(`missing "${shape.prompt}"`) };
  if (typeof prompt === "string" ? !prompt.trim() : prompt.length === 0) return { ok: false, reason: `"${shape.prompt}" is empty` };

  const label = toLabel(value, shape.preference);
  if (typeof label === "string") return { ok: false, reason: label };
  const id = value.id;
  return {
    ok: true,
    record: {
      prompt,
      responses: [r1.text, r2.text],
      label,
      preference: shape.preference,
      ...(typeof id === "string" || typeof id === "number" ? { id: String(id) } : {}),
    },
  };
}

function withShapes(reason: string): string {
  return `${reason} (records need ${SHAPES})`;
}
