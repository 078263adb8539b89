// The evaluation API the extension calls (DatasetEvaluation over core's evaluate()), in
// process on the tiny model: events, cancellation, and concurrency written against the
// JudgeBackend port; then `brrm eval --backend openai` with requests in flight on llama-server.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { disposeLocalEngine, LocalBackend } from "../../src/backends/llamaCpp";
import type { Conversation, JudgeBackend } from "../../src/core/backend";
import type { PairResult } from "../../src/core/dataset";
import type { EvaluateEvent, RunStats } from "../../src/core/evaluate";
import { DatasetEvaluation } from "../../src/files/datasetEvaluation";
import { CLI, tempDir, tinyModel, TINY } from "../support/fixtures";
import { runCli, tinyServer } from "../support/openaiHelpers";

/** The real backend, with a count of the conversations open at once. */
function counted(backend: JudgeBackend): { backend: JudgeBackend; maxOpen: () => number } {
  let open = 0;
  let max = 0;
  return {
    maxOpen: () => max,
    backend: {
      kind: backend.kind,
      modelName: backend.modelName,
      async startConversation(signal) {
        const c: Conversation = await backend.startConversation(signal);
        max = Math.max(max, ++open);
        return {
          turn: (req) => c.turn(req),
          dispose: () => {
            open--;
            c.dispose();
          },
        };
      },
      dispose: () => backend.dispose(),
    },
  };
}

const PAIRS = [
  { id: "a", prompt: "What is 3 x 4?", response1: "12", response2: "14", label: 1 },
  { id: "b", prompt: "Spell 'dog' backwards.", response1: "dgo", response2: "god", label: 2 },
  { id: "c", prompt: "Is water wet?", response1: "Yes, in everyday terms.", response2: "Purple.", label: 1 },
];

const readResults = (file: string): PairResult[] =>
  fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);

describe("evaluation API in process (the extension's entry point)", () => {
  after(() => disposeLocalEngine());

  it("streams events, runs N comparisons at once on N sequences, and stops on abort keeping what finished", async () => {
    const dir = tempDir();
    const input = path.join(dir, "pairs.jsonl");
    const output = path.join(dir, "out.jsonl");
    fs.writeFileSync(input, `${PAIRS.map((p) => JSON.stringify(p)).join("\n")}\n`);
    const local = await LocalBackend.create({ model: await tinyModel(), ...TINY, parallel: 2 });
    const { backend, maxOpen } = counted(local);
    const evaluation = await DatasetEvaluation.open({ input, output }, "datasetEvaluate test");
    assert.equal(evaluation.inputRecords, 3);
    const controller = new AbortController();
    const events: EvaluateEvent[] = [];
    try {
      const run = await evaluation.run(backend, {
        concurrency: 2,
        constrained: true,
        sampling: { seed: 21 },
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.type === "pairFinished") controller.abort();
        },
      });
      assert.equal(maxOpen(), 2, "two comparisons ran at once");
      assert.equal(run.stats.cancelled, true);
      assert.ok(run.stats.finished >= 1 && run.stats.finished < 3, `finished ${run.stats.finished}`);
      const written = readResults(output);
      assert.equal(written.length, run.stats.finished, "every finished pair is in the file, nothing else");
      assert.equal(run.summary.pairs, run.stats.finished);

      const key = written[0].key;
      const mine = events.filter((e) => "key" in e ? e.key === key : e.type === "pairFinished" && e.result.key === key);
      const kinds = mine.map((e) => (e.type === "flow" ? `flow:${e.event.type}` : e.type));
      assert.equal(kinds[0], "pairStarted");
      assert.equal(kinds.at(-1), "pairFinished");
      assert.ok(kinds.indexOf("flow:turnStarted") < kinds.indexOf("sample"));
      assert.ok(kinds.includes("flow:chunk"), "tokens stream to the caller");
      const last = events.filter((e): e is { type: "progress"; stats: RunStats } => e.type === "progress").at(-1)!;
      assert.equal(last.stats.finished, run.stats.finished);
    } finally {
      await local.dispose();
    }
  });
});

describe("brrm eval --backend openai: requests in flight on llama-server", () => {
  it("judges two pairs at once on a 2-slot server, into results that name the endpoint's model", async () => {
    const server = await tinyServer(["--parallel", "2", "-c", "8192"]);
    try {
      const dir = tempDir();
      const input = path.join(dir, "pairs.jsonl");
      const out = path.join(dir, "out.jsonl");
      fs.writeFileSync(input, `${PAIRS.slice(0, 2).map((p) => JSON.stringify(p)).join("\n")}\n`);
      const args = ["eval", input, "--out", out, "--backend", "openai", "--endpoint", server.baseURL, "--constrained", "--seed", "5", "--max-tokens", "1024", "--cache-dir", path.join(dir, "cache"), "--json-summary"];
      const started = Date.now();
      const r = await runCli(CLI, [...args, "--concurrency", "2"]);
      const wall = Date.now() - started;
      assert.equal(r.code, 0, r.stderr);
      const { run } = JSON.parse(r.stdout) as { run: RunStats };
      assert.deepEqual([run.finished, run.judgments], [2, 2]);
      const results = readResults(out);
      const judgments = results.map((x) => x.orders[0].samples[0].judgment);
      for (const j of judgments) {
        assert.equal(j.backend, "openai");
        assert.ok(j.verdict === 1 || j.verdict === 2);
      }
      // Overlap: the two comparisons together took longer than the whole run.
      const judgeMs = judgments.reduce((t, j) => t + j.usage.turn1!.ms + j.usage.turn2!.ms, 0);
      assert.ok(judgeMs > wall, `comparisons ${judgeMs} ms in a ${wall} ms run: they did not overlap`);

      const again = await runCli(CLI, [...args, "--out", path.join(dir, "again.jsonl")]);
      assert.equal(again.code, 0, again.stderr);
      const cached = (JSON.parse(again.stdout) as { run: RunStats }).run;
      assert.deepEqual([cached.judgments, cached.cachedJudgments], [0, 2], "the same endpoint and model: answered from the cache");
    } finally {
      await server.stop();
    }
  });
});
