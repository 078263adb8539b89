// Compare Prompt Variants without an editor: joining the outputs of A and B (one file, or two
// files by id) and B's figures as the mirror of response 1's.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { orderResult, pairResult, type DatasetPair, type PairResult } from "../../src/core/dataset";
import type { Dimension, Judgment } from "../../src/core/judgment";
import { wilson } from "../../src/core/stats";
import { guessFields, variantsFromOneFile, variantsFromTwoFiles } from "../../src/core/variantPairs";
import { flipInterval, renderVariantMarkdown, variantSummary } from "../../src/core/variantReport";

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");

describe("variant pairs", () => {
  it("one file: guesses the fields and makes A response 1, B response 2", () => {
    const text = jsonl([
      { id: "q1", prompt: "Capital of France?", output_a: "Paris.", output_b: "It is Paris, on the Seine." },
      { id: "q2", prompt: "2+2?", output_a: "4", output_b: "" },
      { id: "q1", prompt: "dup", output_a: "x", output_b: "y" },
    ]);
    const fields = guessFields(text);
    assert.deepEqual(fields, { prompt: "prompt", a: "output_a", b: "output_b" });
    const { entries, problems } = variantsFromOneFile(text, fields!, "runs.jsonl");
    assert.equal(entries.length, 1);
    const e = entries[0];
    assert.ok(e.ok);
    assert.deepEqual([e.pair.key, e.pair.order, e.pair.record.responses, e.pair.record.label], ["id:q1", "AB", ["Paris.", "It is Paris, on the Seine."], null]);
    assert.deepEqual(problems.map((p) => p.where), ["runs.jsonl, line 2", "runs.jsonl, line 3"]);
    assert.match(problems[0].reason, /variant B's output is empty/);
    assert.match(problems[1].reason, /id q1 appears twice/);
    assert.equal(guessFields(jsonl([{ question: "q", left: "a", right: "b" }])), undefined);
  });

  it("two files: joined by id, in A's order, with every mismatch reported", () => {
    const a = jsonl([
      { id: 1, input: "Say hi", output: "Hi" },
      { id: 2, input: "Say bye", output: "Bye" },
      { id: 3, input: "Only in A", output: "a" },
      { id: 4, input: "Different input", output: "a" },
      { input: "no id", output: "a" },
    ]);
    const b = jsonl([
      { id: 2, output: "Goodbye!" },
      { id: 1, input: "Say hi", output: "Hello there" },
      { id: 4, input: "Another input", output: "b" },
      { id: 5, input: "Only in B", output: "b" },
    ]);
    const { entries, problems } = variantsFromTwoFiles(a, b, { a: "a.jsonl", b: "b.jsonl" });
    assert.deepEqual(
      entries.map((e) => (e.ok ? [e.pair.id, e.pair.record.prompt, e.pair.record.responses] : null)),
      [
        ["1", "Say hi", ["Hi", "Hello there"]],
        ["2", "Say bye", ["Bye", "Goodbye!"]],
      ],
    );
    const reasons = problems.map((p) => `${p.where}: ${p.reason}`);
    assert.ok(reasons.some((r) => /a\.jsonl, line 3: id 3 is not in b\.jsonl/.test(r)), reasons.join("\n"));
    assert.ok(reasons.some((r) => /a\.jsonl, line 4: id 4 has a different input/.test(r)));
    assert.ok(reasons.some((r) => /a\.jsonl, line 5: no "id"/.test(r)));
    assert.ok(reasons.some((r) => /b\.jsonl, line 4: id 5 is not in a\.jsonl/.test(r)));
  });
});

function judgment(verdict: 1 | 2 | null, dimensions: Dimension[], issues: { response1: string[]; response2: string[] } = { response1: [], response2: [] }): Judgment {
  return {
    verdict, dimensions, issues, analysis: { response1: "", response2: "" }, thinking: { turn1: "", turn2: "" }, raw: { turn1: "", turn2: "" },
    warnings: [], error: null, usage: { turn1: null, turn2: null }, model: "m", backend: "local",
  };
}

/** A pair judged in both orders; `ab`/`ba` are the verdicts as shown (BA shows B first). */
function swapped(id: string, ab: 1 | 2 | null, ba: 1 | 2 | null, dims: Dimension[], issues?: { response1: string[]; response2: string[] }): PairResult {
  const pair: DatasetPair = { key: `id:${id}`, id, line: 1, record: { prompt: `prompt ${id}`, responses: [`A ${id}`, `B ${id}`], label: null, preference: false }, order: "AB", fields: {} };
  return pairResult(pair, [orderResult("AB", [{ judgment: judgment(ab, dims, issues), cached: false }]), orderResult("BA", [{ judgment: judgment(ba, dims), cached: false }])]);
}

describe("variant report", () => {
  it("B's win rate and interval are response 1's turned around", () => {
    const i = wilson(3, 10)!;
    const f = flipInterval(i);
    assert.ok(Math.abs(f.rate - 0.7) < 1e-12 && Math.abs(f.low - (1 - i.high)) < 1e-12 && Math.abs(f.high - (1 - i.low)) < 1e-12 && f.n === 10);
  });

  it("counts B's wins, ranks dimensions and lists the pairs where B lost first", () => {
    const results = [
      // B wins in both orders (AB: response 2; BA: response 1 = B).
      swapped("w1", 2, 1, ["Communication Clarity"]),
      swapped("w2", 2, 1, ["Communication Clarity"]),
      swapped("w3", 2, 1, ["Communication Clarity", "Information Accuracy"]),
      // A wins in both orders, on accuracy: read first.
      swapped("l1", 1, 2, ["Information Accuracy"], { response1: [], response2: ["B says 5"] }),
      // The judge changes its mind.
      swapped("i1", 2, 2, ["Logical Reasoning"]),
    ];
    const v = variantSummary(results);
    assert.deepEqual(v.wins, { a: 1, b: 3, ties: 1, noVerdict: 0 });
    assert.ok(v.bWinRate);
    assert.equal(v.bWinRate.rate, 3.5 / 5);
    assert.equal(v.bWinsMost[0].dimension, "Communication Clarity");
    assert.equal(v.bLosesMost[0].dimension, "Information Accuracy");
    assert.deepEqual(v.readFirst.map((r) => [r.id, r.reason]), [
      ["l1", "A is better in both orders"],
      ["i1", "the judge changed its mind when the order was swapped"],
    ]);
    assert.deepEqual(v.readFirst[0].bIssues, ["B says 5"]);
    const md = renderVariantMarkdown(v, { title: "Prompt variants", problems: [{ where: "x.jsonl, line 9", reason: "<script>alert(1)</script>" }] });
    assert.match(md, /B's win rate over A: 70\.0% \(95% CI/);
    assert.match(md, /## Where B wins most\n\n\| Dimension/);
    assert.match(md, /### id l1: A is better in both orders/);
    assert.ok(!md.includes("<script>"), "text from the data is escaped");
  });
});
