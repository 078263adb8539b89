// Small node:http servers that speak the OpenAI chat-completions protocol, for the cases a real
// llama-server cannot produce (429 with Retry-After, 5xx, 404 for a model name, a server that
// ignores `grammar`), and a recording proxy that shows what the backend sent to a real one.

import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
}

export interface TestServer {
  baseURL: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export type Handler = (req: Recorded, res: http.ServerResponse, n: number) => void | Promise<void>;

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

function closer(server: http.Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** A server whose every request goes to `handler` (n counts requests from 1). */
export async function startProtocolServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = http.createServer(async (req, res) => {
    const rec: Recorded = { method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization, body: await readBody(req) };
    requests.push(rec);
    try {
      await handler(rec, res, requests.length);
    } catch (e) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(e));
    }
  });
  return { baseURL: await listen(server), requests, close: closer(server) };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type: "test_error", code: status } }, headers);
}

/** A complete non-streamed completion with `content`. */
export function completion(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model: "test-model",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content, ...extra } }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

export function startSse(res: http.ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}

export function sseDelta(res: http.ServerResponse, delta: Record<string, unknown>, finish: string | null = null): void {
  res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "test-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
}

/** Streams `content` in chunks of `chunk` characters, then usage and [DONE]. */
export function streamCompletion(res: http.ServerResponse, content: string, chunk = 8): void {
  startSse(res);
  sseDelta(res, { role: "assistant", content: "" });
  for (let i = 0; i < content.length; i += chunk) sseDelta(res, { content: content.slice(i, i + chunk) });
  sseDelta(res, {}, "stop");
  res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "test-model", choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`);
  res.end("data: [DONE]\n\n");
}

/** Well-formed BR-RM answers to turn 1 and turn 2 (the verdict is `verdict`). */
export const TURN1 =
  "[Quality Assessment Focus]\nLogical Reasoning\n[End of Quality Assessment Focus]\n\n[Quality Analysis for Response 1]\n- Critical Issues: None identified\n[End of Quality Analysis for Response 1]\n\n[Quality Analysis for Response 2]\n- Critical Issues: None identified\n[End of Quality Analysis for Response 2]";
export const turn2 = (verdict: 1 | 2 = 1) =>
  `[The Begin of Analysis on Response 1]\nRight.\n[The End of Analysis on Response 1]\n\n[The Begin of Analysis on Response 2]\nWrong.\n[The End of Analysis on Response 2]\n\n[The Begin of Ranking Score]\n\\boxed{${verdict}}\n[The End of Ranking Score]`;
export const TURN2 = turn2(1);

/** The messages of a request; turn 2 carries turn 1 and its answer before it. */
export const messagesOf = (req: Recorded) => (req.body?.messages ?? []) as { role: string; content: string }[];
export const isTurn2 = (req: Recorded) => messagesOf(req).length > 1;

/** The two responses as the turn-1 prompt shows them (turn 2 carries that prompt in its history). */
export function shownResponses(req: Recorded): [string, string] {
  const prompt = messagesOf(req)[0]?.content ?? "";
  const between = (n: 1 | 2) => new RegExp(`\\[The Begin of Response ${n}\\]\\n([\\s\\S]*?)\\n\\[The End of Response ${n}\\]`).exec(prompt)?.[1] ?? "";
  return [between(1), between(2)];
}

/**
 * A judge that answers both turns well-formed, streamed (in chunks of `chunk` characters) or
 * not; `verdict` picks its verdict per request.
 */
export function wellFormedJudge(verdict: (req: Recorded) => 1 | 2 = () => 1, chunk = 8): Handler {
  return (req, res) => {
    const text = isTurn2(req) ? turn2(verdict(req)) : TURN1;
    if (req.body?.stream) streamCompletion(res, text, chunk);
    else sendJson(res, 200, completion(text));
  };
}

/** Forwards everything to `target` (a real server) and records what was sent. */
export async function startRecordingProxy(target: string): Promise<TestServer> {
  const origin = new URL(target).origin;
  return startProtocolServer(async (rec, res) => {
    const up = await fetch(`${origin}${rec.path}`, {
      method: rec.method,
      headers: { "content-type": "application/json", ...(rec.authorization ? { authorization: rec.authorization } : {}) },
      body: rec.body ? JSON.stringify(rec.body) : undefined,
    });
    res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" });
    const reader = up.body?.getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      res.write(chunk.value);
    }
    res.end();
  });
}

/** Answers turn 1 and turn 2 of the flow well-formed (turn 2 prefers Response 1), streamed or not. */
export const wellFormed: Handler = wellFormedJudge();
