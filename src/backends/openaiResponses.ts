// What a successful answer from an OpenAI-compatible endpoint must look like before the
// `openai` package reads it. A 200 that is neither JSON nor an event stream (a proxy's sign-in
// page, a plain-text notice) would otherwise be read as an empty stream, reported as "cut off
// mid-turn", or fail deep inside the package; here it is refused with what the server sent.
// An event stream keeps its last chunks, so that an event the package cannot parse can be
// quoted (JSON.parse's own message does not say what it read).

import { BrrmError } from "../core/errors";
import { messageOfBody, oneLine } from "./openaiErrors";

/** The first line of an event stream: a field (`data: …`, `event: …`) or a comment (`: ping`). */
const EVENT_STREAM_START = /^(?:data|event|id|retry)?:/;

/**
 * Thrown from inside fetch, where the `openai` package wraps it as the cause of a connection
 * error (the backend unwraps it). Its string form leaves out the server's text: the package
 * scans that string for "timed out" to decide that a failure was a timeout, and a page saying
 * so would turn this error into a bare timeout.
 */
export class EndpointAnswerError extends BrrmError {
  override toString(): string {
    return `EndpointAnswerError [${this.code}]`;
  }
}

function mediaType(header: string | null): string | undefined {
  return header?.split(";")[0]?.trim().toLowerCase() || undefined;
}

/** "an HTML page ("Sign in")", "text/plain ("Service paused")", ...: what a body is, in a few words. */
export function describeBody(type: string | undefined, text: string): string {
  if (!text.trim()) return `an empty body${type ? ` (${type})` : ""}`;
  if (type === "text/html" || /^\s*<(?:!doctype html|html|head|body)\b/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return `an HTML page ("${oneLine(title || text, 80)}")`;
  }
  return `${type ?? "a body without a content type"} ("${oneLine(text, 80)}")`;
}

async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>, decoder: TextDecoder, head: string): Promise<string> {
  let text = head;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

/** The last chunks of each event stream handed to the package (the chunks themselves: nothing is copied). */
const lastChunks = new WeakMap<Response, Uint8Array[]>();
const KEPT_CHUNKS = 3;

function keepingLastChunks(body: ReadableStream<Uint8Array>, kept: Uint8Array[]): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        kept.push(chunk);
        if (kept.length > KEPT_CHUNKS) kept.shift();
        controller.enqueue(chunk);
      },
    }),
  );
}

function eventStream(body: ReadableStream<Uint8Array>, res: Response, headers: Headers): Response {
  const kept: Uint8Array[] = [];
  const out = new Response(keepingLastChunks(body, kept), { status: res.status, statusText: res.statusText, headers });
  lastChunks.set(out, kept);
  return out;
}

/** The last `data:` line of a stream's answer that is not JSON: what the package failed to read. */
export function unreadableEvent(res: Response | undefined): string | undefined {
  const kept = res && lastChunks.get(res);
  if (!kept) return undefined;
  const lines = Buffer.concat(kept).toString("utf8").split(/\r?\n/);
  return lines.reverse().find((line) => {
    const data = /^data:\s?(.*)$/.exec(line)?.[1];
    if (data === undefined || data.startsWith("[DONE]")) return false;
    try {
      JSON.parse(data);
      return false;
    } catch {
      return true;
    }
  });
}

/** The first chunk put back in front of the rest of the body. */
function replay(first: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(first);
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * A fetch that lets through only answers the API can have given: an event stream for a streamed
 * request, JSON otherwise (whatever the content type says). `redact` hides the key in quoted text.
 */
export function withApiAnswers(fetchImpl: typeof fetch, endpoint: string, redact: (text: string) => string): typeof fetch {
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if (!res.ok || res.body === null) return res;
    const type = mediaType(res.headers.get("content-type"));
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    if (type === "text/event-stream") return eventStream(res.body, res, headers);
    const streamed = typeof init?.body === "string" && init.body.includes('"stream":true');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    const head = first.done ? "" : decoder.decode(first.value, { stream: true });
    // A stream sent under another content type (some proxies relabel it) is still a stream.
    if (streamed && !first.done && EVENT_STREAM_START.test(head.trimStart())) {
      headers.set("content-type", "text/event-stream");
      return eventStream(replay(first.value, reader), res, headers);
    }
    const text = first.done ? head : await readRest(reader, decoder, head);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new EndpointAnswerError(
        "NOT_THE_API",
        `${endpoint} answered ${res.status} with ${redact(describeBody(type, text))} instead of the API's ${streamed ? "event stream" : "JSON"}: a proxy or sign-in page may be in the way, or the URL is not the API. Check the endpoint URL (it usually ends in /v1).`,
      );
    }
    if (!streamed) {
      headers.set("content-type", "application/json");
      return new Response(text, { status: res.status, statusText: res.statusText, headers });
    }
    const said = json && typeof json === "object" && "error" in json ? messageOfBody(json) : undefined;
    throw new EndpointAnswerError(
      said ? "SERVER_ERROR" : "NOT_STREAMED",
      said
        ? `${endpoint} answered ${res.status} with an error: ${redact(oneLine(said))}. Check the server's log, then try again.`
        : `${endpoint} answered a streamed request with one JSON document instead of an event stream: it does not stream. Turn streaming off (--no-stream).`,
    );
  };
}
