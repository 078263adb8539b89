// The pure parts of the OpenAI-compatible backend: splitting streamed `<think>` text, telling
// an ignored grammar from an honoured one, and keeping the key out of every message.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { APIError } from "openai";
import { extraBodyProblem, forcedOpening, ignoredGrammar } from "../../src/backends/openai";
import { causeCode, displayEndpoint, redactor, statusError, type ErrorContext } from "../../src/backends/openaiErrors";
import { InlineThinkSplitter, type ThinkPiece } from "../../src/backends/thinkStream";
import { turn1Grammar, turn2Grammar } from "../../src/core/grammar";

function splitAll(chunks: string[]): ThinkPiece[] {
  const s = new InlineThinkSplitter();
  const pieces = [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
  // Merge neighbours of one kind: where chunk borders fall is not part of the contract.
  const merged: ThinkPiece[] = [];
  for (const p of pieces) {
    const last = merged[merged.length - 1];
    if (last?.kind === p.kind) last.text += p.text;
    else merged.push({ ...p });
  }
  return merged;
}

describe("InlineThinkSplitter", () => {
  const text = "<think>\nweigh both\n</think>\n\n[Quality Assessment Focus]\nLogical Reasoning";
  const expected = [
    { kind: "thought", text: "\nweigh both\n" },
    { kind: "answer", text: "\n\n[Quality Assessment Focus]\nLogical Reasoning" },
  ];

  it("separates a think block sent in one piece", () => {
    assert.deepEqual(splitAll([text]), expected);
  });

  it("finds tags split over chunks the way llama-server sends them", () => {
    // The exact chunking llama-server produced for a think block (see the integration test).
    assert.deepEqual(splitAll(["<think>", "\nweigh both\n", "</", "t", "h", "ink", ">\n", "\n", "[Quality Assessment Focus]\n", "Logical Reasoning"]), expected);
  });

  it("gives the same pieces for every way of cutting the text into two chunks", () => {
    for (let i = 0; i <= text.length; i++) assert.deepEqual(splitAll([text.slice(0, i), text.slice(i)]), expected, `cut at ${i}`);
  });

  it("releases a held '<' that turned out not to be a tag", () => {
    assert.deepEqual(splitAll(["a <", "b"]), [{ kind: "answer", text: "a <b" }]);
    assert.deepEqual(splitAll(["x <thi"]), [{ kind: "answer", text: "x <thi" }]);
  });

  it("keeps an unterminated think block as thought", () => {
    assert.deepEqual(splitAll(["<think>still going"]), [{ kind: "thought", text: "still going" }]);
  });
});

describe("grammar honoured or ignored", () => {
  it("reads the forced opening of both turn grammars", () => {
    assert.equal(forcedOpening(turn1Grammar()), "[Quality Assessment Focus]\n");
    assert.equal(forcedOpening(turn2Grammar({ thinking: "required" })), "[The Begin of Analysis on Response 1]\n");
    assert.equal(forcedOpening("root ::= item+\nitem ::= [a-z]"), undefined);
  });

  it("accepts output that follows the grammar, with thinking inline or already removed, or cut short", () => {
    const g = turn1Grammar();
    assert.equal(ignoredGrammar(g, "[Quality Assessment Focus]\nLogical Reasoning\n[End of Quality Assessment Focus]"), false);
    assert.equal(ignoredGrammar(g, "<think>\nHmm. \n</think>\n\n[Quality Assessment Focus]\nSafety Awareness"), false);
    assert.equal(ignoredGrammar(g, "[Quality Assess"), false);
    assert.equal(ignoredGrammar(g, "<think>\nstill thinking when max tokens hit"), false);
    assert.equal(ignoredGrammar(g, ""), false);
  });

  it("flags output the grammar could not have produced", () => {
    assert.equal(ignoredGrammar(turn1Grammar(), "Sure! Response 1 is better because it is correct."), true);
    assert.equal(ignoredGrammar(turn2Grammar(), "<think>\nok\n</think>\n\n\\boxed{1}"), true);
  });
});

describe("secrets and messages", () => {
  const key = "sk-test-SECRET-0123456789";
  const ctx = (over: Partial<ErrorContext> = {}): ErrorContext => ({
    endpoint: "http://127.0.0.1:1/v1",
    model: "m",
    keySource: "the environment variable MY_KEY",
    hasKey: true,
    sentGrammar: false,
    retried: 0,
    redact: redactor(key),
    ...over,
  });

  it("never shows credentials from the URL", () => {
    assert.equal(displayEndpoint("https://user:pw@example.com:8443/v1/?api-key=abc"), "https://example.com:8443/v1");
  });

  it("hides the key where a server echoes it back", () => {
    const e = APIError.generate(401, { error: { message: `Incorrect API key provided: ${key}` } }, undefined, new Headers());
    const err = statusError(e, ctx());
    assert.equal(err.code, "UNAUTHORIZED");
    assert.ok(!err.message.includes(key), err.message);
    assert.match(err.message, /\*\*\*/);
    assert.match(err.message, /MY_KEY/);
  });

  it("says what to do for each status, in one line", () => {
    const cases: [number, unknown, RegExp][] = [
      [401, { error: { message: "Invalid API Key" } }, /needs an API key .*MY_KEY/],
      [403, { error: { message: "no access" } }, /refused access to "m"/],
      [400, { error: { message: "request (409 tokens) exceeds the available context size (256 tokens)\ntry increasing it" } }, /Shorten the prompt/],
      [429, { error: { message: "slow down" } }, /rate limiting/],
      [503, { error: { message: "loading model" } }, /server error \(503: loading model\)/],
      [404, { detail: "Not Found" }, /lists no models/],
      [400, { error: { message: "Unrecognized request argument supplied: stream_options" } }, /turn streaming off/],
      [404, { error: 'model "brrm" not found, try pulling it first' }, /answered 404 \(model "brrm" not found, try pulling it first\)/],
    ];
    for (const [status, body, re] of cases) {
      const err = statusError(APIError.generate(status, body as object, undefined, new Headers()), ctx({ hasKey: status !== 401 }));
      assert.match(err.message, re);
      assert.ok(!err.message.includes("\n"), err.message);
    }
  });

  it("lists the server's models on a 404", () => {
    const e = APIError.generate(404, { error: { message: "model not found" } }, undefined, new Headers());
    assert.match(statusError(e, ctx({ modelsOnServer: ["brrm-8b", "other"] })).message, /It serves: brrm-8b, other\. Use one/);
  });

  it("finds the socket error code under fetch's wrapping", () => {
    const inner = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    assert.equal(causeCode(new Error("Connection error.", { cause: new TypeError("fetch failed", { cause: inner }) })), "ECONNREFUSED");
  });

  it("refuses extra fields that would break the conversation", () => {
    assert.equal(extraBodyProblem({ top_k: 20, chat_template_kwargs: { enable_thinking: true } }), undefined);
    assert.match(extraBodyProblem({ messages: [] }) ?? "", /messages/);
    assert.match(extraBodyProblem([1]) ?? "", /JSON object/);
  });
});
