// What went wrong talking to an OpenAI-compatible endpoint, as a BrrmError with one line that
// names the problem and the next step. The API key never reaches a message: every text that
// could echo it (server messages, URLs) goes through `redact`.

import type { APIError } from "openai";
import { BrrmError } from "../core/errors";

/** Facts an error message needs about the request that failed. */
export interface ErrorContext {
  /** The endpoint as shown to users: no credentials, no query string. */
  endpoint: string;
  model: string;
  /** Where the key comes from, for "set it in ..." (e.g. "the environment variable OPENAI_API_KEY"). */
  keySource: string;
  hasKey: boolean;
  /** Whether the request carried a `grammar` field (constrained mode). */
  sentGrammar: boolean;
  /** How many retries were made before giving up. */
  retried: number;
  redact: (text: string) => string;
  /** The models the server offers, looked up for a 404 (undefined when the lookup failed). */
  modelsOnServer?: string[];
}

/** `https://user:pw@host/v1?key=...` -> `https://host/v1`: safe to print. */
export function displayEndpoint(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return baseURL;
  }
}

/** A replacer that hides `secret` (and credentials in URLs) in any text. */
export function redactor(secret: string | undefined): (text: string) => string {
  return (text) => {
    let out = text.replace(/(https?:\/\/)[^\s/@]+@/gi, "$1");
    // A very short "key" (a placeholder like "x") would blank out ordinary letters.
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
    return out;
  };
}

/** The error codes of the first cause in the chain that has one (fetch wraps the socket error twice). */
export function causeCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 6; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function causeMessage(e: unknown): string {
  let last = e instanceof Error ? e.message : String(e);
  for (let x: unknown = e, depth = 0; x && depth < 6; x = (x as { cause?: unknown }).cause, depth++)
    if (x instanceof Error && x.message) last = x.message;
  return last;
}

/** One line, at most `max` characters: server messages can be whole HTML pages or stack traces. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The message in an error body, in the shapes servers use: OpenAI's and llama-server's
 * `{error: {message}}`, Ollama's `{error: "..."}`, older vLLM's top-level `{message}`, and
 * FastAPI's `{detail}` (text, or a list of `{msg}`).
 */
export function messageOfBody(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() || undefined;
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  if (b.error !== undefined && b.error !== null) return messageOfBody(b.error) ?? JSON.stringify(b.error);
  if (typeof b.message === "string") return b.message;
  if (typeof b.detail === "string") return b.detail;
  if (Array.isArray(b.detail))
    return b.detail.map((d) => (d && typeof d === "object" && typeof (d as { msg?: unknown }).msg === "string" ? (d as { msg: string }).msg : JSON.stringify(d))).join("; ");
  return undefined;
}

/**
 * A fetch that rewrites error bodies into OpenAI's shape, `{error: {message}}`: the openai
 * package reads only `error`, so for older vLLM's or FastAPI's bodies it would report
 * "status code (no body)" and the server's explanation (context too long, bad parameter) would
 * be lost.
 */
export function withOpenAIErrorBodies(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if (res.ok) return res;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    const wrapped =
      body && typeof body === "object" && !("error" in body) && messageOfBody(body) !== undefined
        ? JSON.stringify({ error: { ...(body as object), message: messageOfBody(body) } })
        : text;
    return new Response(wrapped, { status: res.status, statusText: res.statusText, headers });
  };
}

/** The server's own words from an error, in one line. */
export function serverMessage(e: APIError): string {
  const text = messageOfBody(e.error) ?? e.message.replace(/^\d{3}\s*/, "");
  return oneLine(text || "no message");
}

const CONNECTION_CODES_DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME"]);

/** Connection failures worth another try: the server may be restarting or dropped an idle socket. */
export function isTransientConnectionError(e: unknown): boolean {
  const code = causeCode(e);
  return code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED";
}

export function connectionError(e: unknown, ctx: ErrorContext): BrrmError {
  const code = causeCode(e);
  const { endpoint } = ctx;
  if (code === "ECONNREFUSED")
    return new BrrmError(
      "CONNECTION_REFUSED",
      `Cannot connect to ${endpoint}: connection refused. Start the server (for example llama-server or vLLM) or correct the endpoint URL.`,
      { cause: e },
    );
  if (code && CONNECTION_CODES_DNS.has(code)) {
    const host = (() => {
      try {
        return new URL(endpoint).hostname;
      } catch {
        return endpoint;
      }
    })();
    return new BrrmError("DNS_FAILED", `Cannot resolve the host "${host}" of ${endpoint} (${code}). Check the host name in the endpoint URL and your network.`, { cause: e });
  }
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE")
    return new BrrmError(
      "CONNECTION_CLOSED",
      `The server at ${endpoint} closed the connection${ctx.retried ? ` (${ctx.retried} retries)` : ""}. Check the server's log: it may have crashed or restarted.`,
      { cause: e },
    );
  return new BrrmError("CONNECTION_FAILED", `Cannot connect to ${endpoint}: ${ctx.redact(oneLine(causeMessage(e)))}. Check the endpoint URL and that the server is running.`, {
    cause: e,
  });
}

/** `tokens`: what the turn had streamed before the silence (0: the server never started answering). */
export function timeoutError(endpoint: string, timeoutMs: number, tokens: number, e?: unknown): BrrmError {
  const s = timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : String(Math.round(timeoutMs / 1000));
  return new BrrmError(
    "TIMEOUT",
    tokens > 0
      ? `The server at ${endpoint} sent nothing for ${s} s in the middle of a turn (after ${tokens} ${tokens === 1 ? "token" : "tokens"}). Raise the timeout, or check that the server is not overloaded.`
      : `The server at ${endpoint} did not answer within ${s} s. Raise the timeout, or check that the server is running and not overloaded.`,
    { cause: e },
  );
}

export function streamCutError(endpoint: string, tokens: number, why: string, e?: unknown): BrrmError {
  return new BrrmError(
    "STREAM_CUT",
    `The stream from ${endpoint} was cut off mid-turn after ${tokens} tokens (${why}). Check the server's log (it may have crashed or run out of memory), then try again.`,
    { cause: e },
  );
}

/** A streamed event whose data is not JSON; `event` is its line as the server sent it. */
export function streamNotJsonError(endpoint: string, tokens: number, event: string, e?: unknown): BrrmError {
  return new BrrmError(
    "STREAM_NOT_JSON",
    `The stream from ${endpoint} sent an event that is not JSON after ${tokens} ${tokens === 1 ? "token" : "tokens"} (${oneLine(event, 200)}). The server, or a proxy in between, does not speak the OpenAI protocol: check the endpoint URL and the server's log.`,
    { cause: e },
  );
}

const CONTEXT_TOO_LONG = /context|too long|exceed|maximum.{0,40}(length|tokens)|max_tokens|prompt is too/i;

/** An HTTP error status (after any retries) as a BrrmError. */
export function statusError(e: APIError, ctx: ErrorContext): BrrmError {
  const { endpoint, model } = ctx;
  const said = ctx.redact(serverMessage(e));
  const status = e.status ?? 0;
  const retried = ctx.retried ? ` after ${ctx.retried} ${ctx.retried === 1 ? "retry" : "retries"}` : "";
  if (status === 401)
    return new BrrmError(
      "UNAUTHORIZED",
      ctx.hasKey
        ? `${endpoint} rejected the API key (401: ${said}). Put a valid key in ${ctx.keySource}.`
        : `${endpoint} needs an API key (401: ${said}). Put the key in ${ctx.keySource}.`,
      { cause: e },
    );
  if (status === 403)
    return new BrrmError("FORBIDDEN", `${endpoint} refused access to "${model}" (403: ${said}). Check that the key in ${ctx.keySource} may use this model.`, { cause: e });
  if (status === 404) {
    const models = ctx.modelsOnServer;
    if (models && models.length > 0) {
      const list = models.length > 20 ? `${models.slice(0, 20).join(", ")} and ${models.length - 20} more` : models.join(", ");
      return new BrrmError("MODEL_NOT_FOUND", `${endpoint} has no model "${model}" (404: ${said}). It serves: ${list}. Use one of these as the model name.`, { cause: e });
    }
    return new BrrmError(
      "ENDPOINT_NOT_FOUND",
      `${endpoint} answered 404 (${said}) and lists no models. Check the endpoint URL (it usually ends in /v1) and the model name "${model}".`,
      { cause: e },
    );
  }
  if (status === 400 || status === 422) {
    const next = CONTEXT_TOO_LONG.test(said)
      ? "Shorten the prompt or responses, lower max tokens, or raise the server's context size."
      : ctx.sentGrammar && /grammar/i.test(said)
        ? "The server could not use the `grammar` field: turn off constrained mode for this endpoint, or use a recent llama-server."
        : /stream_options/i.test(said)
          ? "The server does not know `stream_options`: turn streaming off for this endpoint."
          : "Check the sampling settings and the extra request fields.";
    return new BrrmError(status === 400 ? "BAD_REQUEST" : "UNPROCESSABLE", `${endpoint} rejected the request (${status}: ${said}). ${next}`, { cause: e });
  }
  if (status === 429)
    return new BrrmError("RATE_LIMITED", `${endpoint} is rate limiting requests (429: ${said})${retried}. Wait a while and try again, or run fewer comparisons at once.`, {
      cause: e,
    });
  if (status >= 500)
    return new BrrmError("SERVER_ERROR", `${endpoint} failed with a server error (${status}: ${said})${retried}. Check the server's log, then try again.`, { cause: e });
  return new BrrmError("HTTP_ERROR", `${endpoint} answered ${status || "an error"} (${said}). Check the endpoint URL and the request settings.`, { cause: e });
}
