// The exit status of runs over many pairs: which code wins when several reasons apply, and
// that every reason is said.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exitStatus, type RunEnd } from "../../src/cli/exitStatus";
import { wilson } from "../../src/core/stats";

const clean: RunEnd = { cancelled: false, pairs: 10, failed: 0, badLines: 0, allowBadLines: false, thresholds: [], retry: "run again with --resume to retry them" };
const accuracy = (correct: number, n: number, min: number) => ({ flag: "--fail-under-accuracy", what: "Accuracy", min, measured: wilson(correct, n), missing: "no pair has a label" });

describe("exit status", () => {
  it("0 for a clean run; each reason alone gives its own code", () => {
    assert.deepEqual(exitStatus(clean), { code: 0, lines: [] });
    assert.equal(exitStatus({ ...clean, failed: 1 }).code, 1);
    assert.equal(exitStatus({ ...clean, badLines: 2 }).code, 4);
    assert.equal(exitStatus({ ...clean, badLines: 2, allowBadLines: true }).code, 0);
    assert.equal(exitStatus({ ...clean, pairs: 0 }).code, 5);
    assert.equal(exitStatus({ ...clean, thresholds: [accuracy(7, 10, 0.8)] }).code, 6);
    assert.equal(exitStatus({ ...clean, cancelled: true }).code, 130);
  });

  it("the most serious code wins, and every reason is still said", () => {
    const all = exitStatus({ ...clean, failed: 1, badLines: 3, thresholds: [accuracy(1, 10, 0.8)] });
    assert.equal(all.code, 1);
    assert.equal(all.lines.length, 3);
    assert.equal(exitStatus({ ...clean, badLines: 3, thresholds: [accuracy(1, 10, 0.8)] }).code, 6, "a missed gate outranks skipped lines");
    assert.equal(exitStatus({ ...clean, pairs: 0, badLines: 3, allowBadLines: true }).code, 5, "allowing bad lines does not allow judging nothing");
    assert.equal(exitStatus({ ...clean, cancelled: true, failed: 2 }).code, 130);
  });

  it("a threshold compares the point estimate: equal passes, a missing figure fails, an interrupted run checks none", () => {
    const exact = exitStatus({ ...clean, thresholds: [accuracy(8, 10, 0.8)] });
    assert.equal(exact.code, 0);
    assert.match(exact.lines[0], /^Accuracy 80\.0% \(95% CI 49\.0%–94\.3%, n = 10\) meets --fail-under-accuracy 80\.0%\.$/);
    const missing = exitStatus({ ...clean, thresholds: [{ ...accuracy(0, 0, 0.5), measured: null }] });
    assert.deepEqual(missing, { code: 6, lines: ["--fail-under-accuracy 50.0% cannot be checked: no pair has a label. Failing."] });
    assert.deepEqual(exitStatus({ ...clean, cancelled: true, thresholds: [accuracy(0, 10, 0.9)] }).lines, []);
  });
});
