// The flow on the real llama.cpp engine (node-llama-cpp) with the tiny random-weight model.
// The model knows nothing, so constrained mode is what makes it answer in BR-RM's format.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { disposeLocalEngine, LocalBackend } from "../../src/backends/llamaCpp";
import { BrrmError, CancelledError } from "../../src/core/errors";
import { judge, type FlowEvent } from "../../src/core/flow";
import { DIMENSIONS } from "../../src/core/judgment";
import { buildPrompts } from "../../src/core/prompts";
import { tempDir, TINY, tinyModel } from "../support/fixtures";

const PAIR = { prompt: "What is 2+2?", response1: "2+2=4", response2: "2+2=5" };

describe("local backend on the tiny model", () => {
  let model: string;
  let backend: LocalBackend;
  before(async () => {
    model = await tinyModel();
    backend = await LocalBackend.create({ model, ...TINY });
  });
  after(async () => {
    await backend?.dispose();
    await disposeLocalEngine();
  });

  it("constrained mode: two turns on one sequence give a verdict, dimensions, issues and thinking", async () => {
    const events: FlowEvent[] = [];
    const j = await judge(PAIR, backend, { constrained: { thinking: "required" }, sampling: { seed: 7 }, onEvent: (e) => events.push(e) });
    assert.ok(j.verdict === 1 || j.verdict === 2, `verdict ${j.verdict}, error ${JSON.stringify(j.error)}`);
    assert.equal(j.error, null);
    assert.ok(j.dimensions.length >= 1 && j.dimensions.length <= 3);
    for (const d of j.dimensions) assert.ok((DIMENSIONS as readonly string[]).includes(d));
    assert.ok(j.analysis.response1.length > 0 && j.analysis.response2.length > 0);
    assert.deepEqual(j.warnings, []);
    assert.equal(j.backend, "local");
    assert.equal(j.model, path.basename(model, ".gguf"));

    // Thinking arrived apart from the answer and is kept apart in the judgment.
    assert.ok(j.thinking.turn1.length > 0 && j.thinking.turn2.length > 0);
    assert.ok(j.raw.turn1.startsWith("<think>"));
    assert.ok(!j.raw.turn1.split("</think>")[1].includes("<think>"));
    assert.ok(events.some((e) => e.type === "chunk" && e.turn === 1 && e.kind === "thought"));
    assert.ok(events.some((e) => e.type === "chunk" && e.turn === 2 && e.kind === "answer"));

    // Events in order: turn 1, turn 2, judgment.
    const order = events.filter((e) => e.type !== "chunk").map((e) => (e.type === "judgment" ? e.type : `${e.type}${e.turn}`));
    assert.deepEqual(order, ["turnStarted1", "turnFinished1", "turnStarted2", "turnFinished2", "judgment"]);

    // Turn 2 continued turn 1's sequence: the whole turn-1 prompt came from the KV cache.
    const [u1, u2] = [j.usage.turn1!, j.usage.turn2!];
    assert.ok(u1.generatedTokens > 0 && u2.generatedTokens > 0);
    assert.ok(u2.promptTokens > u1.promptTokens);
    assert.ok(u2.cachedTokens >= u1.promptTokens - 1, `turn 2 re-used ${u2.cachedTokens} of turn 1's ${u1.promptTokens} prompt tokens`);
    assert.equal(u1.stopReason, "eos");
  });

  it("injects no system prompt: turn 1 is the bare user message in Qwen's chat format", async () => {
    const j = await judge(PAIR, backend, { sampling: { maxTokens: 1, seed: 1 } });
    const { getLlama } = await import("node-llama-cpp");
    const llama = await getLlama({ build: "never", gpu: false });
    const m = await llama.loadModel({ modelPath: model });
    const bare = `<|im_start|>user\n${buildPrompts(PAIR).turn1}<|im_end|>\n<|im_start|>assistant\n`;
    const expected = m.tokenize(bare, true).length;
    await m.dispose();
    assert.equal(j.usage.turn1!.promptTokens, expected);
  });

  it("stops at max tokens with a warning, and no verdict from a model that never got to it", async () => {
    const j = await judge(PAIR, backend, { sampling: { maxTokens: 12, seed: 3 } });
    assert.equal(j.usage.turn1!.stopReason, "maxTokens");
    assert.ok(j.usage.turn1!.generatedTokens <= 12);
    assert.match(j.warnings[0], /Turn 1 stopped at the max-tokens limit \(12\)/);
    assert.equal(j.verdict, null);
    assert.ok(j.error);
  });

  it("cancelling mid-turn returns promptly, frees the sequence, and the next comparison works", async () => {
    const controller = new AbortController();
    let chunksAfterAbort = 0;
    const run = judge(PAIR, backend, {
      constrained: true,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type !== "chunk") return;
        if (controller.signal.aborted) chunksAfterAbort++;
        else if (e.turn === 1) controller.abort();
      },
    });
    await assert.rejects(run, CancelledError);
    assert.ok(chunksAfterAbort <= 2, `${chunksAfterAbort} chunks arrived after the abort`);
    const next = await judge(PAIR, backend, { sampling: { maxTokens: 4, seed: 1 } });
    assert.equal(next.usage.turn2!.stopReason, "maxTokens");
  });

  it("an input longer than the context is refused before generating, with the counts", async () => {
    const small = await LocalBackend.create({ model, ...TINY, contextSize: 512 });
    try {
      const long = { ...PAIR, response1: "The answer is four. ".repeat(200) };
      await assert.rejects(judge(long, small), (e: unknown) => {
        assert.ok(e instanceof BrrmError);
        assert.equal(e.code, "INPUT_TOO_LONG");
        assert.match(e.message, /needs \d{4} prompt tokens but the context holds 512/);
        return true;
      });
    } finally {
      await small.dispose();
    }
  });
});

describe("local backend: bad model files", () => {
  const dir = tempDir();
  const expectCode = async (modelPath: string, code: string, message: RegExp) => {
    await assert.rejects(LocalBackend.create({ model: modelPath, ...TINY }), (e: unknown) => {
      assert.ok(e instanceof BrrmError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("    at "), "no stack trace in the message");
      return true;
    });
  };
  it("a missing file names the path and the fix", () => expectCode(path.join(dir, "nope.gguf"), "MODEL_NOT_FOUND", /Model file not found: .*nope\.gguf\. Check the path/));
  it("a file that is not a GGUF says so", async () => {
    const file = path.join(dir, "notes.gguf");
    fs.writeFileSync(file, "this is not a model");
    await expectCode(file, "MODEL_INVALID", /is not a GGUF model file/);
  });
  it("a truncated GGUF fails cleanly and says to download it again", async () => {
    const file = path.join(dir, "truncated.gguf");
    fs.writeFileSync(file, fs.readFileSync(await tinyModel()).subarray(0, 1 << 20));
    await expectCode(file, "MODEL_INVALID", /could not load .*truncated or corrupt/);
  });
});
