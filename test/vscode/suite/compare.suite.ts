// "Compare Responses" end to end in the real extension host with the tiny model (constrained,
// 1 thread, set in the user settings by the runner): the judgment, its diagnostics, the quick
// fix, clearing, JSONL lines, three selections, cancelling, and one run at a time.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import { DIMENSIONS, type Judgment } from "../../../src/core/judgment";
import { brrmDiagnostics, mapped, openAt, panelTab, until, untilTurn1Streams, workspaceUri } from "./helpers";

const compare = () => vscode.commands.executeCommand<Judgment | undefined>("brrm.compareResponses");

function assertJudgment(j: Judgment | undefined): asserts j is Judgment {
  assert.ok(j, "no judgment");
  assert.ok(j.verdict === 1 || j.verdict === 2, `verdict ${j.verdict}: ${j.error?.message}`);
  assert.ok(j.dimensions.length >= 1 && j.dimensions.every((d) => (DIMENSIONS as readonly string[]).includes(d)), j.dimensions.join());
  assert.equal(j.backend, "local");
}

describe("Compare Responses (tiny model)", function () {
  this.timeout(180_000);

  it("a JSON pair: judgment, diagnostics on its strings, quick fix, cleared by an edit", async () => {
    const uri = workspaceUri("pair.json");
    const editor = await openAt("pair.json", 2, 20);
    const j = await compare();
    assertJudgment(j);
    assert.ok(mapped("llama-addon.node"), "the engine is loaded by the first local comparison");

    const diags = brrmDiagnostics(uri);
    const verdict = diags.find((d) => d.message.startsWith("BR-RM prefers"));
    assert.ok(verdict, JSON.stringify(diags.map((d) => d.message)));
    assert.equal(verdict.message, `BR-RM prefers Response ${j.verdict} — focus: ${j.dimensions.join(", ")}`);
    assert.equal(verdict.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(verdict.code, j.dimensions[0]);
    assert.equal(editor.document.getText(verdict.range), "What is 17 * 24?");
    const issues = diags.filter((d) => d !== verdict);
    assert.equal(issues.length, j.issues.response1.length + j.issues.response2.length);
    for (const d of issues) {
      const n = Number(/^Response ([12]):/.exec(d.message)?.[1]);
      assert.equal(d.severity, n === j.verdict ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning, d.message);
      assert.equal(d.range.start.line, n === 1 ? 2 : 3, "an issue sits on its response's line");
    }

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", uri, verdict.range);
    const fix = actions.find((a) => a.title === "Show BR-RM analysis");
    assert.ok(fix?.command, `no quick fix among ${actions.map((a) => a.title).join(", ")}`);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    assert.equal(panelTab(), undefined);
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await until("the judge panel after the quick fix", () => panelTab());

    const again = await vscode.window.showTextDocument(uri);
    await again.edit((e) => e.insert(verdict.range.start.translate(0, 4), "X"));
    assert.deepEqual(brrmDiagnostics(uri), [], "an edit in the judged text clears its diagnostics");
    await vscode.commands.executeCommand("workbench.action.files.revert");
  });

  it("JSONL: the cursor's line is the pair; Clear Diagnostics clears", async () => {
    const uri = workspaceUri("pairs.jsonl");
    await openAt("pairs.jsonl", 1, 10);
    const j = await compare();
    assertJudgment(j);
    const diags = brrmDiagnostics(uri);
    assert.ok(diags.length >= 1);
    assert.deepEqual([...new Set(diags.map((d) => d.range.start.line))], [1], "only line 2's record");
    await vscode.commands.executeCommand("brrm.clearDiagnostics");
    assert.deepEqual(brrmDiagnostics(uri), []);
  });

  it("three selections, in document order whatever order they were made in", async () => {
    const uri = workspaceUri("notes.md");
    const editor = await openAt("notes.md");
    const line = (n: number) => {
      const text = editor.document.lineAt(n).text;
      return new vscode.Selection(n, text.indexOf(": ") + 2, n, text.length);
    };
    editor.selections = [line(4), line(2), line(3)];
    const j = await compare();
    assertJudgment(j);
    const verdict = brrmDiagnostics(uri).find((d) => d.message.startsWith("BR-RM prefers"));
    assert.ok(verdict);
    assert.equal(editor.document.getText(verdict.range), "What is the boiling point of water at sea level, in degrees Celsius?");
  });

  it("Cancel stops a running comparison at once and places nothing", async () => {
    await vscode.commands.executeCommand("brrm.clearDiagnostics");
    await openAt("pair.json", 2, 20);
    const running = compare();
    await untilTurn1Streams();
    const asked = Date.now();
    assert.equal(await vscode.commands.executeCommand("brrm.cancel"), true);
    assert.equal(await running, undefined);
    const ms = Date.now() - asked;
    assert.ok(ms < 3000, `cancel took ${ms} ms`);
    assert.deepEqual(brrmDiagnostics(workspaceUri("pair.json")), []);
    assert.equal(await vscode.commands.executeCommand("brrm.cancel"), false, "nothing left to cancel");
  });

  it("a new comparison replaces the running one", async () => {
    await openAt("pair.json", 2, 20);
    const first = compare();
    await untilTurn1Streams();
    await openAt("pairs.jsonl", 0, 5);
    const second = compare();
    assert.equal(await first, undefined, "the first run was cancelled");
    assertJudgment(await second);
    assert.ok(brrmDiagnostics(workspaceUri("pairs.jsonl")).length >= 1);
  });

  it("with nothing to compare it opens the panel", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await openAt("plain.txt", 0, 0);
    assert.equal(await compare(), undefined);
    await until("the judge panel", () => panelTab());
  });
});
