// The OpenAI-compatible backend against small node:http servers that speak the protocol, for
// what a real llama-server cannot be made to do: 404 for a model name (llama-server serves its
// one model under any name), 429 with Retry-After, 5xx, SSE error events, a stream that stalls
// or ends early, the `reasoning` field of vLLM, a server that ignores `grammar`, one that
// echoes the key back, and servers that lie: a 200 that is an HTML page or plain text, a
// stream of broken JSON, a relabelled stream.

import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { afterEach, describe, it } from "node:test";
import { OpenAIBackend, type OpenAIBackendOptions } from "../../src/backends/openai";
import { BrrmError, CancelledError } from "../../src/core/errors";
import { judge, type FlowEvent } from "../../src/core/flow";
import {
  type Handler,
  sendError,
  sendJson,
  sseDelta,
  startProtocolServer,
  startSse,
  streamCompletion,
  type TestServer,
  TURN1,
  TURN2,
  wellFormedJudge,
} from "../support/openaiProtocol";
import { PAIR } from "../support/openaiHelpers";

/** Answers turn 1 and turn 2 of the flow well-formed, streamed or not. */
const wellFormed = wellFormedJudge();

let open: TestServer[] = [];
async function serve(handler: Handler): Promise<TestServer> {
  const s = await startProtocolServer(handler);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

const create = (s: TestServer, over: Partial<OpenAIBackendOptions> = {}) => OpenAIBackend.create({ baseURL: s.baseURL, model: "brrm-8b", ...over });

async function failure(p: Promise<unknown>, code: string): Promise<BrrmError> {
  const e = await p.then(
    () => assert.fail(`expected ${code}`),
    (x: unknown) => x,
  );
  assert.ok(e instanceof BrrmError, String(e));
  assert.equal(e.code, code, e.message);
  assert.ok(!e.message.includes("\n"));
  return e;
}

describe("openai backend over the protocol", () => {
  it("404 for a wrong model name lists the models from /v1/models", async () => {
    const s = await serve((req, res) => {
      if (req.method === "GET" && req.path === "/v1/models")
        sendJson(res, 200, { object: "list", data: [{ id: "brrm-8b", object: "model" }, { id: "brrm-14b", object: "model" }] });
      else sendError(res, 404, `The model \`${String(req.body?.model)}\` does not exist.`);
    });
    const e = await failure(judge(PAIR, await create(s, { model: "brrm-9b" })), "MODEL_NOT_FOUND");
    assert.match(e.message, /has no model "brrm-9b" \(404: The model `brrm-9b` does not exist\.\)\. It serves: brrm-8b, brrm-14b\. Use one of these/);
  });

  it("shows the server's message whatever the shape of its error body", async () => {
    const bodies: [number, unknown, RegExp][] = [
      // Older vLLM: the message at the top level.
      [400, { object: "error", message: "This model's maximum context length is 16384 tokens.", type: "BadRequestError", code: 400 }, /\(400: This model's maximum context length is 16384 tokens\.\)\. Shorten the prompt/],
      // FastAPI validation errors.
      [422, { detail: [{ loc: ["body", "top_p"], msg: "Input should be less than or equal to 1", type: "less_than_equal" }] }, /\(422: Input should be less than or equal to 1\)\. Check the sampling settings/],
      // A proxy's HTML page.
      [502, "<html><body><h1>502 Bad Gateway</h1></body></html>", /server error \(502: 502 Bad Gateway\)/],
    ];
    for (const [status, body, re] of bodies) {
      const s = await serve((_req, res) => {
        res.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json" });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      });
      const e = await failure(judge(PAIR, await create(s, { retries: 0 })), status === 400 ? "BAD_REQUEST" : status === 422 ? "UNPROCESSABLE" : "SERVER_ERROR");
      assert.match(e.message, re);
    }
  });

  it("a model name is needed where the server serves several", async () => {
    const s = await serve((_req, res) => sendJson(res, 200, { object: "list", data: [{ id: "a" }, { id: "b" }] }));
    await failure(OpenAIBackend.create({ baseURL: s.baseURL }), "MODEL_REQUIRED");
  });

  it("429 with Retry-After: waits as long as asked, then succeeds", async () => {
    const s = await serve((req, res, n) => (n === 1 ? sendError(res, 429, "slow down", { "retry-after": "1" }) : wellFormed(req, res, n)));
    const started = performance.now();
    const j = await judge(PAIR, await create(s));
    const waited = performance.now() - started;
    assert.equal(j.verdict, 1);
    assert.equal(s.requests.length, 3, "one retry, then the two turns");
    // The package's own backoff would have been 0.5 s: this is the server's 1 s.
    assert.ok(waited >= 950 && waited < 3000, `took ${waited.toFixed(0)} ms`);
  });

  it("429 that persists is reported after the retries", async () => {
    const s = await serve((_req, res) => sendError(res, 429, "quota exceeded", { "retry-after": "0" }));
    const e = await failure(judge(PAIR, await create(s, { retries: 2 })), "RATE_LIMITED");
    assert.equal(s.requests.length, 3);
    assert.match(e.message, /rate limiting requests \(429: quota exceeded\) after 2 retries\. Wait a while/);
  });

  it("a Retry-After too long to wait out is reported at once", async () => {
    const s = await serve((_req, res) => sendError(res, 429, "come back later", { "retry-after": "3600" }));
    const started = performance.now();
    const e = await failure(judge(PAIR, await create(s)), "RATE_LIMITED");
    assert.ok(performance.now() - started < 1000);
    assert.equal(s.requests.length, 1);
    assert.match(e.message, /asks to wait 3600 s/);
  });

  it("5xx is retried with backoff, then succeeds", async () => {
    const s = await serve((req, res, n) => (n === 1 ? sendError(res, 503, "loading model") : wellFormed(req, res, n)));
    const j = await judge(PAIR, await create(s));
    assert.equal(j.verdict, 1);
    assert.equal(s.requests.length, 3);
  });

  it("5xx that persists is reported with the server's message", async () => {
    const s = await serve((_req, res) => sendError(res, 500, "CUDA error: out of memory"));
    const e = await failure(judge(PAIR, await create(s, { retries: 1 })), "SERVER_ERROR");
    assert.equal(s.requests.length, 2);
    assert.match(e.message, /server error \(500: CUDA error: out of memory\) after 1 retry\. Check the server's log/);
  });

  it("cancelling while waiting out a Retry-After stops at once", async () => {
    const s = await serve((_req, res) => sendError(res, 429, "slow down", { "retry-after": "30" }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    await assert.rejects(judge(PAIR, await create(s), { signal: controller.signal }), CancelledError);
    assert.ok(performance.now() - started < 600);
  });

  it("an error event in the middle of a stream is a cut stream with the server's words", async () => {
    const s = await serve((_req, res) => {
      startSse(res);
      for (const t of ["[Quality", " Assessment", " Focus]"]) sseDelta(res, { content: t });
      res.end(`data: ${JSON.stringify({ error: { message: "slot 0: KV cache full", code: 500 } })}\n\n`);
    });
    const e = await failure(judge(PAIR, await create(s)), "STREAM_CUT");
    assert.equal(s.requests.length, 1, "a stream that showed tokens is not retried");
    assert.match(e.message, /after 3 tokens \(the server said: .*KV cache full\)/);
  });

  it("a stream that ends without a finish reason is a cut stream", async () => {
    const s = await serve((_req, res) => {
      startSse(res);
      sseDelta(res, { content: "[Quality Assessment Focus]\n" });
      res.end();
    });
    await failure(judge(PAIR, await create(s)), "STREAM_CUT");
  });

  it("a stream that stalls is reported after the timeout, as silence mid-turn", async () => {
    const s = await serve((_req, res) => {
      startSse(res);
      sseDelta(res, { content: "[Quality" });
    });
    const started = performance.now();
    const e = await failure(judge(PAIR, await create(s, { timeoutMs: 300 })), "TIMEOUT");
    assert.ok(performance.now() - started < 1500);
    assert.match(e.message, /sent nothing for 0\.3 s in the middle of a turn \(after 1 token\)/);
  });

  it("reads vLLM's `reasoning` field as thinking", async () => {
    const s = await serve((req, res) => {
      const turn2 = ((req.body?.messages ?? []) as unknown[]).length > 1;
      startSse(res);
      for (const t of ["Accuracy ", "matters."]) sseDelta(res, { reasoning: t });
      sseDelta(res, { content: turn2 ? TURN2 : TURN1 });
      sseDelta(res, {}, "stop");
      res.end("data: [DONE]\n\n");
    });
    const events: FlowEvent[] = [];
    const j = await judge(PAIR, await create(s), { onEvent: (e) => events.push(e) });
    assert.equal(j.thinking.turn1, "Accuracy matters.");
    assert.equal(j.verdict, 1);
    assert.deepEqual(
      events.filter((e) => e.type === "chunk" && e.turn === 1).map((e) => e.type === "chunk" && e.kind),
      ["thought", "thought", "answer"],
    );
    // Without `usage` chunks, the tokens are counted from the stream.
    assert.equal(j.usage.turn1!.generatedTokens, 3);
  });

  it("warns once when a server ignores the grammar, and still returns the judgment", async () => {
    const s = await serve((req, res) => {
      const turn2 = ((req.body?.messages ?? []) as unknown[]).length > 1;
      streamCompletion(res, turn2 ? "Response 1 is better. \\boxed{1}" : "Both responses give a time; one is wrong.");
    });
    const warnings: string[] = [];
    const backend = await create(s, { onWarning: (m) => warnings.push(m) });
    const j = await judge(PAIR, backend, { constrained: true });
    assert.equal(typeof s.requests[0].body?.grammar, "string");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ignored the `grammar` field: constrained mode does not work there/);
    // The judgment itself carries it too (once, though both turns ignored the grammar).
    assert.deepEqual(j.warnings.filter((w) => w.includes("ignored the `grammar` field")), [warnings[0]]);
    assert.equal(j.verdict, 1);
  });

  it("never shows the key, even when a server echoes it", async () => {
    const key = "sk-live-ECHOED-0123456789";
    const echo: Handler = (req, res) => sendError(res, 401, `Incorrect API key provided: ${req.authorization}`);
    const s = await serve(echo);
    const e = await failure(judge(PAIR, await create(s, { apiKey: key })), "UNAUTHORIZED");
    assert.equal(s.requests[0].authorization, `Bearer ${key}`, "the key was sent");
    assert.ok(!e.message.includes(key), e.message);
    const s500 = await serve((req, res) => sendError(res, 500, `internal: header was ${req.authorization}`));
    const e500 = await failure(judge(PAIR, await create(s500, { apiKey: key, retries: 0 })), "SERVER_ERROR");
    assert.ok(!e500.message.includes(key), e500.message);
  });

  it("comparisons leave no listener on the caller's signal (a run's signal lives for thousands of them)", async () => {
    const s = await serve(wellFormed);
    const backend = await create(s);
    const run = new AbortController();
    for (let i = 0; i < 20; i++) assert.equal((await judge(PAIR, backend, { signal: run.signal })).verdict, 1);
    assert.equal(getEventListeners(run.signal, "abort").length, 0);
  });

  it("an endpoint URL with credentials is refused without showing them", async () => {
    const e = await failure(OpenAIBackend.create({ baseURL: "http://user:hunter22@127.0.0.1:9/v1", model: "m" }), "ENDPOINT_INVALID");
    assert.ok(!e.message.includes("hunter22"), e.message);
    assert.match(e.message, /give the key as the API key/);
  });
});

describe("openai backend: endpoints that lie", () => {
  const SIGN_IN = `<!DOCTYPE html><html><head><title>Sign in – Corp SSO</title></head><body><form action="/login"><input name="user"></form></body></html>`;
  const page = (type: string, body: string): Handler => (_req, res) => {
    res.writeHead(200, { "content-type": type });
    res.end(body);
  };

  it("a 200 with a proxy's sign-in page, streamed or not, names the page and is not retried", async () => {
    for (const stream of [true, false]) {
      const s = await serve(page("text/html; charset=utf-8", SIGN_IN));
      const e = await failure(judge(PAIR, await create(s, { stream })), "NOT_THE_API");
      assert.equal(s.requests.length, 1);
      assert.match(e.message, new RegExp(`^${s.baseURL.replace(/[./]/g, "\\$&")} answered 200 with an HTML page \\("Sign in – Corp SSO"\\) instead of the API's ${stream ? "event stream" : "JSON"}: .*Check the endpoint URL`));
    }
  });

  it("a 200 with plain text names its type and its words; a page that says \"timed out\" is not taken for a timeout", async () => {
    const text = await serve(page("text/plain", "Service paused for maintenance until 14:00."));
    const e = await failure(judge(PAIR, await create(text)), "NOT_THE_API");
    assert.match(e.message, /answered 200 with text\/plain \("Service paused for maintenance until 14:00\."\)/);
    const untyped = await serve((_req, res) => {
      res.writeHead(200, {});
      res.end("<html><head><title>Connection timed out</title></head></html>");
    });
    const t = await failure(judge(PAIR, await create(untyped, { stream: false })), "NOT_THE_API");
    assert.match(t.message, /an HTML page \("Connection timed out"\)/);
    const empty = await serve(page("text/plain", ""));
    assert.match((await failure(judge(PAIR, await create(empty)), "NOT_THE_API")).message, /answered 200 with an empty body \(text\/plain\)/);
  });

  it("a stream of broken JSON quotes the event it could not read", async () => {
    const s = await serve((_req, res) => {
      startSse(res);
      sseDelta(res, { content: "[Quality" });
      sseDelta(res, { content: " Assessment" });
      res.end('data: {"choices":[{"delta":{"content":" Focus]\n\n');
    });
    const e = await failure(judge(PAIR, await create(s)), "STREAM_NOT_JSON");
    assert.equal(s.requests.length, 1);
    assert.match(e.message, /sent an event that is not JSON after 2 tokens \(.*\{"choices":\[\{"delta":\{"content":" Focus\].*\)\. The server, or a proxy in between, does not speak the OpenAI protocol/);
  });

  it("an event stream under another content type, and JSON under text/html, are still read", async () => {
    const s = await serve((req, res) => {
      const text = ((req.body?.messages ?? []) as unknown[]).length > 1 ? TURN2 : TURN1;
      if (req.body?.stream) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
      } else {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(JSON.stringify({ choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }] }));
      }
    });
    for (const stream of [true, false]) assert.equal((await judge(PAIR, await create(s, { stream }))).verdict, 1);
  });

  it("one JSON document for a streamed request: not streamed, or the server's error", async () => {
    const doc = await serve((_req, res) => sendJson(res, 200, { choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: TURN1 } }] }));
    assert.match((await failure(judge(PAIR, await create(doc)), "NOT_STREAMED")).message, /answered a streamed request with one JSON document instead of an event stream: it does not stream\. Turn streaming off/);
    const err = await serve((_req, res) => sendJson(res, 200, { error: { message: "model is loading" } }));
    assert.match((await failure(judge(PAIR, await create(err)), "SERVER_ERROR")).message, /answered 200 with an error: model is loading\./);
  });
});
