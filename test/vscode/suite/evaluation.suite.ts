// "Evaluate Dataset…" and "Compare Prompt Variants…" in the real extension host with the
// tiny model: a results file beside the dataset with the report shown, a resume that judges
// nothing twice, and B's win rate over A from one file and from two files joined by id.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as vscode from "vscode";
import { parseResultLine } from "../../../src/core/dataset";
import type { DatasetRunOutcome } from "../../../src/extension/evaluation/evaluateDataset";
import type { VariantOutcome } from "../../../src/extension/evaluation/compareVariants";
import { SHAPES } from "../../support/publishedShapes";
import { workspaceUri } from "./helpers";

const reportText = async (uri: vscode.Uri | undefined) => {
  assert.ok(uri, "no report");
  return (await vscode.workspace.openTextDocument(uri)).getText();
};

describe("evaluations", function () {
  this.timeout(180_000);

  it("Evaluate Dataset: results beside the dataset, the bad line reported, the report shown; a resume judges nothing again", async () => {
    const outcome = await vscode.commands.executeCommand<DatasetRunOutcome>("brrm.evaluateDataset", workspaceUri("dataset.jsonl"));
    assert.ok(outcome?.stats, outcome?.error);
    assert.equal(outcome.output, workspaceUri("dataset.results.jsonl").fsPath);
    assert.deepEqual([outcome.stats.finished, outcome.stats.badLines, outcome.stats.failed], [1, 1, 0]);
    const results = fs.readFileSync(outcome.output, "utf8").split("\n").filter(Boolean);
    assert.equal(results.length, 1);
    const parsed = parseResultLine(results[0]);
    assert.ok(parsed.ok);
    assert.equal(parsed.result.id, "d1");
    const report = await reportText(outcome.report);
    assert.match(report, /^# BR-RM evaluation: dataset\.jsonl\n/);
    assert.match(report, /- Pairs: 1 \(1 with a label\)/);
    assert.match(report, /Dataset line 2 skipped: missing "response1"/);

    const again = await vscode.commands.executeCommand<DatasetRunOutcome>("brrm.evaluateDataset", workspaceUri("dataset.jsonl"), { resume: true });
    assert.ok(again?.stats);
    assert.deepEqual([again.stats.finished, again.stats.skipped, again.stats.judgments], [0, 1, 0]);
    assert.equal(fs.readFileSync(outcome.output, "utf8").split("\n").filter(Boolean).length, 1, "no duplicate lines");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("Evaluate Dataset on a folder (as the explorer passes it): parquet and gzip read as published, results beside the folder, the report with the tie", async () => {
    const outcome = await vscode.commands.executeCommand<DatasetRunOutcome>("brrm.evaluateDataset", workspaceUri("hub"));
    assert.ok(outcome?.stats, outcome?.error);
    assert.equal(outcome.output, workspaceUri("hub.results.jsonl").fsPath);
    const cases = ["HelpSteer3 preference", "UltraFeedback binarized"].flatMap((n) => SHAPES.find((s) => s.name === n)!.cases);
    assert.deepEqual([outcome.stats.finished, outcome.stats.badLines, outcome.stats.failed], [cases.length, 0, 0]);
    const results = fs.readFileSync(outcome.output, "utf8").split("\n").filter(Boolean).map((l) => {
      const parsed = parseResultLine(l);
      assert.ok(parsed.ok);
      return parsed.result;
    });
    for (const c of cases) {
      const r = results.find((x) => x.responses[0] === c.responses[0]);
      assert.ok(r, c.what);
      assert.deepEqual([r.prompt, r.label], [c.context, c.label], c.what);
      assert.match(r.key, /^data\/(helpsteer3\.jsonl\.gz|train_prefs-00000-of-00001\.parquet):line:\d$/);
    }
    const report = await reportText(outcome.report);
    assert.match(report, /^# BR-RM evaluation: hub\n/);
    assert.match(report, /- Pairs: 4 \(3 with a label\)/);
    assert.match(report, /- Labelled as ties: 1 pairs, not counted in the accuracy/);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("Compare Prompt Variants, one file: A against B in both orders, B's win rate is A's mirrored", async () => {
    const outcome = await vscode.commands.executeCommand<VariantOutcome>("brrm.compareVariants", { file: workspaceUri("variants.jsonl") });
    assert.ok(outcome);
    assert.equal(outcome.summary.pairs, 1);
    assert.deepEqual(outcome.pairs.problems.map((p) => p.where), ["variants.jsonl, line 2"], "the line with an empty output is reported");
    const [r] = outcome.results;
    assert.deepEqual(r.orders.map((o) => o.order), ["AB", "BA"], "always both orders");
    assert.deepEqual(r.responses, ["Entropy is disorder.", "Entropy measures the number of microstates consistent with a macrostate."]);
    const a = outcome.summary.summary.response1WinRate;
    const b = outcome.summary.bWinRate;
    assert.ok(a && b);
    assert.equal(b.rate, 1 - a.rate);
    assert.equal(b.low, 1 - a.high);
    const report = await reportText(outcome.report);
    assert.match(report, /B's win rate over A: \d+\.\d% \(95% CI/);
    assert.match(report, /## Where B wins most/);
    assert.match(report, /## Lines not compared \(1\)/);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("Compare Prompt Variants, two files joined by id: unmatched ids reported, the same pair answered from the cache", async () => {
    const outcome = await vscode.commands.executeCommand<VariantOutcome>("brrm.compareVariants", { fileA: workspaceUri("variant-a.jsonl"), fileB: workspaceUri("variant-b.jsonl") });
    assert.ok(outcome);
    assert.equal(outcome.summary.pairs, 1);
    assert.equal(outcome.results[0].id, "1");
    assert.equal(outcome.summary.summary.cachedJudgments, 2, "both orders were judged by the previous test");
    const reasons = outcome.pairs.problems.map((p) => `${p.where}: ${p.reason}`);
    assert.deepEqual(reasons, ["variant-a.jsonl, line 2: id 2 is not in variant-b.jsonl", "variant-b.jsonl, line 2: id 3 is not in variant-a.jsonl"]);
    assert.match(await reportText(outcome.report), /^# Prompt variants: variant-b\.jsonl \(B\) over variant-a\.jsonl \(A\)/);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });
});
