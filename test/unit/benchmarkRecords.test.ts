// Benchmark records in their published shapes -> the comparisons judged: how many, which response
// is chosen, the context, keys, tags and seeded orders; records that are not the benchmark's; and
// --sample's stratified, seeded draw.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunSettings } from "../../src/core/benchmark/benchmarks";
import { benchmarkPairs, type BenchmarkRecords } from "../../src/core/benchmark/comparisons";
import { SamplePlanner } from "../../src/core/benchmark/sampling";
import { BENCHMARK_RECORDS } from "../../src/core/benchmark/scoring";
import { seededOrder, type DatasetEntry, type DatasetPair } from "../../src/core/dataset";
import type { SourceEntry } from "../../src/core/datasetSource";
import { rewardBenchRow, rmBenchRecord, rmbBon, rmbPair } from "../support/benchmarkRecords";

const settings = (name: RunSettings["name"]): RunSettings => ({ name, prompts: "card", scoring: "official", sample: null });

async function* source(values: unknown[], file = "data.json"): AsyncGenerator<SourceEntry> {
  for (const [i, value] of values.entries()) yield { ok: true, record: { value, file, index: i + 1 } };
}

async function expand(records: BenchmarkRecords, values: unknown[], orderSeed = 0): Promise<{ pairs: DatasetPair[]; bad: string[] }> {
  const pairs: DatasetPair[] = [];
  const bad: string[] = [];
  for await (const e of benchmarkPairs(source(values), records, { settings: settings(records.id), orderSeed }) as AsyncGenerator<DatasetEntry>) {
    if (e.ok) pairs.push(e.pair);
    else bad.push(e.reason);
  }
  return { pairs, bad };
}

describe("benchmark records", () => {
  it("RewardBench: one comparison per row, the prompt as the user turn, chosen first, the model fields carried", async () => {
    const { pairs, bad } = await expand(BENCHMARK_RECORDS.rewardbench, [rewardBenchRow(30, "alpacaeval-easy"), rewardBenchRow(2015, "math-prm")]);
    assert.deepEqual(bad, []);
    assert.equal(pairs.length, 2);
    const p = pairs[0];
    assert.equal(p.key, "rewardbench:alpacaeval-easy:30");
    assert.deepEqual(p.record, { prompt: [{ role: "user", content: "Question 30?" }], responses: ["A good answer to 30.", "A poor answer to 30."], label: 1, preference: true, id: "30" });
    assert.equal(p.order, seededOrder(p.key, 0));
    assert.deepEqual(p.fields, {
      chosen_model: "gpt-4",
      rejected_model: "llama-2-7b",
      subset: "alpacaeval-easy",
      id: 30,
      benchmark: { name: "rewardbench", prompts: "card", scoring: "official", sample: null, stratum: "alpacaeval-easy", item: "rewardbench:alpacaeval-easy:30", file: "data.json", index: 1 },
    });
  });

  it("RM-Bench: nine comparisons per record, every chosen style against every rejected one; (domain, id) keys", async () => {
    const { pairs, bad } = await expand(BENCHMARK_RECORDS["rm-bench"], [rmBenchRecord(7, "chat"), rmBenchRecord(7, "safety-refuse")]);
    assert.deepEqual(bad, [], "the same id in two domains is two records");
    assert.equal(pairs.length, 18);
    const cell = pairs.find((p) => p.key === "rm-bench:chat:7:0x2")!;
    assert.deepEqual(cell.record.responses, ["right chat 7 concise", "wrong chat 7 detailed markdown"]);
    assert.deepEqual(cell.fields.benchmark, { name: "rm-bench", prompts: "card", scoring: "official", sample: null, stratum: "chat", item: "rm-bench:chat:7", chosenStyle: 0, rejectedStyle: 2, file: "data.json", index: 1 });
    assert.equal((pairs.find((p) => p.key === "rm-bench:safety-refuse:7:1x1")!.fields.benchmark as { stratum: string }).stratum, "safety");
    assert.equal(new Set(pairs.map((p) => p.key)).size, 18);
    const orders = new Set(pairs.map((p) => p.order));
    assert.deepEqual([...orders].sort(), ["AB", "BA"], "shown in a random order per comparison");
  });

  it("RMB: a pairwise record is one comparison, a best-of-N record one per loser; the conversation is the context", async () => {
    const { pairs, bad } = await expand(BENCHMARK_RECORDS.rmb, [rmbPair("15089", "Pairwise_set/Harmlessness/S1"), rmbBon("2366", "BoN_set/Helpfulness/Code/Documentation", 3)]);
    assert.deepEqual(bad, []);
    assert.deepEqual(pairs.map((p) => p.key), ["rmb:Pairwise_set/Harmlessness/S1:15089", "rmb:BoN_set/Helpfulness/Code/Documentation:2366:1", "rmb:BoN_set/Helpfulness/Code/Documentation:2366:2", "rmb:BoN_set/Helpfulness/Code/Documentation:2366:3"]);
    assert.deepEqual(pairs[0].record.responses, ["best answer 15089", "worse answer 15089"]);
    assert.deepEqual(pairs[2].record.prompt, [{ role: "user", content: "Earlier question" }, { role: "assistant", content: "Earlier answer" }, { role: "user", content: "BoN prompt 2366" }]);
    assert.deepEqual(pairs[2].record.responses, ["best answer 2366", "loser 2 of 2366"]);
    const tag = pairs[2].fields.benchmark as Record<string, unknown>;
    assert.deepEqual([tag.stratum, tag.item, tag.losers], ["BoN Helpfulness", "rmb:BoN_set/Helpfulness/Code/Documentation:2366", 3]);
    assert.deepEqual([pairs[2].fields.chosen_model, pairs[2].fields.rejected_model, pairs[2].fields.loser], ["Llama-2-70b-chat-hf", "model-1", 2]);
    assert.equal((pairs[0].fields.benchmark as Record<string, unknown>).stratum, "Pairwise Harmlessness");
  });

  it("reports records that are not the benchmark's with the file, position and what is wrong; a repeated record once", async () => {
    const rb = await expand(BENCHMARK_RECORDS.rewardbench, [{ ...rewardBenchRow(1, "alpacaeval-easy"), chosen: ["x"] }, rewardBenchRow(2, "not-a-subset"), rewardBenchRow(3, "hep-go"), rewardBenchRow(3, "hep-go")]);
    assert.equal(rb.pairs.length, 1);
    assert.match(rb.bad[0], /^data\.json record 1: "chosen" must be text, got an array \(RewardBench records have prompt, chosen, rejected, subset, id\)$/);
    assert.match(rb.bad[1], /^data\.json record 2: subset "not-a-subset" is not one of RewardBench v1's filtered subsets \(alpacaeval-easy, /);
    assert.match(rb.bad[2], /^data\.json record 4: repeats rewardbench:hep-go:3, first seen in data\.json record 3; a record is judged once$/);
    const rm = await expand(BENCHMARK_RECORDS["rm-bench"], [{ ...rmBenchRecord(1, "chat"), chosen: ["a", "b"] }, rmBenchRecord(2, "poetry")]);
    assert.match(rm.bad[0], /"chosen" must be an array of 3 texts \(concise, detailed plain, detailed markdown\)/);
    assert.match(rm.bad[1], /domain "poetry" is not one of RM-Bench's/);
    const rmb = await expand(BENCHMARK_RECORDS.rmb, [{ ...rmbBon("1", "BoN_set/Harmlessness/S1", 2), loser_list: [] }, rmbPair("2", "Other_set/Helpfulness/x"), { ...rmbPair("3", "Pairwise_set/Helpfulness/Chat"), reject: "text" }]);
    assert.match(rmb.bad[0], /"loser_list" must be a non-empty array/);
    assert.match(rmb.bad[1], /category_path "Other_set\/Helpfulness\/x" does not start with Pairwise_set\/ or BoN_set\//);
    assert.match(rmb.bad[2], /"reject" must be \{answer: text, llm_name\}/);
  });

  it("the order of a comparison depends only on the seed and its key", async () => {
    const a = await expand(BENCHMARK_RECORDS["rm-bench"], [rmBenchRecord(1, "math"), rmBenchRecord(2, "math")], 3);
    const b = await expand(BENCHMARK_RECORDS["rm-bench"], [rmBenchRecord(2, "math")], 3);
    const c = await expand(BENCHMARK_RECORDS["rm-bench"], [rmBenchRecord(2, "math")], 4);
    assert.deepEqual(b.pairs.map((p) => p.order), a.pairs.slice(9).map((p) => p.order));
    assert.notDeepEqual(c.pairs.map((p) => p.order), b.pairs.map((p) => p.order));
  });
});

describe("--sample: a stratified, seeded draw", () => {
  function planner(): SamplePlanner {
    const p = new SamplePlanner();
    for (let i = 0; i < 600; i++) p.add(`a${i}`, "alpha");
    for (let i = 0; i < 300; i++) p.add(`b${i}`, "beta");
    for (let i = 0; i < 100; i++) p.add(`c${i}`, "gamma");
    return p;
  }

  it("takes N comparisons in proportion to each stratum, the same for the same seed", () => {
    const draw = planner().draw(100, 7);
    assert.deepEqual(draw.strata, [
      { name: "alpha", drawn: 60, of: 600 },
      { name: "beta", drawn: 30, of: 300 },
      { name: "gamma", drawn: 10, of: 100 },
    ]);
    assert.deepEqual([draw.size, draw.of], [100, 1000]);
    const picked = (d: ReturnType<SamplePlanner["draw"]>) => Array.from({ length: 600 }, (_, i) => `a${i}`).filter((u) => d.has(u, "alpha"));
    assert.equal(picked(draw).length, 60);
    assert.deepEqual(picked(planner().draw(100, 7)), picked(draw));
    assert.notDeepEqual(picked(planner().draw(100, 8)), picked(draw));
  });

  it("splits the remainder by the largest fractions, and draws a best-of-N item whole", () => {
    const p = new SamplePlanner();
    for (let i = 0; i < 10; i++) p.add(`x${i}`, "x");
    for (let i = 0; i < 5; i++) p.add(`bon${i}`, "y", 4);
    // 7 of 30: x 2.33 -> 2, y 4.67 -> 5; y takes whole items of 4 until it has 5 or more: 8.
    const d = p.draw(7, 1);
    assert.deepEqual(d.strata, [{ name: "x", drawn: 2, of: 10 }, { name: "y", drawn: 8, of: 20 }]);
    assert.equal(Array.from({ length: 5 }, (_, i) => `bon${i}`).filter((u) => d.has(u, "y")).length, 2);
  });
});
