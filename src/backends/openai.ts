// The remote backend: BR-RM behind any OpenAI-compatible chat-completions endpoint (vLLM,
// SGLang, llama-server, Ollama, NIM, ...) through the `openai` package. The two turns are one
// conversation: turn 2 re-sends turn 1's user message and the model's turn-1 answer (without its
// thinking, as chat templates expect) before the turn-2 prompt. The package is loaded on first
// use, so that nothing of it runs for the local backend or at extension activation.

import type OpenAI from "openai";
import type { APIError } from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ChunkKind, Conversation, JudgeBackend, TurnRequest, TurnResult } from "../core/backend";
import { BrrmError, CancelledError } from "../core/errors";
import type { TurnUsage } from "../core/judgment";
import { splitThinking } from "../core/parse";
import {
  connectionError,
  displayEndpoint,
  isTransientConnectionError,
  redactor,
  statusError,
  streamCutError,
  streamNotJsonError,
  timeoutError,
  withOpenAIErrorBodies,
  type ErrorContext,
} from "./openaiErrors";
import { linkedSignal } from "./linkedSignal";
import { EndpointAnswerError, unreadableEvent, withApiAnswers } from "./openaiResponses";
import { InlineThinkSplitter } from "./thinkStream";

export interface OpenAIBackendOptions {
  /** The API's base URL, usually ending in /v1 (http://127.0.0.1:8080/v1). */
  baseURL: string;
  /** The model name the server knows; when left out, the server's only model is used. */
  model?: string;
  /** Sent as a bearer token. Never printed, logged or stored. */
  apiKey?: string;
  /** Where the key comes from, named in "key missing or wrong" messages. */
  keySource?: string;
  /**
   * How long to wait for the server: for the first byte of a turn and then between streamed
   * chunks; without streaming, for the whole turn. Default 10 minutes.
   */
  timeoutMs?: number;
  /** Retries of a request that failed with 408/429/5xx or a dropped connection. Default 2. */
  retries?: number;
  /** Fields merged into every request body (they win over the sampling fields). */
  extraBody?: Record<string, unknown>;
  /** Stream tokens as they come (default true). */
  stream?: boolean;
  /** Problems that do not stop the comparison (a server that ignores the grammar). */
  onWarning?: (message: string) => void;
  /** The server's own timings of each turn, where it reports them (llama-server). */
  onServerTimings?: (timings: ServerTimings) => void;
  /** Cancels finding the model when none was given. */
  signal?: AbortSignal;
}

/** llama-server's `timings` object, renamed. */
export interface ServerTimings {
  /** Prompt tokens evaluated (not served from the cache), and how long that took. */
  promptTokens: number;
  promptMs: number;
  cachedTokens: number;
  generatedTokens: number;
  generationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_RETRIES = 2;
/** A Retry-After longer than this is reported instead of waited out: a person should decide. */
const MAX_RETRY_AFTER_MS = 60_000;
/** Fields the backend owns: changing them would break the two-turn conversation or streaming. */
const RESERVED_FIELDS = ["messages", "model", "stream", "n"] as const;

/** Why `extra` cannot be merged into the request, or undefined when it can. */
export function extraBodyProblem(extra: unknown): string | undefined {
  if (typeof extra !== "object" || extra === null || Array.isArray(extra)) return "the extra request fields must be a JSON object";
  const reserved = RESERVED_FIELDS.filter((f) => f in extra);
  if (reserved.length > 0) return `the extra request fields may not set ${reserved.join(", ")} (BR-RM Judge sets them itself)`;
  return undefined;
}

type OpenAIModule = typeof import("openai");
// A plain require, at first use: esbuild bundles the package (a machine with only dist/ has no
// node_modules), and loading it lazily keeps it out of startup for the local backend.
const loadOpenAI = async (): Promise<OpenAIModule> => require("openai") as OpenAIModule;

function abortableSleep(ms: number, signals: (AbortSignal | undefined)[]): Promise<void> {
  const stop = linkedSignal(signals);
  return new Promise<void>((resolve, reject) => {
    if (stop.signal.aborted) return reject(new CancelledError());
    const timer = setTimeout(resolve, ms);
    stop.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new CancelledError());
    });
  }).finally(stop.dispose);
}

/** A timer that aborts a request when the server is silent for too long; restarted per chunk. */
class Deadline {
  readonly controller = new AbortController();
  fired = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {
    this.restart();
  }

  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** How long the server asks us to wait (Retry-After-Ms, Retry-After in seconds or as a date). */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get("retry-after-ms"));
  if (headers?.get("retry-after-ms") && Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ... at most 8 s. */
function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}

function mapStopReason(finish: string | null | undefined): string {
  if (finish === "stop") return "eos";
  if (finish === "length") return "maxTokens";
  return finish ?? "unknown";
}

/** The GBNF escapes our grammars use (\n, \\, \", \[ ...). */
function unescapeGbnf(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

/**
 * The literal text a grammar forces at the start of the answer: the first string literal of the
 * `root ::=` rule, after any leading rule references (our grammars start with an optional
 * `<think>` block, which servers move out of the content).
 */
export function forcedOpening(grammar: string): string | undefined {
  const root = /^root\s*::=\s*(.*)$/m.exec(grammar);
  const literal = root && /^(?:[A-Za-z][\w-]*[?*+]?\s+)*"((?:[^"\\]|\\.)*)"/.exec(root[1]);
  return literal ? unescapeGbnf(literal[1]) : undefined;
}

/**
 * How we tell that a server ignored the `grammar` field. Servers that do not know the field
 * mostly drop it silently (vLLM logs and ignores unknown fields; others never look), so the
 * request succeeds and only the output can tell. A server that honours the grammar can only
 * produce text that starts with the grammar's forced opening (after the thinking); output cut
 * short by max tokens is a prefix of it. Anything else means the grammar was not applied. A
 * well-trained model that happens to follow the format anyway is not flagged, which is harmless:
 * its output parses.
 */
export function ignoredGrammar(grammar: string, content: string): boolean {
  const opening = forcedOpening(grammar);
  if (opening === undefined) return false;
  const { answer, unterminated } = splitThinking(content);
  if (unterminated) return false;
  return !(answer.startsWith(opening) || opening.startsWith(answer));
}

interface RawTurn {
  thought: string;
  content: string;
  usage: Omit<TurnUsage, "ms">;
}

export class OpenAIBackend implements JudgeBackend {
  readonly kind = "openai";
  private readonly endpoint: string;
  private readonly redact: (text: string) => string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly stream: boolean;
  private readonly extraBody: Record<string, unknown>;
  private readonly lifetime = new AbortController();
  private grammarWarned = false;

  private constructor(
    private readonly client: OpenAI,
    private readonly lib: OpenAIModule,
    readonly modelName: string,
    private readonly opts: OpenAIBackendOptions,
  ) {
    this.endpoint = displayEndpoint(opts.baseURL);
    this.redact = redactor(opts.apiKey);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.stream = opts.stream ?? true;
    this.extraBody = opts.extraBody ?? {};
  }

  static async create(opts: OpenAIBackendOptions): Promise<OpenAIBackend> {
    let url: URL;
    try {
      url = new URL(opts.baseURL);
    } catch {
      throw new BrrmError("ENDPOINT_INVALID", `"${redactor(opts.apiKey)(opts.baseURL)}" is not a URL. Give the endpoint as http(s)://host:port/v1.`);
    }
    if (url.username || url.password)
      throw new BrrmError("ENDPOINT_INVALID", `The endpoint URL ${displayEndpoint(opts.baseURL)} holds a user name or password, which is not sent that way: remove it and give the key as the API key.`);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new BrrmError("ENDPOINT_INVALID", `The endpoint must be an http:// or https:// URL, got ${url.protocol}. Give it as http(s)://host:port/v1.`);
    const extraProblem = opts.extraBody === undefined ? undefined : extraBodyProblem(opts.extraBody);
    if (extraProblem) throw new BrrmError("CONFIG_INVALID", `Invalid extra request fields: ${extraProblem}.`);
    const lib = await loadOpenAI();
    const client = makeClient(lib, opts);
    let model = opts.model?.trim();
    if (!model) {
      const models = await listModelsWith(client, lib, opts);
      if (models.length !== 1)
        throw new BrrmError(
          "MODEL_REQUIRED",
          models.length === 0
            ? `${displayEndpoint(opts.baseURL)} lists no models. Give the model name explicitly.`
            : `${displayEndpoint(opts.baseURL)} serves ${models.length} models (${models.slice(0, 20).join(", ")}${models.length > 20 ? ", ..." : ""}). Choose one as the model name.`,
        );
      model = models[0];
    }
    return new OpenAIBackend(client, lib, model, opts);
  }

  async startConversation(signal?: AbortSignal): Promise<Conversation> {
    if (this.lifetime.signal.aborted) throw new BrrmError("BACKEND_DISPOSED", "The endpoint connection was closed. Start the comparison again.");
    if (signal?.aborted) throw new CancelledError();
    return new OpenAIConversation(this);
  }

  async dispose(): Promise<void> {
    this.lifetime.abort();
  }

  /** @internal One turn of a conversation: the request, its retries, and the result. */
  async runTurn(history: ChatCompletionMessageParam[], conversationStop: AbortSignal, req: TurnRequest): Promise<TurnResult> {
    // Disposing the backend ends the turns still running on it, as unloading a local model does.
    const stop = linkedSignal([conversationStop, this.lifetime.signal]);
    const started = performance.now();
    const body: Record<string, unknown> = {
      model: this.modelName,
      messages: history,
      temperature: req.sampling.temperature,
      top_p: req.sampling.topP,
      max_tokens: req.sampling.maxTokens,
      // top_k is not sent: strict servers (OpenAI itself) reject unknown fields. Users who want
      // it put it in the extra fields.
      ...(req.sampling.seed !== undefined ? { seed: req.sampling.seed } : {}),
      ...(req.grammar ? { grammar: req.grammar } : {}),
      ...this.extraBody,
    };
    let raw: RawTurn;
    try {
      raw = await this.withRetries(body, req, stop.signal);
    } finally {
      stop.dispose();
    }
    const warnings =
      req.grammar && ignoredGrammar(req.grammar, raw.content)
        ? [`${this.endpoint} ignored the \`grammar\` field: constrained mode does not work there, so the output format is not forced and may not parse. Use a server that applies GBNF grammars (llama-server), or turn constrained mode off.`]
        : [];
    if (warnings.length > 0 && !this.grammarWarned) {
      this.grammarWarned = true;
      this.opts.onWarning?.(warnings[0]);
    }
    return { thought: raw.thought, answer: raw.content, usage: { ...raw.usage, ms: performance.now() - started }, warnings };
  }

  private errorContext(retried: number, sentGrammar: boolean): ErrorContext {
    return {
      endpoint: this.endpoint,
      model: this.modelName,
      keySource: this.opts.keySource ?? "the API key setting",
      hasKey: Boolean(this.opts.apiKey),
      sentGrammar,
      retried,
      redact: this.redact,
    };
  }

  private async withRetries(body: Record<string, unknown>, req: TurnRequest, stop: AbortSignal): Promise<RawTurn> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(body, req, stop);
      } catch (e) {
        if (req.signal?.aborted || stop.aborted) throw new CancelledError();
        if (e instanceof BrrmError) throw e;
        const refused = answerRefused(e);
        if (refused) throw refused;
        const ctx = this.errorContext(attempt, "grammar" in body);
        const isStatus = e instanceof this.lib.APIError && e.status !== undefined;
        // A dropped connection is worth another try, whether fetch reported it (APIConnectionError)
        // or the body broke off before the first token (undici's "terminated").
        const retryable = isStatus
          ? [408, 409, 429].includes(e.status as number) || (e.status as number) >= 500
          : !(e instanceof this.lib.APIConnectionTimeoutError) && isTransientConnectionError(e);
        if (retryable && attempt < this.retries) {
          const asked = isStatus ? retryAfterMs((e as APIError).headers) : undefined;
          if (asked === undefined || asked <= MAX_RETRY_AFTER_MS) {
            await abortableSleep(asked ?? backoffMs(attempt), [stop, req.signal]);
            continue;
          }
        }
        throw await this.toBrrmError(e, ctx);
      }
    }
  }

  private async toBrrmError(e: unknown, ctx: ErrorContext): Promise<BrrmError> {
    const { lib } = this;
    if (e instanceof lib.APIConnectionTimeoutError) return timeoutError(this.endpoint, this.timeoutMs, 0, e);
    if (e instanceof lib.APIConnectionError || isTransientConnectionError(e)) return connectionError(e, ctx);
    if (e instanceof lib.APIError && e.status !== undefined) {
      if (e.status === 404) ctx.modelsOnServer = await listModelsWith(this.client, lib, this.opts).catch(() => undefined);
      const err = statusError(e, ctx);
      const wait = retryAfterMs(e.headers);
      if (wait !== undefined && wait > MAX_RETRY_AFTER_MS && (e.status === 429 || e.status >= 500))
        err.message = `${err.message.replace(/\.$/, "")} (the server asks to wait ${Math.round(wait / 1000)} s).`;
      return err;
    }
    if (e instanceof lib.APIError)
      return new BrrmError("SERVER_ERROR", `${this.endpoint} reported an error: ${this.redact(e.message)}. Check the server's log, then try again.`, { cause: e });
    return new BrrmError("ENDPOINT_FAILED", `The request to ${this.endpoint} failed: ${this.redact(e instanceof Error ? e.message : String(e))}.`, { cause: e });
  }

  /** One request; errors from before the answer started are left for withRetries to judge. */
  private async attempt(body: Record<string, unknown>, req: TurnRequest, stop: AbortSignal): Promise<RawTurn> {
    const deadline = new Deadline(this.timeoutMs);
    const linked = linkedSignal([stop, deadline.controller.signal, req.signal]);
    const signal = linked.signal;
    // Our own deadline and retries replace the package's: its retry sleep cannot be cancelled
    // and its timeout does not cover the time between streamed chunks.
    const options = { signal, timeout: Math.ceil(this.timeoutMs) + 1000, maxRetries: 0 };
    const cancelled = () => req.signal?.aborted || stop.aborted;
    let received = 0;
    let response: Response | undefined;
    try {
      if (!this.stream) {
        const completion = await this.client.chat.completions.create({ ...body, stream: false } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, options);
        const choice = completion.choices[0];
        const message = (choice?.message ?? {}) as { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
        const thought = message.reasoning_content ?? message.reasoning ?? "";
        const content = message.content ?? "";
        const usage = usageOf(completion as unknown as UsageCarrier, mapStopReason(choice?.finish_reason), 0, this.opts.onServerTimings);
        emitWhole(req.onChunk, thought, content, usage.generatedTokens);
        return { thought, content, usage };
      }
      const answer = await this.client.chat.completions
        .create({ ...body, stream: true, stream_options: { include_usage: true } } as unknown as OpenAI.ChatCompletionCreateParamsStreaming, options)
        .withResponse();
      response = answer.response;
      const stream = answer.data;
      deadline.restart();
      const splitter = new InlineThinkSplitter();
      let thought = "";
      let content = "";
      let finish: string | null | undefined;
      let last: UsageCarrier | undefined;
      const emit = (kind: ChunkKind, text: string) => req.onChunk?.(kind, text, 1);
      for await (const chunk of stream) {
        deadline.restart();
        const choice = chunk.choices[0] as (ChatCompletionChunk.Choice & { delta: { reasoning_content?: string | null; reasoning?: string | null } }) | undefined;
        if ((chunk as unknown as UsageCarrier).usage || (chunk as unknown as UsageCarrier).timings) last = chunk as unknown as UsageCarrier;
        if (!choice) continue;
        const reasoning = choice.delta.reasoning_content ?? choice.delta.reasoning;
        if (reasoning) {
          received++;
          thought += reasoning;
          emit("thought", reasoning);
        }
        if (choice.delta.content) {
          received++;
          content += choice.delta.content;
          for (const piece of splitter.push(choice.delta.content)) emit(piece.kind, piece.text);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      for (const piece of splitter.flush()) emit(piece.kind, piece.text);
      // An abort ends the stream quietly, as if it were complete: tell the causes apart.
      if (cancelled()) throw new CancelledError();
      if (deadline.fired) throw timeoutError(this.endpoint, this.timeoutMs, received);
      if (!finish) throw streamCutError(this.endpoint, received, "the stream ended without a finish reason");
      return { thought, content, usage: usageOf(last, mapStopReason(finish), received, this.opts.onServerTimings) };
    } catch (e) {
      if (cancelled()) throw new CancelledError();
      if (e instanceof BrrmError) throw e;
      if (deadline.fired) throw timeoutError(this.endpoint, this.timeoutMs, received, e);
      // The `openai` package parses each event's data with JSON.parse, which does not say what it read.
      if (e instanceof SyntaxError) throw streamNotJsonError(this.endpoint, received, this.redact(unreadableEvent(response) ?? e.message), e);
      // Once tokens have been shown, a failure is a cut stream: retrying would repeat the turn's
      // text in the progress view. The server's message (an SSE error event) is kept.
      if (received > 0) {
        const why = e instanceof this.lib.APIError ? `the server said: ${this.redact(e.message)}` : this.redact(e instanceof Error ? e.message : String(e));
        throw streamCutError(this.endpoint, received, why, e);
      }
      throw e;
    } finally {
      deadline.clear();
      linked.dispose();
    }
  }
}

interface UsageCarrier {
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null } | null;
  timings?: { prompt_n?: number; prompt_ms?: number; cache_n?: number; predicted_n?: number; predicted_ms?: number };
}

/** Usage from `usage`, falling back to llama-server's `timings`, then to what we counted. */
function usageOf(r: UsageCarrier | undefined, stopReason: string, counted: number, onTimings?: (t: ServerTimings) => void): Omit<TurnUsage, "ms"> {
  const u = r?.usage ?? undefined;
  const t = r?.timings;
  if (t && onTimings)
    onTimings({
      promptTokens: t.prompt_n ?? 0,
      promptMs: t.prompt_ms ?? 0,
      cachedTokens: t.cache_n ?? 0,
      generatedTokens: t.predicted_n ?? 0,
      generationMs: t.predicted_ms ?? 0,
    });
  const timingsPrompt = t?.prompt_n !== undefined ? t.prompt_n + (t.cache_n ?? 0) : undefined;
  return {
    promptTokens: u?.prompt_tokens ?? timingsPrompt ?? 0,
    generatedTokens: u?.completion_tokens ?? t?.predicted_n ?? counted,
    cachedTokens: u?.prompt_tokens_details?.cached_tokens ?? t?.cache_n ?? 0,
    stopReason,
  };
}

/** Without streaming the whole turn arrives at once: one event per kind, tokens shared by length. */
function emitWhole(onChunk: TurnRequest["onChunk"], thought: string, content: string, tokens: number): void {
  if (!onChunk) return;
  const pieces: { kind: ChunkKind; text: string }[] = [];
  if (thought) pieces.push({ kind: "thought", text: thought });
  const splitter = new InlineThinkSplitter();
  for (const p of [...splitter.push(content), ...splitter.flush()]) {
    const prev = pieces[pieces.length - 1];
    if (prev?.kind === p.kind) prev.text += p.text;
    else pieces.push({ ...p });
  }
  const chars = pieces.reduce((n, p) => n + p.text.length, 0);
  let left = tokens;
  pieces.forEach((p, i) => {
    const share = i === pieces.length - 1 ? left : Math.round((tokens * p.text.length) / Math.max(chars, 1));
    left -= share;
    onChunk(p.kind, p.text, Math.max(share, 0));
  });
}

class OpenAIConversation implements Conversation {
  private readonly history: ChatCompletionMessageParam[] = [];
  private readonly stop = new AbortController();
  private running = false;
  private disposed = false;

  constructor(private readonly backend: OpenAIBackend) {}

  async turn(req: TurnRequest): Promise<TurnResult> {
    if (this.disposed) throw new CancelledError();
    const messages: ChatCompletionMessageParam[] = [...this.history, { role: "user", content: req.user }];
    this.running = true;
    let result: TurnResult;
    try {
      result = await this.backend.runTurn(messages, this.stop.signal, req);
    } finally {
      this.running = false;
    }
    // The next turn sees the answer without its thinking, as chat templates render history.
    this.history.push({ role: "user", content: req.user }, { role: "assistant", content: splitThinking(result.answer).answer });
    return result;
  }

  /** Stops any request still running: its tokens are no longer wanted. */
  dispose(): void {
    this.disposed = true;
    // An abort builds an exception: at thousands of comparisons it shows, so only when needed.
    if (this.running) this.stop.abort();
  }
}

/** An answer withApiAnswers refused, from inside the connection error the package wraps it in. */
function answerRefused(e: unknown): EndpointAnswerError | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) if (x instanceof EndpointAnswerError) return x;
  return undefined;
}

function makeClient(lib: OpenAIModule, opts: OpenAIBackendOptions): OpenAI {
  return new lib.OpenAI({
    baseURL: opts.baseURL,
    // The package insists on a key; local servers need none, so send no Authorization at all.
    apiKey: opts.apiKey || "no-key",
    ...(opts.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    // Never pick up other credentials or headers from the environment for a user-chosen server.
    adminAPIKey: null,
    organization: null,
    project: null,
    logLevel: "off",
    fetch: withOpenAIErrorBodies(withApiAnswers(globalThis.fetch, displayEndpoint(opts.baseURL), redactor(opts.apiKey))),
    maxRetries: 0,
    timeout: Math.ceil(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
}

async function listModelsWith(client: OpenAI, lib: OpenAIModule, opts: OpenAIBackendOptions): Promise<string[]> {
  const endpoint = displayEndpoint(opts.baseURL);
  const ctx: ErrorContext = {
    endpoint,
    model: opts.model ?? "",
    keySource: opts.keySource ?? "the API key setting",
    hasKey: Boolean(opts.apiKey),
    sentGrammar: false,
    retried: 0,
    redact: redactor(opts.apiKey),
    modelsOnServer: [],
  };
  try {
    const ids: string[] = [];
    for await (const m of client.models.list({ signal: opts.signal })) ids.push(m.id);
    return ids;
  } catch (e) {
    if (opts.signal?.aborted) throw new CancelledError();
    const refused = answerRefused(e);
    if (refused) throw refused;
    if (e instanceof lib.APIConnectionTimeoutError) throw timeoutError(endpoint, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 0, e);
    if (e instanceof lib.APIConnectionError) throw connectionError(e, ctx);
    if (e instanceof lib.APIError && e.status !== undefined) {
      if (e.status === 404)
        throw new BrrmError("ENDPOINT_NOT_FOUND", `${endpoint} has no /models list (404). Check the endpoint URL: it usually ends in /v1.`, { cause: e });
      throw statusError(e, ctx);
    }
    throw new BrrmError("ENDPOINT_FAILED", `Listing the models of ${endpoint} failed: ${ctx.redact(e instanceof Error ? e.message : String(e))}.`, { cause: e });
  }
}

/** The model names an endpoint serves (`GET /models`). */
export async function listModels(opts: Omit<OpenAIBackendOptions, "model">): Promise<string[]> {
  const lib = await loadOpenAI();
  return listModelsWith(makeClient(lib, opts), lib, opts);
}
