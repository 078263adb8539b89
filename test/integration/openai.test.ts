// The OpenAI-compatible backend against a real llama-server running the tiny model: the whole
// flow streamed and not, constrained, thinking in a separate field or inline, sampling fields,
// cancellation, and the error paths a real server produces (stopped, killed mid-stream, wrong
// key, context too long, too slow). What it sends is read through a recording proxy.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listModels, OpenAIBackend, type OpenAIBackendOptions } from "../../src/backends/openai";
import type { ChunkKind } from "../../src/core/backend";
import { BrrmError, CancelledError } from "../../src/core/errors";
import { judge, type FlowEvent } from "../../src/core/flow";
import { turn1Grammar, turn2Grammar } from "../../src/core/grammar";
import { splitThinking } from "../../src/core/parse";
import { withSamplingDefaults } from "../../src/core/sampling";
import { startRecordingProxy, type TestServer } from "../support/openaiProtocol";
import { PAIR, slotsIdle, tinyServer, waitFor, type LlamaServer } from "../support/openaiHelpers";

const MODEL = "brrm-tiny";

function chunksOf(events: FlowEvent[], turn: 1 | 2, kind: ChunkKind): string[] {
  return events.flatMap((e) => (e.type === "chunk" && e.turn === turn && e.kind === kind ? [e.text] : []));
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<BrrmError> {
  const e = await p.then(
    () => assert.fail(`expected a ${code} error`),
    (x: unknown) => x,
  );
  assert.ok(e instanceof BrrmError, `expected a BrrmError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
  return e;
}

/** One turn outside the flow, for sampling checks. */
async function oneTurn(backend: OpenAIBackend, sampling: Parameters<typeof withSamplingDefaults>[0], signal?: AbortSignal) {
  const conversation = await backend.startConversation();
  try {
    return await conversation.turn({ user: "Name a colour.", sampling: withSamplingDefaults(sampling), signal });
  } finally {
    conversation.dispose();
  }
}

describe("openai backend on llama-server", () => {
  let server: LlamaServer;
  let proxy: TestServer;
  const warnings: string[] = [];
  const make = (over: Partial<OpenAIBackendOptions> = {}) =>
    OpenAIBackend.create({ baseURL: proxy.baseURL, model: MODEL, onWarning: (m) => warnings.push(m), ...over });

  before(async () => {
    server = await tinyServer(["--parallel", "2"]);
    proxy = await startRecordingProxy(server.baseURL);
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it("runs both turns as one streamed conversation, constrained, with thinking in reasoning_content", async () => {
    proxy.requests.length = 0;
    const backend = await make();
    const events: FlowEvent[] = [];
    const j = await judge(PAIR, backend, { constrained: { thinking: "required" }, sampling: { seed: 7, maxTokens: 1024 }, onEvent: (e) => events.push(e) });

    // The tiny random model gives a verdict because llama-server applies the grammar.
    assert.equal(j.error, null, j.error?.message);
    assert.ok(j.verdict === 1 || j.verdict === 2);
    assert.ok(j.dimensions.length >= 1);
    assert.equal(j.backend, "openai");
    assert.equal(j.model, MODEL);
    assert.deepEqual(warnings, [], "llama-server honours the grammar: no warning");

    // Thinking came apart from the answer (llama-server's reasoning_content) and streamed as such.
    for (const turn of [1, 2] as const) {
      const thought = chunksOf(events, turn, "thought");
      const answer = chunksOf(events, turn, "answer");
      assert.ok(thought.length > 1 && answer.length > 1, `turn ${turn} streamed ${thought.length} thought and ${answer.length} answer chunks`);
      assert.equal(thought.join("").trim(), j.thinking[`turn${turn}`]);
      assert.ok(!answer.join("").includes("<think>"));
    }
    assert.match(j.raw.turn1, /^<think>\n[\s\S]+\n<\/think>\n\n\[Quality Assessment Focus\]/);

    // Usage per turn, with turn 2 served mostly from the KV cache of turn 1's prompt.
    const [u1, u2] = [j.usage.turn1!, j.usage.turn2!];
    assert.equal(u1.stopReason, "eos");
    assert.ok(u1.promptTokens > 100 && u1.generatedTokens > 10 && u1.ms > 0);
    assert.ok(u2.promptTokens > u1.promptTokens);
    assert.ok(u2.cachedTokens >= u1.promptTokens - 1 && u2.cachedTokens < u2.promptTokens, `turn 2 cached ${u2.cachedTokens} of ${u2.promptTokens}`);

    // What went over the wire: turn 2 repeats turn 1 and its answer without the thinking.
    const posts = proxy.requests.filter((r) => r.path === "/v1/chat/completions");
    assert.equal(posts.length, 2);
    const [b1, b2] = posts.map((r) => r.body!);
    const turn1Messages = b1.messages as { role: string; content: string }[];
    assert.equal(turn1Messages.length, 1);
    assert.equal(turn1Messages[0].role, "user");
    assert.deepEqual(
      (b2.messages as { role: string; content: string }[]).map((m) => m.role),
      ["user", "assistant", "user"],
    );
    const [m1, m2, m3] = b2.messages as { role: string; content: string }[];
    assert.equal(m1.content, turn1Messages[0].content);
    assert.equal(m2.content, splitThinking(j.raw.turn1).answer);
    assert.ok(!m2.content.includes("<think>") && m2.content.startsWith("[Quality Assessment Focus]"));
    assert.match(m3.content, /^You are making final comparative judgments/);
    assert.deepEqual(
      { stream: b1.stream, stream_options: b1.stream_options, seed: b1.seed, temperature: b1.temperature, top_p: b1.top_p, max_tokens: b1.max_tokens, model: b1.model },
      { stream: true, stream_options: { include_usage: true }, seed: 7, temperature: 1, top_p: 0.95, max_tokens: 1024, model: MODEL },
    );
    assert.equal(b1.grammar, turn1Grammar({ thinking: "required" }));
    assert.equal(b2.grammar, turn2Grammar({ thinking: "required" }));
    assert.ok(!("top_k" in b1), "top_k is only sent as an extra field");
    assert.equal(posts[0].authorization, undefined, "no key: no Authorization header");
    await backend.dispose();
  });

  it("runs the flow without streaming: one event per kind, tokens adding up to the usage", async () => {
    proxy.requests.length = 0;
    const backend = await make({ stream: false });
    const events: FlowEvent[] = [];
    const j = await judge(PAIR, backend, { constrained: { thinking: "required" }, sampling: { seed: 8, maxTokens: 1024 }, onEvent: (e) => events.push(e) });
    assert.ok(j.verdict === 1 || j.verdict === 2, j.error?.message);
    assert.ok(j.thinking.turn1 && j.thinking.turn2);
    for (const turn of [1, 2] as const) {
      const chunks = events.filter((e) => e.type === "chunk" && e.turn === turn);
      assert.deepEqual(
        chunks.map((e) => e.type === "chunk" && e.kind),
        ["thought", "answer"],
      );
      const tokens = chunks.reduce((n, e) => n + (e.type === "chunk" ? e.tokens : 0), 0);
      assert.equal(tokens, j.usage[`turn${turn}`]!.generatedTokens);
    }
    assert.ok(j.usage.turn2!.cachedTokens > 0);
    const bodies = proxy.requests.filter((r) => r.path === "/v1/chat/completions").map((r) => r.body!);
    assert.equal(bodies.length, 2);
    assert.equal(bodies[0].stream, false);
    assert.ok(!("stream_options" in bodies[0]));
    await backend.dispose();
  });

  it("sends the seed, and merges extra fields over the sampling (top_k: 1 is greedy whatever the seed)", async () => {
    // llama-server documents that a prompt served from its cache (cache_prompt, per slot) may
    // give other logits than one evaluated afresh; with --parallel 2 and earlier tests' prompts in
    // the slots, the same seed then samples another token now and then. The seed is what this
    // checks, so every request here is evaluated afresh.
    const backend = await make({ extraBody: { cache_prompt: false } });
    const sampling = { temperature: 1, maxTokens: 16 };
    const a = await oneTurn(backend, { ...sampling, seed: 1 });
    const again = await oneTurn(backend, { ...sampling, seed: 1 });
    const other = await oneTurn(backend, { ...sampling, seed: 2 });
    assert.equal(again.answer, a.answer, "same seed, same text");
    assert.notEqual(other.answer, a.answer, "another seed, another text");
    assert.equal(a.usage.stopReason, "maxTokens");
    assert.equal(a.usage.generatedTokens, 16);

    const greedy = await make({ extraBody: { top_k: 1, cache_prompt: false } });
    const g1 = await oneTurn(greedy, { ...sampling, seed: 1 });
    const g2 = await oneTurn(greedy, { ...sampling, seed: 2 });
    const zeroTemperature = await oneTurn(backend, { ...sampling, temperature: 0 });
    assert.equal(g1.answer, g2.answer);
    assert.equal(g1.answer, zeroTemperature.answer);
    const last = proxy.requests[proxy.requests.length - 2].body!;
    assert.equal(last.top_k, 1);
  });

  it("warns in the judgment when a turn stops at max tokens", async () => {
    const backend = await make();
    const j = await judge(PAIR, backend, { sampling: { seed: 3, maxTokens: 8 } });
    assert.equal(j.usage.turn1!.stopReason, "maxTokens");
    assert.equal(j.usage.turn1!.generatedTokens, 8);
    assert.ok(j.warnings.some((w) => /Turn 1 stopped at the max-tokens limit \(8\)/.test(w)), j.warnings.join("; "));
  });

  it("uses the server's only model when none is given, and lists it", async () => {
    const models = await listModels({ baseURL: server.baseURL });
    assert.equal(models.length, 1);
    assert.match(models[0], /\.gguf$/);
    const backend = await OpenAIBackend.create({ baseURL: server.baseURL });
    assert.equal(backend.modelName, models[0]);
  });

  it("cancelling a streamed turn stops it at once, and the server stops generating", async () => {
    const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL });
    const controller = new AbortController();
    const conversation = await backend.startConversation();
    let abortedAt = 0;
    let chunks = 0;
    const turn = conversation.turn({
      user: "Write a long story.",
      sampling: withSamplingDefaults({ maxTokens: 3000, seed: 1 }),
      signal: controller.signal,
      onChunk: () => {
        if (++chunks === 10) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(turn, CancelledError);
    const lag = performance.now() - abortedAt;
    assert.ok(lag < 250, `rejected ${lag.toFixed(0)} ms after the abort`);
    assert.ok(chunks < 40, `${chunks} chunks arrived`);
    assert.ok(await waitFor(() => slotsIdle(server.url), 500), "llama-server stopped generating");
  });

  it("cancelling a request that is not streamed stops it at once", async () => {
    const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL, stream: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    await assert.rejects(oneTurn(backend, { maxTokens: 1500, seed: 1 }, controller.signal), CancelledError);
    assert.ok(performance.now() - started < 800);
    // llama-server finishes a non-streamed request even when the client has gone (streamed ones
    // stop at once, above): wait for it so that the next test has the server to itself.
    await waitFor(() => slotsIdle(server.url), 10_000);
  });

  it("reports a server that takes longer than the timeout", async () => {
    const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL, stream: false, timeoutMs: 400 });
    const started = performance.now();
    const e = await rejectsWith(oneTurn(backend, { maxTokens: 1500, seed: 1 }), "TIMEOUT");
    assert.ok(performance.now() - started < 1500);
    assert.match(e.message, /did not answer within 0\.4 s/);
    assert.match(e.message, /Raise the timeout/);
    await waitFor(() => slotsIdle(server.url), 10_000);
  });
});

describe("openai backend: inline <think> blocks (llama-server --reasoning-format none)", () => {
  let server: LlamaServer;
  let proxy: TestServer;
  before(async () => {
    server = await tinyServer(["--reasoning-format", "none"]);
    proxy = await startRecordingProxy(server.baseURL);
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it("streams the think block as thought, parses it, and leaves it out of turn 2's history", async () => {
    const backend = await OpenAIBackend.create({ baseURL: proxy.baseURL, model: MODEL });
    const events: FlowEvent[] = [];
    const j = await judge(PAIR, backend, { constrained: { thinking: "required" }, sampling: { seed: 11, maxTokens: 1024 }, onEvent: (e) => events.push(e) });
    assert.ok(j.verdict === 1 || j.verdict === 2, j.error?.message);
    assert.ok(j.raw.turn1.startsWith("<think>"), "the content itself held the think block");
    const thought = chunksOf(events, 1, "thought").join("");
    assert.ok(thought.trim().length > 0);
    assert.equal(thought.trim(), j.thinking.turn1);
    assert.ok(!chunksOf(events, 1, "answer").join("").includes("think>"), "no tag leaks into answer chunks");
    const turn2 = proxy.requests.filter((r) => r.path === "/v1/chat/completions")[1].body!;
    const assistant = (turn2.messages as { role: string; content: string }[])[1];
    assert.equal(assistant.role, "assistant");
    assert.ok(!assistant.content.includes("<think>"));
    assert.ok(assistant.content.startsWith("[Quality Assessment Focus]"));
  });
});

describe("openai backend: errors from a real llama-server", () => {
  const KEY = "brrm-test-key-7f3a9c";

  it("a stopped server: connection refused, with the next step", async () => {
    const server = await tinyServer();
    await server.stop();
    const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL });
    const e = await rejectsWith(judge(PAIR, backend), "CONNECTION_REFUSED");
    assert.ok(e.message.includes(server.baseURL));
    assert.match(e.message, /Start the server/);
  });

  it("a host that does not resolve: DNS failure", async () => {
    const backend = await OpenAIBackend.create({ baseURL: "http://no-such-host.invalid:8080/v1", model: MODEL });
    const e = await rejectsWith(judge(PAIR, backend), "DNS_FAILED");
    assert.match(e.message, /"no-such-host\.invalid"/);
  });

  it("a server killed mid-stream: the turn fails as cut off", async () => {
    const server = await tinyServer();
    const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL });
    const conversation = await backend.startConversation();
    let chunks = 0;
    const e = await rejectsWith(
      conversation.turn({
        user: "Write a long story.",
        sampling: withSamplingDefaults({ maxTokens: 3000, seed: 1 }),
        onChunk: () => {
          if (++chunks === 10) server.process.kill("SIGKILL");
        },
      }),
      "STREAM_CUT",
    );
    assert.match(e.message, /cut off mid-turn after \d+ tokens/);
    assert.match(e.message, /server's log/);
    await server.stop();
  });

  describe("with --api-key and a small context", () => {
    let server: LlamaServer;
    before(async () => {
      server = await tinyServer(["--api-key", KEY, "-c", "1024"]);
    });
    after(async () => {
      await server?.stop();
    });

    it("401 without a key says where to put one", async () => {
      const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL, keySource: "the environment variable MY_KEY" });
      const e = await rejectsWith(judge(PAIR, backend), "UNAUTHORIZED");
      assert.match(e.message, /needs an API key .*MY_KEY/);
      await rejectsWith(listModels({ baseURL: server.baseURL }), "UNAUTHORIZED");
    });

    it("401 with a wrong key never shows the key", async () => {
      const wrong = "sk-wrong-0123456789abcdef";
      const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL, apiKey: wrong });
      const e = await rejectsWith(judge(PAIR, backend), "UNAUTHORIZED");
      assert.match(e.message, /rejected the API key/);
      assert.ok(!e.message.includes(wrong));
      assert.ok(!String((e.cause as Error)?.message).includes(wrong));
    });

    it("400 for a prompt longer than the context shows the server's message", async () => {
      const backend = await OpenAIBackend.create({ baseURL: server.baseURL, model: MODEL, apiKey: KEY });
      const long = { ...PAIR, response1: "The train arrives at 6:15 pm. ".repeat(150) };
      const e = await rejectsWith(judge(long, backend), "BAD_REQUEST");
      assert.match(e.message, /exceeds the available context size/);
      assert.match(e.message, /Shorten the prompt or responses/);
    });

    it("the right key works, and no result carries it", async () => {
      const backend = await OpenAIBackend.create({ baseURL: server.baseURL, apiKey: KEY });
      const j = await judge({ prompt: "2+2?", response1: "4", response2: "5" }, backend, { sampling: { seed: 2, maxTokens: 16 } });
      assert.equal(j.usage.turn2?.generatedTokens, 16);
      assert.ok(!JSON.stringify(j).includes(KEY));
    });
  });
});
