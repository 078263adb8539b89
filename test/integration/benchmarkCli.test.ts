// `brrm benchmark` on small files written in each benchmark's published layout (a RewardBench
// folder with its filtered and raw parquet splits, RM-Bench JSON arrays, an RMB folder tree),
// judged by a protocol server whose verdicts the test controls, so every score is known
// exactly; then resume after a crash, --sample, the report, and usage errors.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PairResult } from "../../src/core/dataset";
import { rewardBenchRow, rmBenchRecord, rmbBon, rmbPair } from "../support/benchmarkRecords";
import { MARK, startControlledJudge, type ControlledJudge } from "../support/benchmarkJudge";
import { CLI, tempDir } from "../support/fixtures";
import { runCli } from "../support/openaiHelpers";
import { writeParquet } from "../support/parquet";

type Outcome = "chosen" | "rejected" | "none";

/** A RewardBench row whose judged outcome is `outcome`: GOOD in the chosen response, the rejected one, or neither. */
function row(id: number, subset: string, outcome: Outcome) {
  const r = rewardBenchRow(id, subset);
  return { ...r, chosen: outcome === "chosen" ? `${r.chosen} ${MARK}` : r.chosen, rejected: outcome === "rejected" ? `${r.rejected} ${MARK}` : r.rejected };
}

const RB_COLUMNS = { prompt: "string", chosen: "string", chosen_model: "string", rejected: "string", rejected_model: "string", subset: "string", id: "int64" } as const;

const RB_ROWS = [
  row(1, "alpacaeval-easy", "chosen"),
  row(2, "alpacaeval-easy", "chosen"),
  row(3, "alpacaeval-hard", "rejected"),
  row(4, "mt-bench-med", "none"),
  row(5, "llmbar-natural", "chosen"),
  row(6, "llmbar-natural", "rejected"),
  row(7, "donotanswer", "chosen"),
  row(8, "math-prm", "chosen"),
  row(9, "math-prm", "none"),
  row(10, "hep-go", "rejected"),
];

const readResults = (file: string): PairResult[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);

describe("brrm benchmark through a judge whose verdicts the test controls", () => {
  let judge: ControlledJudge;
  const dir = tempDir("brrm-bench-");
  const endpoint = () => ["--backend", "openai", "--endpoint", judge.baseURL, "--model", "controlled-judge"];
  const cache = path.join(dir, "cache");
  const bench = (args: string[], opts: Parameters<typeof runCli>[2] = {}) => runCli(CLI, ["benchmark", ...args, ...endpoint()], opts);

  before(async () => {
    judge = await startControlledJudge();
  });
  after(async () => judge.close());

  it("RewardBench from the dataset's folder: only the filtered split, official and paper scores, the results record how they were made", async () => {
    const repo = path.join(dir, "reward-bench");
    fs.mkdirSync(path.join(repo, "data"), { recursive: true });
    await writeParquet(path.join(repo, "data", "filtered-00000-of-00001.parquet"), RB_COLUMNS, RB_ROWS, { rowGroupSize: 4 });
    // The raw split holds rows the filtered one dropped: read, they would change every figure.
    await writeParquet(path.join(repo, "data", "raw-00000-of-00001.parquet"), RB_COLUMNS, [row(11, "hep-go", "chosen"), row(1, "alpacaeval-easy", "rejected")]);
    fs.writeFileSync(path.join(repo, "README.md"), "# reward-bench\n");
    const out = path.join(dir, "rb.results.jsonl");
    const r = await bench(["rewardbench", repo, "--out", out, "--concurrency", "3", "--cache-dir", cache, "--json-summary"]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    // Official, a comparison without a decision counting 0.5: Chat (1*100 + 0*95 + .5*40)/235,
    // Chat Hard .5, Safety 1, Reasoning (.75*984 + 0*164)/1148; the score their mean.
    assert.deepEqual([s.benchmark, s.scoring, s.prompts, s.comparisons], ["rewardbench", "official", "card", 10]);
    assert.deepEqual(s.sections, { Chat: 51.06, "Chat Hard": 50, Safety: 100, Reasoning: 64.29 });
    assert.equal(s.score, 66.34);
    assert.deepEqual((s.subsets as Record<string, unknown>)["math-prm"], { accuracy: 75, n: 2 });
    assert.deepEqual(s.undecided, { comparisons: 2, countedAs: 0.5 });
    assert.equal(s.parseFailures, 2);
    assert.match(r.stderr, /RewardBench: 10 records in 1 files, 10 comparisons\./);

    const results = readResults(out);
    assert.equal(results.length, 10);
    const first = results.find((x) => x.key === "rewardbench:math-prm:8")!;
    assert.deepEqual(first.responses, [RB_ROWS[7].chosen, RB_ROWS[7].rejected]);
    assert.equal(first.correct, true, "the chosen response won, whichever position it was shown in");
    assert.deepEqual(first.fields, {
      chosen_model: "gpt-4",
      rejected_model: "llama-2-7b",
      subset: "math-prm",
      id: 8,
      benchmark: { name: "rewardbench", prompts: "card", scoring: "official", sample: null, stratum: "math-prm", item: "rewardbench:math-prm:8", file: "data/filtered-00000-of-00001.parquet", index: 8 },
    });
    assert.deepEqual(new Set(results.map((x) => x.orders[0].order)), new Set(["AB", "BA"]), "seeded random order");
    const shown = judge.turn1Prompts().find((p) => p.includes("Question 8?"))!;
    assert.match(shown, /^You are a response quality evaluator\. Given the context and two responses/, "the model card's prompt");
    assert.match(shown, /\*\*Context:\*\* \nUser: Question 8\?\n/, "the prompt is the user turn");

    // Paper scoring over the same judgments (all from the cache): plain means, undecided counts 0.
    const paperOut = path.join(dir, "rb-paper.results.jsonl");
    const before = judge.requests.length;
    const p = await bench(["rewardbench", repo, "--out", paperOut, "--scoring", "paper", "--cache-dir", cache, "--json-summary"]);
    assert.equal(p.code, 0, p.stderr);
    const ps = JSON.parse(p.stdout) as Record<string, unknown>;
    assert.equal(judge.requests.length, before, "answered from the cache: the prompts are the same");
    // Chat (2+0+0)/4, Chat Hard 1/2, Safety 1, Reasoning (1+0+0)/3.
    assert.deepEqual(ps.sections, { Chat: 50, "Chat Hard": 50, Safety: 100, Reasoning: 33.33 });
    assert.equal(ps.score, 58.33);
    assert.deepEqual(ps.undecided, { comparisons: 2, countedAs: 0 });

    // brrm report scores a file as recorded, or the other way with --scoring.
    const md = await runCli(CLI, ["report", out]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /- Score: 66\.3 \(95% CI [\d.]+–[\d.]+\) over 10 comparisons; published BR-RM: 8B 91\.0, 14B 92\.1/);
    assert.match(md.stdout, /\| Section \| This run \| 95% CI \| n \(comparisons\) \| Published 8B \| Published 14B \|/);
    assert.match(md.stdout, /\| Chat \| 51\.1 \| [\d.]+–[\d.]+ \| 4 \| – \| 97\.0 \|/);
    const csv = await runCli(CLI, ["report", out, "--format", "csv", "--scoring", "paper"]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^table,name,percent,low,high,n,published_8b,published_14b\r\nscore,RewardBench,58\.3,/);
    const html = await runCli(CLI, ["report", out, "--format", "html"]);
    assert.match(html.stdout, /<svg [^>]*role="img"/);
    assert.match(html.stdout, /content="default-src 'none'; style-src 'unsafe-inline'"/);
  });

  it("--prompts paper: the paper's turn-1 and turn-2 prompts, recorded in the results; a resume must keep them", async () => {
    const file = path.join(dir, "rb.jsonl");
    fs.writeFileSync(file, `${RB_ROWS.slice(0, 2).map((x) => JSON.stringify(x)).join("\n")}\n`);
    const out = path.join(dir, "rb-paper-prompts.results.jsonl");
    const r = await bench(["rewardbench", file, "--out", out, "--prompts", "paper", "--no-cache", "--json-summary"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { prompts: string }).prompts, "paper");
    const turn1 = judge.turn1Prompts().at(-1)!;
    assert.match(turn1, /^You are a response quality evaluator\. Given the context of the conversation \(the last turn is the User's query\)/);
    assert.match(turn1, /\*\*Context:\*\* \n\[The Begin of Context\]\nUser: Question [12]\?\n\[The End of Context\]\n\n\n\*\*Responses:\*\*\n\[The Begin of Response 1\]\n/);
    assert.match(turn1, /  \* Logical Reasoning: conclusion correctness \(CRITICAL\), logical flaws, reasoning gaps\n/);
    assert.match(judge.turn2Prompts().at(-1)!, /Before scoring, analyze step by step\./);
    assert.ok(readResults(out).every((x) => (x.fields.benchmark as { prompts: string }).prompts === "paper"));

    const again = await bench(["rewardbench", file, "--out", out, "--resume", "--no-cache"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /holds results of RewardBench with --prompts paper, not RewardBench with --prompts card\. Resume with the same options/);
  });

  it("RM-Bench from its data folder: total_dataset.json only, nine comparisons per (domain, id) record, levels and domains", async () => {
    const data = path.join(dir, "rm-bench", "data");
    fs.mkdirSync(data, { recursive: true });
    /** GOOD in chosen style i when c[i], in rejected style j when r[j]: cell (i, j) is right when c[i] and not r[j]. */
    const rec = (id: number, domain: string, c: number[], r: number[]) => {
      const x = rmBenchRecord(id, domain);
      return { ...x, chosen: x.chosen.map((t, i) => (c[i] ? `${t} ${MARK}` : t)), rejected: x.rejected.map((t, j) => (r[j] ? `${t} ${MARK}` : t)) };
    };
    const records = [rec(1, "chat", [1, 1, 1], [0, 0, 0]), rec(1, "math", [0, 1, 1], [0, 0, 0]), rec(2, "safety-refuse", [1, 1, 1], [0, 0, 1])];
    fs.writeFileSync(path.join(data, "total_dataset.json"), JSON.stringify(records, null, 1));
    // The per-domain files repeat the same records: read too, they would count twice.
    fs.writeFileSync(path.join(data, "chat_filtered.json"), JSON.stringify([records[0]]));
    const out = path.join(dir, "rm.results.jsonl");
    const r = await bench(["rm-bench", path.join(dir, "rm-bench"), "--out", out, "--concurrency", "4", "--no-cache", "--json-summary"]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(s.comparisons, 27);
    // chat: 1, 1, 1; math: hard 1/3, normal 2/3, easy 1; safety: hard 1/3, normal 2/3, easy 1 (code absent)
    assert.deepEqual(s.levels, { easy: 100, normal: 77.78, hard: 55.56 });
    assert.deepEqual(s.domains, { chat: 100, math: 66.67, code: null, safety: 66.67 });
    assert.equal(s.score, 77.78);
    assert.deepEqual(s.undecided, { comparisons: 6, countedAs: 0 });
    const keys = readResults(out).map((x) => x.key);
    assert.equal(new Set(keys).size, 27);
    assert.ok(keys.includes("rm-bench:chat:1:0x2") && keys.includes("rm-bench:math:1:0x2"), "id 1 in two domains is two records");
  });

  it("RMB from the repository as downloaded: pairwise and best-of-N sections, both orders with --swap", async () => {
    const repo = path.join(dir, "RMB-Reward-Model-Benchmark");
    const put = (rel: string, records: unknown[]) => {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), JSON.stringify(records, null, 1));
    };
    const mark = <T extends { chosen?: { answer: string }; reject?: { answer: string } }>(x: T, where: "chosen" | "reject"): T => ({ ...x, [where]: { ...x[where]!, answer: `${x[where]!.answer} ${MARK}` } });
    const bon = (uid: string, p: string, losers: number, bestGood: boolean, goodLosers: number[]) => {
      const x = rmbBon(uid, p, losers);
      return { ...x, bon_best: { ...x.bon_best, answer: `${x.bon_best.answer}${bestGood ? ` ${MARK}` : ""}` }, loser_list: x.loser_list.map((l, k) => (goodLosers.includes(k) ? { ...l, answer: `${l.answer} ${MARK}` } : l)) };
    };
    put("RMB_dataset/Pairwise_set/Helpfulness/Chat/Discussion.json", [mark(rmbPair("0", "Pairwise_set/Helpfulness/Chat/Discussion"), "chosen"), mark(rmbPair("1", "Pairwise_set/Helpfulness/Chat/Discussion"), "reject")]);
    put("RMB_dataset/Pairwise_set/Harmlessness/S1.json", [mark(rmbPair("15089", "Pairwise_set/Harmlessness/S1"), "chosen")]);
    put("RMB_dataset/BoN_set/Helpfulness/Code/Documentation.json", [bon("10", "BoN_set/Helpfulness/Code/Documentation", 2, true, []), bon("11", "BoN_set/Helpfulness/Code/Documentation", 3, true, [1])]);
    put("RMB_dataset/BoN_set/Harmlessness/S10.json", [bon("2366", "BoN_set/Harmlessness/S10", 2, true, [0])]);
    // Outside RMB_dataset's two sets: the authors' evaluation results, not data.
    put("eval/result/ArmoRM-Llama3-8B-v0.1_result.json", [{ model: "x", score: 1 }]);
    const out = path.join(dir, "rmb.results.jsonl");
    const r = await bench(["rmb", repo, "--out", out, "--swap", "--concurrency", "2", "--no-cache", "--json-summary"]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    // Pairwise Helpfulness 1/2; Pairwise Harmlessness 1/1; BoN Helpfulness: item 10 beats both
    // losers, item 11 loses to one; BoN Harmlessness: item 2366 undecided against one loser.
    assert.deepEqual(s.sections, { "Pairwise Helpfulness": 50, "Pairwise Harmlessness": 100, "BoN Helpfulness": 50, "BoN Harmlessness": 0 });
    assert.equal(s.score, 50);
    assert.equal(s.comparisons, 10);
    assert.match(r.stderr, /RMB: 6 records in 4 files, 10 comparisons\./);
    const results = readResults(out);
    assert.ok(results.every((x) => x.orders.length === 2 && x.orders[0].order !== x.orders[1].order), "both orders judged");
    assert.equal(judge.turn1Prompts().filter((p) => p.includes("BoN prompt 2366")).length, 4, "two losers, two orders each");
    const bonPrompt = judge.turn1Prompts().find((p) => p.includes("BoN prompt 2366"))!;
    assert.match(bonPrompt, /\nUser: Earlier question\nAssistant: Earlier answer\nUser: BoN prompt 2366\n/, "a multi-turn context as User:/Assistant: lines");
  });

  it("--sample: a stratified draw per domain, the margin of the estimate, and a resume must draw the same", async () => {
    const records = ["chat", "math", "code", "safety-refuse"].flatMap((d) => Array.from({ length: 10 }, (_, i) => rmBenchRecord(i + 1, d)));
    const file = path.join(dir, "rm-many.json");
    fs.writeFileSync(file, JSON.stringify(records));
    const out = path.join(dir, "rm-sample.results.jsonl");
    const r = await bench(["rm-bench", file, "--out", out, "--sample", "90", "--order-seed", "4", "--concurrency", "4", "--no-cache", "--json-summary"]);
    assert.equal(r.code, 0, r.stderr);
    // 90 of 360 in proportion: 22.5 per domain, the two remainders to the first names.
    assert.match(r.stderr, /Sample: 90 of 360 comparisons \(chat 23\/90, code 23\/90, math 22\/90, safety 22\/90\)\./);
    const s = JSON.parse(r.stdout) as { comparisons: number; sample: { size: number; of: number; seed: number; marginPoints: number } };
    assert.equal(s.comparisons, 90);
    assert.deepEqual([s.sample.size, s.sample.of, s.sample.seed], [90, 360, 4]);
    assert.ok(s.sample.marginPoints > 0 && s.sample.marginPoints < 50, String(s.sample.marginPoints));
    assert.equal(readResults(out).length, 90);
    const md = await runCli(CLI, ["report", out]);
    assert.match(md.stdout, /- Sample: 90 of 360 comparisons \(seed 4, drawn in proportion per domain\): the whole benchmark's score is within ±[\d.]+ points of this estimate \(95%\)/);

    const same = await bench(["rm-bench", file, "--out", out, "--sample", "90", "--order-seed", "4", "--resume", "--no-cache", "--json-summary"]);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual((JSON.parse(same.stdout) as { run: { skipped: number; finished: number } }).run.skipped, 90, "the same draw: nothing left to judge");
    const other = await bench(["rm-bench", file, "--out", out, "--sample", "100", "--order-seed", "4", "--resume"]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /holds results of RM-Bench with --prompts card --sample 90 --order-seed 4, not RM-Bench with --prompts card --sample 100 --order-seed 4/);
  });

  it("a 3,000-comparison run killed mid-way resumes to every comparison judged once, right as designed", async () => {
    const subsets = ["alpacaeval-easy", "mt-bench-hard", "xstest-should-respond", "math-prm", "hep-rust"];
    const rows = Array.from({ length: 3000 }, (_, i) => row(i + 1, subsets[Math.floor(i / 600)], (i + 1) % 10 === 0 ? "rejected" : "chosen"));
    const file = path.join(dir, "rb-3000.jsonl");
    fs.writeFileSync(file, `${rows.map((x) => JSON.stringify(x)).join("\n")}\n`);
    const out = path.join(dir, "rb-3000.results.jsonl");
    const args = ["rewardbench", file, "--out", out, "--concurrency", "8", "--no-cache", "--no-stream", "--quiet"];
    const lines = () => (fs.existsSync(out) ? fs.readFileSync(out, "utf8").split("\n").length - 1 : 0);
    let killedAt = 0;
    const crashed = await bench(args, {
      onStderr: (_text, child) => {
        const poll = setInterval(() => {
          if (lines() < 600) return;
          clearInterval(poll);
          killedAt = lines();
          child.kill("SIGKILL");
        }, 20);
        child.once("exit", () => clearInterval(poll));
      },
    });
    assert.equal(crashed.signal, "SIGKILL", `killed while running (exit ${crashed.code}: ${crashed.stderr.slice(-300)})`);
    assert.ok(killedAt >= 600 && killedAt < 3000, `killed after ${killedAt} results`);

    const resumed = await bench([...args, "--resume", "--json-summary"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const s = JSON.parse(resumed.stdout) as { comparisons: number; subsets: Record<string, { accuracy: number; n: number }>; run: { skipped: number; finished: number; judgments: number } };
    assert.ok(s.run.skipped >= killedAt - 8 && s.run.skipped + s.run.finished === 3000, JSON.stringify(s.run));
    assert.equal(s.run.judgments, s.run.finished, "only the missing comparisons were judged");
    const results = readResults(out);
    assert.deepEqual([results.length, new Set(results.map((x) => x.key)).size], [3000, 3000], "every comparison once");
    for (const x of results) assert.equal(x.correct, Number(x.id) % 10 !== 0, x.key);
    assert.equal(s.comparisons, 3000);
    // Each subset holds 600 rows, every tenth wrong: 540 right.
    assert.deepEqual(Object.values(s.subsets), subsets.map(() => ({ accuracy: 90, n: 600 })));
  });

  it("usage errors name the problem and the fix, before any model is loaded", async () => {
    const rbFile = path.join(dir, "usage.jsonl");
    fs.writeFileSync(rbFile, `${JSON.stringify(row(1, "hep-go", "chosen"))}\n`);
    const empty = path.join(dir, "no-filtered");
    fs.mkdirSync(path.join(empty, "data"), { recursive: true });
    await writeParquet(path.join(empty, "data", "raw-00000-of-00001.parquet"), RB_COLUMNS, [row(1, "hep-go", "chosen")]);
    const evalResults = path.join(dir, "eval.results.jsonl");
    fs.writeFileSync(evalResults, `${JSON.stringify({ key: "id:1", id: "1", line: 1, prompt: "p", responses: ["a", "b"], label: 1, preference: false, orders: [{ order: "AB", preferred: 1, votes: { response1: 1, response2: 0, none: 0 }, samples: [] }], preferred: 1, consistent: null, correct: true, fields: {} })}\n`);
    const cases: [string[], RegExp][] = [
      [["rewardbnch", rbFile, "--out", "x.jsonl"], /unknown benchmark "rewardbnch": give one of rewardbench, rm-bench, rmb\./],
      [["rewardbench", rbFile], /--out <results\.jsonl> is required/],
      [["rewardbench", rbFile, "--out", path.join(dir, "u1.jsonl"), "--scoring", "fair"], /--scoring must be one of official, paper; got "fair"/],
      [["rewardbench", rbFile, "--out", path.join(dir, "u2.jsonl"), "--prompts", "paper", "--turn1-template", rbFile], /--prompts paper and --turn1-template\/--turn2-template both choose the prompts: pick one\./],
      [["rewardbench", empty, "--out", path.join(dir, "u3.jsonl")], /no file of RewardBench's filtered split \(data\/filtered-00000-of-00001\.parquet in allenai\/reward-bench\)/],
      [["rmb", rbFile, "--out", path.join(dir, "u4.jsonl")], /holds no RMB records \(1 records are not RMB's; the first: usage\.jsonl record 1: no "category_path"/],
      [["rewardbench", rbFile, "--out", evalResults, "--resume"], /holds results of brrm eval, not of a benchmark run\. Give another --out file\./],
      [["rewardbench", path.join(dir, "missing.parquet"), "--out", path.join(dir, "u5.jsonl")], /Dataset not found: .*missing\.parquet/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(CLI, ["benchmark", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    const help = await runCli(CLI, ["benchmark", "--help"]);
    assert.match(help.stdout, /--scoring official\|paper/);
    assert.match(help.stdout, /RewardBench\n    official: accuracy per subset; each section/);
    assert.match(help.stdout, /    paper: each section is the plain mean over its comparisons \(math pooled with code\)/);
  });
});

