// @ts-check
// Tests for the test tools: node --test test/tools/
// The first run builds llama-server from source (~6 min on 2 cores); later runs take seconds.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { cacheDir } from "./cache.mjs";
import { extractFile } from "./llama-bundle.mjs";
import { startLlamaServer } from "./llama-server.mjs";
import { readGgufKVs, tinyModelPath, writeTinyModel } from "./tiny-model.mjs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-tools-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("cacheDir honours BRRM_TEST_CACHE and creates the folder", () => {
  const saved = process.env.BRRM_TEST_CACHE;
  process.env.BRRM_TEST_CACHE = path.join(tmp, "cache");
  try {
    const dir = cacheDir("a", "b");
    assert.equal(dir, path.join(tmp, "cache", "a", "b"));
    assert.ok(fs.statSync(dir).isDirectory());
  } finally {
    if (saved === undefined) delete process.env.BRRM_TEST_CACHE;
    else process.env.BRRM_TEST_CACHE = saved;
  }
});

describe("tiny model", () => {
  test("same seed gives byte-identical files, another seed a different one", async () => {
    const [a, b, c] = ["a", "b", "c"].map((n) => path.join(tmp, `${n}.gguf`));
    await writeTinyModel(a, { seed: 1 });
    await writeTinyModel(b, { seed: 1 });
    await writeTinyModel(c, { seed: 2 });
    const [ba, bb, bc] = [a, b, c].map((f) => fs.readFileSync(f));
    assert.ok(ba.equals(bb), "seed 1 twice: files differ");
    assert.equal(ba.length, bc.length);
    // the weights differ, not only general.name
    assert.ok(!ba.subarray(-1_000_000).equals(bc.subarray(-1_000_000)), "seeds 1 and 2: same weights");
    // the cached one (default seed 1) is the same generator's output
    assert.ok(fs.readFileSync(await tinyModelPath()).equals(ba));
  });

  test("metadata: qwen3 shape, Qwen3 added tokens, eos, chat template", async () => {
    const { version, tensorCount, kvs } = readGgufKVs(fs.readFileSync(await tinyModelPath()));
    const v = (/** @type {string} */ k) => kvs.get(k)?.value;
    assert.equal(version, 3);
    assert.equal(tensorCount, 2n + 2n * 11n);
    assert.equal(v("general.architecture"), "qwen3");
    assert.equal(v("qwen3.block_count"), 2);
    assert.equal(v("qwen3.embedding_length"), 64);
    assert.ok(v("qwen3.context_length") >= 4096);
    const tokens = v("tokenizer.ggml.tokens");
    assert.equal(tokens[151644], "<|im_start|>");
    assert.equal(tokens[151645], "<|im_end|>");
    assert.equal(tokens[151657], "<tool_call>");
    assert.equal(tokens[151658], "</tool_call>");
    assert.equal(tokens[151667], "<think>");
    assert.equal(tokens[151668], "</think>");
    assert.equal(v("tokenizer.ggml.eos_token_id"), 151645);
    assert.equal(v("tokenizer.chat_template"), extractFile("models/templates/Qwen-Qwen3-0.6B.jinja").toString("utf8"));
  });

  test("loads in node-llama-cpp: special tokens, Qwen chat wrapper, generation", async () => {
    const { getLlama, LlamaChatSession, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ build: "never", gpu: false, logLevel: LlamaLogLevel.error });
    try {
      const model = await llama.loadModel({ modelPath: await tinyModelPath() });
      assert.deepEqual([...model.tokenize("<think>", true)], [151667]);
      assert.deepEqual([...model.tokenize("</think>", true)], [151668]);
      assert.deepEqual([...model.tokenize("<|im_start|>", true)], [151644]);
      // control tokens are plain text unless specials are parsed; user-defined ones (<think>, as in
      // real Qwen3 GGUFs) are matched either way
      assert.ok(model.tokenize("<|im_start|>", false).length > 1, "<|im_start|> without specials");
      assert.deepEqual([...model.tokenize("<think>", false)], [151667]);
      assert.equal(model.tokens.eos, 151645);
      assert.equal(model.detokenize(model.tokenize("Hello, wörld! 你好")), "Hello, wörld! 你好");
      assert.match(String(model.fileInfo.metadata.tokenizer.chat_template), /<think>/);
      // THREADS: always 1 in tests (the default, 4 on 2 cores, makes generation crawl)
      const context = await model.createContext({ contextSize: 2048, threads: 1 });
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      assert.equal(session.chatWrapper.constructor.name, "QwenChatWrapper");
      const res = await session.promptWithMeta("hi", { maxTokens: 8, temperature: 0 });
      assert.equal(res.stopReason, "maxTokens");
    } finally {
      await llama.dispose();
    }
  });
});

describe("llama-server", () => {
  /** @type {Awaited<ReturnType<typeof startLlamaServer>> | undefined} */
  let server;
  // the first run builds llama-server (~6 min on 2 cores)
  before(async () => { server = await startLlamaServer({ model: await tinyModelPath(), args: ["-c", "2048"] }); }, { timeout: 30 * 60_000 });
  after(async () => { await server?.stop(); });

  test("answers /v1/chat/completions with the tiny model", async () => {
    assert.ok(server);
    assert.match(server.baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(`${server.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], temperature: 0, max_tokens: 8 }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.choices.length, 1);
    assert.equal(body.choices[0].message.role, "assistant");
    assert.ok(["length", "stop"].includes(body.choices[0].finish_reason), body.choices[0].finish_reason);
  });

  test("stop() ends the process", async () => {
    assert.ok(server);
    const { process: child, url } = server;
    await server.stop();
    assert.ok(child.exitCode !== null || child.signalCode !== null);
    await assert.rejects(fetch(`${url}/health`));
  });
});
