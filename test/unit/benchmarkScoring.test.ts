// Benchmark scoring against figures worked out by hand (the arithmetic is in the comments), and
// the model card's published section figures against its published overall scores.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunSettings, Scoring } from "../../src/core/benchmark/benchmarks";
import { percent } from "../../src/core/benchmark/estimate";
import { PUBLISHED } from "../../src/core/benchmark/published";
import { BenchmarkScoring, jsonSummary, type BenchmarkScores } from "../../src/core/benchmark/scoring";
import { judgedComparison, type Outcome } from "../support/benchmarkResults";

const settings = (name: RunSettings["name"], scoring: Scoring = "official"): RunSettings => ({ name, scoring, prompts: "card", sample: null });

/** A table's rows as percentages to two decimals (null when absent). */
function pcts(s: BenchmarkScores, key: string): Record<string, number | null> {
  const t = s.tables.find((x) => x.key === key)!;
  return Object.fromEntries(t.rows.map((r) => [r.name, r.estimate ? percent(r.estimate.rate) : null]));
}
const score = (s: BenchmarkScores) => (s.score ? percent(s.score.rate) : null);

function rewardBench(scoring: Scoring, data: Record<string, Outcome[]>): BenchmarkScores {
  const b = new BenchmarkScoring(settings("rewardbench", scoring));
  for (const [subset, outcomes] of Object.entries(data)) for (const o of outcomes) b.add(judgedComparison(settings("rewardbench", scoring), { stratum: subset, item: subset }, o));
  return b.scores();
}

describe("RewardBench scoring", () => {
  // Partial: Chat and Reasoning only, some subsets missing.
  const partial: Record<string, Outcome[]> = {
    "alpacaeval-easy": ["chosen", "chosen"], // 2/2
    "alpacaeval-length": ["chosen", "rejected"], // 1/2
    "alpacaeval-hard": ["rejected"], // 0/1
    "mt-bench-easy": ["chosen"], // 1/1
    "mt-bench-med": ["rejected", "chosen"], // 1/2
    "math-prm": ["chosen", "rejected"], // 1/2
    "hep-python": ["chosen", "chosen"], // 2/2
  };

  it("official: sections weight the subsets present by allenai/reward-bench's counts (math-prm as all the code subsets)", () => {
    const s = rewardBench("official", partial);
    // Chat = (1*100 + .5*95 + 0*95 + 1*28 + .5*40) / (100+95+95+28+40) = 195.5/358
    // Reasoning = (.5*984 + 1*164) / (984+164) = 656/1148
    assert.deepEqual(pcts(s, "sections"), { Chat: 54.61, "Chat Hard": null, Safety: null, Reasoning: 57.14 });
    // Score: the mean of the sections present: (195.5/358 + 656/1148) / 2
    assert.equal(score(s), 55.88);
    assert.deepEqual(jsonSummary(s).subsets, {
      "alpacaeval-easy": { accuracy: 100, n: 2 },
      "alpacaeval-length": { accuracy: 50, n: 2 },
      "alpacaeval-hard": { accuracy: 0, n: 1 },
      "mt-bench-easy": { accuracy: 100, n: 1 },
      "mt-bench-med": { accuracy: 50, n: 2 },
      "math-prm": { accuracy: 50, n: 2 },
      "hep-python": { accuracy: 100, n: 2 },
    });
    assert.ok(s.notes.some((n) => /No comparisons of Chat Hard, Safety/.test(n)), s.notes.join("\n"));
  });

  it("paper: each section is the plain mean over its comparisons", () => {
    const s = rewardBench("paper", partial);
    // Chat = 5/8; Reasoning = 3/4 (math pooled with code); score = (.625 + .75) / 2
    assert.deepEqual(pcts(s, "sections"), { Chat: 62.5, "Chat Hard": null, Safety: null, Reasoning: 75 });
    assert.equal(score(s), 68.75);
  });

  it("a complete subset set: one comparison per subset, four of them wrong", () => {
    const wrong = new Set(["alpacaeval-length", "llmbar-natural", "xstest-should-respond", "math-prm"]);
    const all = Object.fromEntries(
      ["alpacaeval-easy", "alpacaeval-length", "alpacaeval-hard", "mt-bench-easy", "mt-bench-med", "mt-bench-hard", "llmbar-natural", "llmbar-adver-neighbor", "llmbar-adver-GPTInst", "llmbar-adver-GPTOut", "llmbar-adver-manual", "refusals-dangerous", "refusals-offensive", "xstest-should-refuse", "xstest-should-respond", "donotanswer", "math-prm", "hep-cpp", "hep-go", "hep-java", "hep-js", "hep-python", "hep-rust"].map((s) => [s, [wrong.has(s) ? "rejected" : "chosen"] as Outcome[]]),
    );
    const official = rewardBench("official", all);
    // Chat 263/358; Chat Hard 356/456; Safety 490/740; Reasoning 984/1968
    assert.deepEqual(pcts(official, "sections"), { Chat: 73.46, "Chat Hard": 78.07, Safety: 66.22, Reasoning: 50 });
    assert.equal(score(official), 66.94);
    assert.deepEqual(official.notes, []);
    const paper = rewardBench("paper", all);
    // Chat 4/5; Chat Hard 5/6; Safety 4/5; Reasoning 6/7
    assert.deepEqual(pcts(paper, "sections"), { Chat: 80, "Chat Hard": 83.33, Safety: 80, Reasoning: 85.71 });
    assert.equal(score(paper), 82.26);
  });

  it("a comparison without a decision counts 0.5 (official generative scoring) or 0 (paper)", () => {
    const data = { "alpacaeval-easy": ["chosen", "none"] as Outcome[] };
    const official = rewardBench("official", data);
    assert.deepEqual(jsonSummary(official).subsets, { "alpacaeval-easy": { accuracy: 75, n: 2 } });
    assert.deepEqual([official.undecided, official.undecidedValue], [1, 0.5]);
    const paper = rewardBench("paper", data);
    assert.deepEqual(jsonSummary(paper).subsets, { "alpacaeval-easy": { accuracy: 50, n: 2 } });
    assert.deepEqual([paper.undecided, paper.undecidedValue], [1, 0]);

    // Orders that disagree after --swap are undecided too; agreeing ones decide.
    const b = new BenchmarkScoring(settings("rewardbench"));
    b.add(judgedComparison(settings("rewardbench"), { stratum: "hep-go", item: "a" }, [["AB", "chosen"], ["BA", "rejected"]]));
    b.add(judgedComparison(settings("rewardbench"), { stratum: "hep-go", item: "b" }, [["BA", "chosen"], ["AB", "chosen"]]));
    assert.deepEqual(jsonSummary(b.scores()).subsets, { "hep-go": { accuracy: 75, n: 2 } });
  });

  it("the --json-summary shape: percentages, sections as numbers, subsets with n", () => {
    const j = jsonSummary(rewardBench("official", partial));
    assert.deepEqual(Object.keys(j).slice(0, 7), ["benchmark", "scoring", "prompts", "score", "interval", "sections", "subsets"]);
    assert.deepEqual([j.benchmark, j.scoring, j.prompts, j.score, j.comparisons], ["rewardbench", "official", "card", 55.88, 12]);
    assert.deepEqual(j.sections, { Chat: 54.61, "Chat Hard": null, Safety: null, Reasoning: 57.14 });
    const [low, high] = j.interval as number[];
    assert.ok(low < 55.88 && 55.88 < high && low >= 0 && high <= 100, `${low}..${high}`);
  });
});

describe("RM-Bench scoring", () => {
  /** A record's 3x3 matrix (rows: chosen style, columns: rejected style; 1 = chosen preferred), judged in mixed orders. */
  function record(b: BenchmarkScoring, domain: string, id: string, m: number[][]) {
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const outcome: Outcome = m[i][j] === 1 ? "chosen" : "rejected";
        // Correct means the chosen response won, whatever position it was shown in.
        const order = (i + j) % 2 === 0 ? "AB" : "BA";
        b.add(judgedComparison(settings("rm-bench"), { key: `rm-bench:${domain}:${id}:${i}x${j}`, stratum: domain.startsWith("safety") ? "safety" : domain, item: `rm-bench:${domain}:${id}`, chosenStyle: i, rejectedStyle: j }, [[order, outcome]]));
      }
  }

  it("levels from matrices computed by hand; records sharing an id in different domains stay apart", () => {
    const b = new BenchmarkScoring(settings("rm-bench"));
    record(b, "chat", "1", [[1, 0, 0], [1, 1, 0], [1, 1, 1]]); // hard 0, normal 1, easy 1
    record(b, "chat", "2", [[1, 1, 0], [1, 0, 1], [0, 1, 1]]); // hard 2/3, normal 2/3, easy 2/3
    record(b, "math", "1", [[1, 1, 0], [1, 1, 1], [1, 1, 1]]); // same id as chat 1: hard 2/3, normal 1, easy 1
    record(b, "safety-refuse", "7", [[1, 0, 0], [0, 1, 0], [0, 0, 1]]); // hard 0, normal 1, easy 0
    record(b, "safety-response", "7", [[1, 1, 1], [1, 1, 1], [1, 1, 1]]); // hard 1, normal 1, easy 1
    const s = b.scores();
    // chat: hard (0 + 2/3)/2, normal (1 + 2/3)/2, easy (1 + 2/3)/2; math: 2/3, 1, 1; safety: 1/2, 1, 1/2
    assert.deepEqual(pcts(s, "grid"), {
      "chat easy": 83.33, "chat normal": 83.33, "chat hard": 33.33,
      "math easy": 100, "math normal": 100, "math hard": 66.67,
      "safety easy": 50, "safety normal": 100, "safety hard": 50,
    });
    // Each level: the mean over the domains present (code has none).
    // hard (1/3 + 2/3 + 1/2)/3 = 1/2; normal (5/6 + 1 + 1)/3; easy (5/6 + 1 + 1/2)/3
    assert.deepEqual(pcts(s, "levels"), { easy: 77.78, normal: 94.44, hard: 50 });
    assert.deepEqual(pcts(s, "domains"), { chat: 66.67, math: 88.89, code: null, safety: 66.67 });
    // The mean of easy, normal and hard.
    assert.equal(score(s), 74.07);
    assert.equal(s.comparisons, 45, "five records of 9 comparisons: none merged");
    assert.ok(s.notes.some((n) => /Records \(domain, id\): chat 2, math 1, safety 2\./.test(n)), s.notes.join("\n"));
  });
});

describe("RMB scoring", () => {
  it("a best-of-N item is right only when the best beats every loser; sections from category_path", () => {
    const st = settings("rmb");
    const b = new BenchmarkScoring(st);
    const bon = (section: string, item: string, outcomes: Outcome[]) => outcomes.forEach((o, k) => b.add(judgedComparison(st, { key: `${item}:${k + 1}`, stratum: section, item, losers: outcomes.length }, o)));
    const pair = (section: string, item: string, o: Outcome) => b.add(judgedComparison(st, { key: item, stratum: section, item }, o));
    bon("BoN Helpfulness", "x", ["chosen", "chosen", "chosen"]); // right
    bon("BoN Helpfulness", "y", ["chosen", "rejected", "chosen"]); // wrong: one loser won
    bon("BoN Helpfulness", "z", ["chosen", "none"]); // wrong: no decision against one loser
    bon("BoN Harmlessness", "w", ["chosen", "chosen"]); // right
    pair("Pairwise Helpfulness", "p1", "chosen");
    pair("Pairwise Helpfulness", "p2", "chosen");
    pair("Pairwise Helpfulness", "p3", "rejected");
    pair("Pairwise Harmlessness", "h1", "chosen");
    // An item with one of its two losers judged so far: not scored yet.
    b.add(judgedComparison(st, { key: "v:1", stratum: "BoN Harmlessness", item: "v", losers: 2 }, "chosen"));
    const s = b.scores();
    assert.deepEqual(pcts(s, "sections"), { "Pairwise Helpfulness": 66.67, "Pairwise Harmlessness": 100, "BoN Helpfulness": 33.33, "BoN Harmlessness": 100 });
    // (2/3 + 1 + 1/3 + 1) / 4
    assert.equal(score(s), 75);
    assert.equal(s.tables[0].rows.find((r) => r.name === "BoN Helpfulness")!.estimate!.n, 3, "n counts items, not comparisons");
    assert.ok(s.notes.some((n) => /1 best-of-N items are not scored/.test(n)), s.notes.join("\n"));
  });
});

describe("published figures", () => {
  /** A scorer fed 1,000 comparisons per row with exactly the published accuracy. */
  function fed(name: RunSettings["name"], rows: { stratum: string; tag?: object; figure: number }[]): number {
    const b = new BenchmarkScoring(settings(name));
    rows.forEach((r, i) => {
      for (let k = 0; k < 1000; k++)
        b.add(judgedComparison(settings(name), { key: `${i}:${k}`, stratum: r.stratum, item: `${i}:${k}`, ...r.tag }, k < Math.round(r.figure * 10) ? "chosen" : "rejected"));
    });
    return percent(b.scores().score!.rate, 1);
  }

  it("the model card's section figures give its published overall scores", () => {
    const rb = PUBLISHED.rewardbench["14B"];
    assert.equal(
      fed("rewardbench", [
        { stratum: "alpacaeval-easy", figure: rb.rows.Chat },
        { stratum: "mt-bench-hard", figure: rb.rows["Chat Hard"] },
        { stratum: "donotanswer", figure: rb.rows.Safety },
        { stratum: "hep-go", figure: rb.rows.Reasoning },
      ]),
      rb.score,
    );
    const rmb = PUBLISHED.rmb["14B"];
    assert.equal(fed("rmb", Object.entries(rmb.rows).map(([stratum, figure]) => ({ stratum, figure }))), rmb.score);
    const rm = PUBLISHED["rm-bench"]["14B"];
    const styles = { easy: { chosenStyle: 2, rejectedStyle: 0 }, normal: { chosenStyle: 1, rejectedStyle: 1 }, hard: { chosenStyle: 0, rejectedStyle: 2 } };
    assert.equal(fed("rm-bench", (["easy", "normal", "hard"] as const).map((l) => ({ stratum: "chat", tag: styles[l], figure: rm.rows[l] }))), rm.score);
    assert.deepEqual([rb.score, rmb.score, rm.score], [92.1, 74.7, 85.9]);
  });
});
