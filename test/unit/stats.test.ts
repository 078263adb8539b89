import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reviewReasons, summarize, wilson } from "../../src/core/stats";
import { resultOf } from "../support/judgments";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 5e-4, `${what}: ${a} vs ${b}`);

describe("stats", () => {
  it("Wilson interval matches published values and stays inside [0, 1]", () => {
    // Reference values: Newcombe (1998), Table I, and any Wilson calculator (z = 1.96).
    const cases: [number, number, number, number][] = [
      [8, 10, 0.4902, 0.9433],
      [0, 10, 0, 0.2775],
      [10, 10, 0.7225, 1],
      [50, 100, 0.4038, 0.5962],
      [81, 263, 0.2553, 0.3662],
    ];
    for (const [k, n, low, high] of cases) {
      const i = wilson(k, n)!;
      close(i.low, low, `${k}/${n} low`);
      close(i.high, high, `${k}/${n} high`);
      assert.equal(i.rate, k / n);
      assert.equal(i.n, n);
    }
    assert.equal(wilson(0, 0), null);
  });

  it("wins, ties, accuracy, consistency and position bias from swapped results", () => {
    const results = [
      // Consistent for response 1 (shown first in AB, second in BA); label 1: right.
      resultOf({ line: 1, label: 1, dims: ["Information Accuracy"] }, [["AB", [1]], ["BA", [2]]]),
      // Both orders pick the response shown first: inconsistent, a tie; label 2: wrong.
      resultOf({ line: 2, label: 2, dims: ["Logical Reasoning", "Information Accuracy"] }, [["AB", [1]], ["BA", [1]]]),
      // Consistent for response 2; no label.
      resultOf({ line: 3, dims: ["Logical Reasoning"] }, [["BA", [1]], ["AB", [2]]]),
      // No verdict in either order; label 1: wrong.
      resultOf({ line: 4, label: 1 }, [["AB", [null]], ["BA", [null]]]),
      // A verdict in one order only: not counted for consistency, no decision.
      resultOf({ line: 5, label: 2, cached: true }, [["AB", [2]], ["BA", [null]]]),
    ];
    const s = summarize(results);
    assert.equal(s.pairs, 5);
    assert.deepEqual(s.wins, { response1: 1, response2: 1, ties: 2, noVerdict: 1 });
    // Win rate of response 1: (1 + 2/2) / (1 + 1 + 2).
    assert.equal(s.response1WinRate!.rate, 0.5);
    assert.equal(s.response1WinRate!.n, 4);
    assert.deepEqual([s.labeled, s.correct, s.accuracy!.rate], [4, 1, 0.25]);
    assert.deepEqual([s.swapped, s.consistent, s.inconsistent, s.consistency!.rate], [5, 2, 1, 2 / 3]);
    // Verdicts as shown: 1, 2 | 1, 1 | 1, 2 | - | 2  -> 4 of 7 preferred the first shown.
    assert.deepEqual([s.firstShownPreferred!.n, s.firstShownPreferred!.rate], [7, 4 / 7]);
    assert.deepEqual([s.judgments, s.parseFailures, s.failureCodes, s.cachedJudgments], [10, 3, { NO_VERDICT: 3 }, 2]);
    assert.deepEqual(s.tokens, { prompt: 2000, generated: 1000 });
    assert.equal(s.judgeMs, 20_000);
  });

  it("per-dimension counts and wins are in the record's terms, whatever the order shown", () => {
    const s = summarize([
      resultOf({ line: 1, dims: ["Safety Awareness"] }, [["BA", [1]]]), // record's response 2 wins
      resultOf({ line: 2, dims: ["Safety Awareness", "Communication Clarity"] }, [["AB", [1]]]), // response 1 wins
      resultOf({ line: 3, dims: ["Safety Awareness"] }, [["BA", [2]]]), // response 1 wins
      resultOf({ line: 4, dims: ["Communication Clarity"] }, [["AB", [null]]]), // chosen, no verdict
    ]);
    const d = Object.fromEntries(s.dimensions.map((x) => [x.dimension, x]));
    assert.deepEqual([d["Safety Awareness"].chosen, d["Safety Awareness"].response1Wins, d["Safety Awareness"].response2Wins], [3, 2, 1]);
    assert.equal(d["Safety Awareness"].response1WinRate!.rate, 2 / 3);
    assert.equal(d["Safety Awareness"].share, 3 / 4);
    assert.deepEqual([d["Communication Clarity"].chosen, d["Communication Clarity"].response1WinRate!.n], [2, 1]);
    assert.equal(d["Information Accuracy"].chosen, 0);
    assert.equal(d["Information Accuracy"].response1WinRate, null);
  });

  it("tie labels: judged and kept, out of labeled/correct/accuracy, with the judge's split on them", () => {
    const s = summarize([
      resultOf({ line: 1, label: "tie" }, [["AB", [1]]]),
      resultOf({ line: 2, label: "tie" }, [["BA", [1]]]), // shown swapped: the record's response 2
      resultOf({ line: 3, label: "tie" }, [["AB", [1]], ["BA", [1]]]), // inconsistent: neither
      resultOf({ line: 4, label: "tie" }, [["AB", [null]]]),
      resultOf({ line: 5, label: 1 }, [["AB", [1]]]),
    ]);
    assert.deepEqual([s.pairs, s.labeled, s.correct, s.accuracy!.rate], [5, 1, 1, 1]);
    assert.deepEqual([s.tieLabels, s.tieLabelSplit], [4, { response1: 1, response2: 1, tie: 1, noVerdict: 1 }]);
    assert.deepEqual(reviewReasons(resultOf({ label: "tie" }, [["AB", [2]]])), [], "a tie label is never disagreed with");
  });

  it("accuracy per subset, sorted by name; none without a subset field", () => {
    const s = summarize([
      resultOf({ line: 1, label: 1, fields: { subset: "math-prm" } }, [["AB", [1]]]),
      resultOf({ line: 2, label: 1, fields: { subset: "math-prm" } }, [["AB", [2]]]),
      resultOf({ line: 3, label: 1, fields: { subset: "alpacaeval-easy" } }, [["BA", [2]]]),
      resultOf({ line: 4, label: "tie", fields: { subset: "alpacaeval-easy" } }, [["AB", [1]]]),
      resultOf({ line: 5, label: 2 }, [["AB", [2]]]),
    ]);
    assert.deepEqual(
      s.subsets.map((x) => [x.subset, x.pairs, x.labeled, x.correct, x.accuracy?.rate]),
      [["alpacaeval-easy", 2, 1, 1, 1], ["math-prm", 2, 2, 1, 0.5]],
    );
    assert.deepEqual(summarize([resultOf({ label: 1 }, [["AB", [1]]])]).subsets, []);
  });

  it("flags pairs that disagree with the label or with themselves after a swap", () => {
    assert.deepEqual(reviewReasons(resultOf({ label: 1 }, [["AB", [2]]])), ["judged 2 against label 1"]);
    assert.deepEqual(reviewReasons(resultOf({ label: 1 }, [["AB", [1]], ["BA", [1]]])), ["no decision against label 1", "inconsistent after swap"]);
    assert.deepEqual(reviewReasons(resultOf({}, [["AB", [2]], ["BA", [2]]])), ["inconsistent after swap"]);
    assert.deepEqual(reviewReasons(resultOf({ label: 2 }, [["AB", [2]], ["BA", [1]]])), []);
  });
});
