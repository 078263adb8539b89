// `brrm benchmark` against a real OpenAI-compatible server: llama-server on the tiny model,
// constrained so every judgment has a verdict (random, since the model knows nothing). The
// files are in each benchmark's published layout; a recording proxy shows what was sent.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PairResult } from "../../src/core/dataset";
import { rewardBenchRow, rmBenchRecord, rmbBon, rmbPair } from "../support/benchmarkRecords";
import { CLI, tempDir } from "../support/fixtures";
import { runCli, tinyServer, type LlamaServer } from "../support/openaiHelpers";
import { startRecordingProxy, type TestServer } from "../support/openaiProtocol";
import { writeParquet } from "../support/parquet";

const readResults = (file: string): PairResult[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);

describe("brrm benchmark on llama-server with the tiny model", () => {
  let server: LlamaServer;
  let proxy: TestServer;
  const dir = tempDir("brrm-bench-llama-");
  const run = (args: string[]) =>
    runCli(CLI, ["benchmark", ...args, "--backend", "openai", "--endpoint", proxy.baseURL, "--constrained", "--seed", "3", "--max-tokens", "512", "--concurrency", "2", "--no-cache", "--json-summary"]);

  before(async () => {
    server = await tinyServer(["--parallel", "2", "-c", "8192"]);
    proxy = await startRecordingProxy(server.baseURL);
  });
  after(async () => {
    await proxy.close();
    await server.stop();
  });

  it("RewardBench parquet, RM-Bench JSON and an RMB folder: every comparison judged with a verdict, scored", async () => {
    const rb = path.join(dir, "filtered-00000-of-00001.parquet");
    await writeParquet(rb, { prompt: "string", chosen: "string", chosen_model: "string", rejected: "string", rejected_model: "string", subset: "string", id: "int64" }, [
      rewardBenchRow(1, "alpacaeval-easy"),
      rewardBenchRow(2, "llmbar-natural"),
      rewardBenchRow(3, "donotanswer"),
      rewardBenchRow(4, "hep-cpp"),
    ]);
    const rm = path.join(dir, "total_dataset.json");
    fs.writeFileSync(rm, JSON.stringify([rmBenchRecord(1, "math")]));
    const rmb = path.join(dir, "RMB_dataset");
    fs.mkdirSync(path.join(rmb, "Pairwise_set", "Helpfulness", "Chat"), { recursive: true });
    fs.mkdirSync(path.join(rmb, "BoN_set", "Harmlessness"), { recursive: true });
    fs.writeFileSync(path.join(rmb, "Pairwise_set", "Helpfulness", "Chat", "Discussion.json"), JSON.stringify([rmbPair("0", "Pairwise_set/Helpfulness/Chat/Discussion")]));
    fs.writeFileSync(path.join(rmb, "BoN_set", "Harmlessness", "S1.json"), JSON.stringify([rmbBon("9", "BoN_set/Harmlessness/S1", 2)]));

    for (const [benchmark, input, comparisons, table] of [
      ["rewardbench", rb, 4, "sections"],
      ["rm-bench", rm, 9, "levels"],
      ["rmb", rmb, 3, "sections"],
    ] as const) {
      const out = path.join(dir, `${benchmark}.results.jsonl`);
      const extra = benchmark === "rmb" ? ["--prompts", "paper"] : [];
      const r = await run([benchmark, input, "--out", out, ...extra]);
      assert.equal(r.code, 0, `${benchmark}: ${r.stderr}`);
      const s = JSON.parse(r.stdout) as Record<string, unknown> & { score: number; parseFailures: number };
      assert.equal(s.comparisons, comparisons, benchmark);
      assert.equal(s.parseFailures, 0, `${benchmark}: constrained, every judgment has a verdict`);
      assert.ok(s.score >= 0 && s.score <= 100, `${benchmark}: ${s.score}`);
      assert.ok(Object.values(s[table] as Record<string, number | null>).some((v) => v !== null), `${benchmark}: ${JSON.stringify(s[table])}`);
      const results = readResults(out);
      assert.equal(results.length, comparisons);
      for (const x of results) {
        const j = x.orders[0].samples[0].judgment;
        assert.equal(j.backend, "openai");
        assert.ok(j.verdict === 1 || j.verdict === 2, x.key);
      }
    }
    // The paper's prompts reached the server for RMB, its conversation as User:/Assistant: lines.
    const sent = proxy.requests.map((q) => (q.body?.messages as { content: string }[] | undefined)?.[0]?.content ?? "");
    const paper = sent.filter((t) => t.includes("[The Begin of Context]\nUser: Earlier question\nAssistant: Earlier answer\nUser: BoN prompt 9\n[The End of Context]"));
    assert.equal(paper.length, 2 * 2, "two losers, two turns each");
  });
});
