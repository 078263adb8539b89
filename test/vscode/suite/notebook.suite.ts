// Pair notebooks in the real extension host with the tiny model (constrained, 1 thread): the
// serializer's round trip (unedited lines byte for byte, edits into their field only, unknown
// fields and saved judgments kept), running cells with the controller (results saved in the
// line and readable by `brrm eval`'s reader), stopping one cell, "BR-RM: Cancel" giving a
// cell its saved judgment back, the summary, and the two notebook commands.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as vscode from "vscode";
import { JUDGMENT_MIME, type NotebookOutput, type ResultOutput } from "../../../media/src/notebookProtocol";
import { jsonlRecords, readDataset, type DatasetEntry } from "../../../src/core/dataset";
import { PairNotebookSerializer } from "../../../src/extension/notebook/serializer";
import { tallyNotebook } from "../../../src/extension/notebook/summary";
import { recordToCell } from "../../../src/extension/notebook/cellFormat";
import { savedOutcome } from "../../support/notebookFixtures";
import { PUBLISHED_IN_NOTEBOOK, SHAPES } from "../../support/publishedShapes";
import { extension, until, workspaceUri } from "./helpers";

const NOTEBOOK_TYPE = "brrm-pairs";

function payload(cell: vscode.NotebookCell): NotebookOutput | undefined {
  for (const o of cell.outputs)
    for (const item of o.items) if (item.mime === JUDGMENT_MIME) return JSON.parse(new TextDecoder().decode(item.data)) as NotebookOutput;
  return undefined;
}

function result(cell: vscode.NotebookCell): ResultOutput {
  const p = payload(cell);
  assert.equal(p?.kind, "result", `cell ${cell.index + 1} has no result: ${JSON.stringify(cell.outputs.map((o) => o.items.map((i) => i.mime)))}`);
  return p as ResultOutput;
}

const errorText = (cell: vscode.NotebookCell) =>
  cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === "application/vnd.code.notebook.error").map((i) => new TextDecoder().decode(i.data))).join("\n");

async function open(name: string): Promise<vscode.NotebookDocument> {
  const notebook = await vscode.workspace.openNotebookDocument(workspaceUri(name));
  await vscode.window.showNotebookDocument(notebook);
  return notebook;
}

/**
 * Replaces text inside a cell, as typing would, and waits until the notebook here (the
 * extension host's copy) has taken the change: applyEdit() resolves when the text changed, and
 * a save or a check made right after must see the edited notebook.
 */
async function editCell(cell: vscode.NotebookCell, from: string, to: string): Promise<void> {
  const text = cell.document.getText();
  const at = text.indexOf(from);
  assert.ok(at >= 0, `"${from}" is not in the cell`);
  const version = cell.notebook.version;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(cell.document.uri, new vscode.Range(cell.document.positionAt(at), cell.document.positionAt(at + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
  await until("the notebook to take the edit", () => cell.notebook.version > version);
}

/**
 * Saves, and waits until the file holds the save. VS Code's save() can answer false for a save
 * it carries out a moment later (seen right after the extension activated: save() false, the
 * notebook still dirty, and the serializer called for that very content afterwards), so the
 * state waited for is the saved file and a clean notebook, not save()'s answer. A save that
 * never happens still fails here, saying what changed the notebook meanwhile.
 */
async function save(notebook: vscode.NotebookDocument): Promise<void> {
  const changes: string[] = [];
  const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
    if (e.notebook !== notebook) return;
    const cells = e.cellChanges.map((c) => `cell ${c.cell.index}:${c.document ? " text" : ""}${c.outputs ? " outputs" : ""}${c.metadata ? " metadata" : ""}${c.executionSummary ? " execution" : ""}`);
    changes.push(`[${[...cells, ...(e.contentChanges.length ? ["cells added/removed"] : []), ...(e.metadata ? ["notebook metadata"] : [])].join(", ")}] dirty ${notebook.isDirty}`);
  });
  const before = fs.readFileSync(notebook.uri.fsPath, "utf8");
  try {
    if (await notebook.save()) return;
    await until("the save to reach the file", () => !notebook.isDirty && fs.readFileSync(notebook.uri.fsPath, "utf8") !== before, 30_000).catch(() => {
      assert.fail(`the notebook was not saved (save() answered false); dirty now ${notebook.isDirty}; file written: ${fs.readFileSync(notebook.uri.fsPath, "utf8") !== before}; changes during the save: ${changes.join(" | ") || "none"}`);
    });
  } finally {
    sub.dispose();
  }
}

const lines = (name: string) => fs.readFileSync(workspaceUri(name).fsPath, "utf8").split("\n").filter(Boolean);
const ended = (cell: vscode.NotebookCell) => cell.executionSummary?.timing?.endTime !== undefined;

/** Runs cells; the command resolves when they have all ended, so callers that watch them running do not await it first. */
function runCells(notebook: vscode.NotebookDocument, start: number, end: number): Thenable<unknown> {
  return vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start, end }], document: notebook.uri });
}

describe("pair notebooks", function () {
  this.timeout(180_000);

  it("a *.pairs.jsonl opens as a BR-RM notebook: a cell per line, titled by the record's fields", async () => {
    const notebook = await open("judge.pairs.jsonl");
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.ok(extension().isActive, "opening the notebook activates the extension");
    const cells = notebook.getCells();
    assert.deepEqual(cells.map((c) => c.document.languageId), ["markdown", "markdown", "json"]);
    assert.equal(cells[0].document.getText(), "## Prompt\nWhat is 17 * 24?\n\n## Response 1\n17 * 24 = 408.\n\n## Response 2\n17 * 24 = 418.");
    assert.match(cells[1].document.getText(), /^## Prompt\nCapital of Australia\?\n\n## Chosen\nCanberra\.\n\n## Rejected\nSydney <b>obviously<\/b>\.$/);
    assert.equal(cells[2].document.getText(), "this line is not JSON");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("public datasets' shapes open as cells of the context turns and the two responses; saving keeps each record's shape", async () => {
    const before = fs.readFileSync(workspaceUri("published.pairs.jsonl").fsPath, "utf8");
    const notebook = await open("published.pairs.jsonl");
    const cases = PUBLISHED_IN_NOTEBOOK.map((n) => SHAPES.find((s) => s.name === n)!.cases[0]);
    const cells = notebook.getCells();
    assert.equal(cells.length, cases.length);
    cells.forEach((cell, i) => assert.equal(cell.document.getText(), recordToCell(cases[i].record), PUBLISHED_IN_NOTEBOOK[i]));
    // HelpSteer3: the context's turns by role, then its two responses.
    assert.match(cells[0].document.getText(), /^## User\nWrite a Python function that reverses a string\.\n\n## Assistant\n[^]*\n\n## User\nNow make it skip whitespace\.\n\n## Response 1\n/);
    // UltraFeedback: the shared user turn only, never the chosen answer its messages field repeats.
    assert.equal(cells[1].document.getText(), "## User\nHow many legs does a spider have?\n\n## Chosen\nA spider has eight legs.\n\n## Rejected\nSpiders have six legs, like all insects.");

    // An edit in the HH-RLHF cell stays a transcript; the other lines are written back byte for byte.
    await editCell(cells[2], "Cats do not need names.", "Cats rarely answer to names.");
    assert.ok(notebook.isDirty, "the edit made the notebook dirty");
    await save(notebook);
    const after = fs.readFileSync(workspaceUri("published.pairs.jsonl").fsPath, "utf8").split("\n");
    const original = before.split("\n");
    assert.deepEqual(after.filter((_, i) => i !== 2), original.filter((_, i) => i !== 2));
    const hh = JSON.parse(after[2]) as { chosen: string; rejected: string };
    assert.equal(hh.chosen, (cases[2].record as { chosen: string }).chosen);
    assert.equal(hh.rejected, (cases[2].record as { rejected: string }).rejected.replace("Cats do not need names.", "Cats rarely answer to names."));
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("saving writes untouched lines byte for byte and an edit into its field only", async () => {
    const before = lines("edit.pairs.jsonl");
    const notebook = await open("edit.pairs.jsonl");
    await editCell(notebook.cellAt(0), "17 * 24 = 418.", "17 * 24 = 428, I think.");
    assert.ok(notebook.isDirty);
    await save(notebook);
    const after = lines("edit.pairs.jsonl");
    assert.equal(after.length, 3);
    const edited = JSON.parse(after[0]) as Record<string, unknown>;
    const original = JSON.parse(before[0]) as Record<string, unknown>;
    assert.deepEqual(edited, { ...original, response2: "17 * 24 = 428, I think." });
    assert.deepEqual(Object.keys(edited), Object.keys(original), "fields keep their order");
    assert.equal(after[1], before[1]);
    assert.equal(after[2], before[2], "a line that is not a pair is kept as it was");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("a judgment saved in the file shows at open, survives a save, and is marked stale once the pair changes", async () => {
    const notebook = await open("saved.pairs.jsonl");
    const shown = result(notebook.cellAt(0));
    assert.deepEqual(shown.result, savedOutcome().result);
    assert.deepEqual(shown.titles, ["Response 1", "Response 2"]);
    assert.equal(shown.stale, undefined);

    await editCell(notebook.cellAt(0), "12 is prime.", "12 is prime, like 11.");
    await save(notebook);
    const [line] = lines("saved.pairs.jsonl");
    const value = JSON.parse(line) as Record<string, unknown>;
    assert.equal(value.note, "keep me");
    assert.deepEqual(value.brrm, savedOutcome(), "the judgment is saved with the line");
    // Reopened (the serializer reads the file again): the output says it is about other text.
    const reopened = new PairNotebookSerializer().deserializeNotebook(fs.readFileSync(workspaceUri("saved.pairs.jsonl").fsPath));
    const item = reopened.cells[0].outputs?.[0]?.items.find((i) => i.mime === JUDGMENT_MIME);
    assert.equal((JSON.parse(new TextDecoder().decode(item!.data)) as ResultOutput).stale, true);
    // Put the text back for the cancel test below.
    await editCell(notebook.cellAt(0), "12 is prime, like 11.", "12 is prime.");
    await save(notebook);
  });

  it("Run All judges every pair with the tiny model; the judgments are saved in the lines and brrm eval still reads the file", async () => {
    const notebook = await open("judge.pairs.jsonl");
    const started = Date.now();
    await vscode.commands.executeCommand("notebook.execute", notebook.uri);
    const cells = notebook.getCells();
    await until("every cell to finish", () => cells.every(ended), 150_000);
    console.log(`      Run All (2 pairs, 1 thread): ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (const cell of cells.slice(0, 2)) {
      assert.equal(cell.executionSummary?.success, true, errorText(cell));
      const r = result(cell).result;
      assert.equal(r.orders.length, 1, "swap is off by default");
      assert.ok(r.preferred === 1 || r.preferred === 2, `verdict ${r.preferred}`);
      assert.ok(r.orders[0].samples[0].judgment.dimensions.length >= 1);
    }
    assert.deepEqual(result(cells[1]).titles, ["Chosen", "Rejected"]);
    assert.equal(result(cells[0]).result.label, 1);
    assert.equal(result(cells[0]).result.correct, result(cells[0]).result.preferred === 1);
    assert.equal(cells[2].executionSummary?.success, false);
    assert.match(errorText(cells[2]), /not a pair to judge: not valid JSON/);

    const tally = tallyNotebook(notebook);
    assert.deepEqual([tally.pairs, tally.judged, tally.errors], [3, 2, 1]);
    const report = await vscode.commands.executeCommand<vscode.Uri>("brrm.notebookReport");
    assert.ok(report);
    assert.match((await vscode.workspace.openTextDocument(report)).getText(), /^# BR-RM notebook: judge\.pairs\.jsonl\n\n## Summary\n\n- Pairs: 2 \(2 with a label\)/);

    await save(notebook);
    const saved = lines("judge.pairs.jsonl");
    assert.equal(saved.length, 3);
    const first = JSON.parse(saved[0]) as { source: unknown; score: unknown; brrm: { result: { preferred: number } } };
    assert.deepEqual([first.source, first.score], [{ set: "arith", n: 3 }, 0.5]);
    assert.equal(first.brrm.result.preferred, result(cells[0]).result.preferred);
    assert.equal(saved[2], "this line is not JSON");
    const entries: DatasetEntry[] = [];
    const text = fs.readFileSync(workspaceUri("judge.pairs.jsonl").fsPath, "utf8");
    for await (const e of readDataset(jsonlRecords((async function* () {
      yield text;
    })(), "judge.pairs.jsonl"))) entries.push(e);
    assert.deepEqual(entries.map((e) => e.ok), [true, true, false], "the saved file is still a dataset");

    // Reopened from disk, the outputs are back.
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const data = new PairNotebookSerializer().deserializeNotebook(fs.readFileSync(workspaceUri("judge.pairs.jsonl").fsPath));
    const back = data.cells[0].outputs?.[0]?.items.find((i) => i.mime === JUDGMENT_MIME);
    assert.deepEqual((JSON.parse(new TextDecoder().decode(back!.data)) as ResultOutput).result, result(cells[0]).result);
  });

  it("BR-RM: Cancel stops a running cell and gives it its saved judgment back", async () => {
    const notebook = await open("saved.pairs.jsonl");
    const cell = notebook.cellAt(0);
    const running = runCells(notebook, 0, 1);
    await until("the cell to stream tokens", () => {
      const p = payload(cell);
      return p?.kind === "progress" && p.jobs.some((j) => j.tokens > 0);
    }, 60_000);
    assert.equal(await vscode.commands.executeCommand("brrm.cancel"), true);
    await running;
    await until("the cell to end", () => ended(cell), 20_000);
    assert.equal(cell.executionSummary?.success, undefined, "a stopped cell is neither passed nor failed");
    assert.deepEqual(result(cell).result, savedOutcome().result);
    assert.equal(notebook.isDirty, true, "the outputs were replaced and restored");
    await save(notebook);
    assert.deepEqual((JSON.parse(lines("saved.pairs.jsonl")[0]) as { brrm: unknown }).brrm, savedOutcome());
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("Open as BR-RM Notebook on any JSONL; a cell stopped while it waits leaves the running one alone", async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>("brrm.openAsNotebook", workspaceUri("plain.jsonl"));
    assert.ok(uri);
    const notebook = await until("the notebook", () => vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === workspaceUri("plain.jsonl").toString() && n.notebookType === NOTEBOOK_TYPE));
    await until("its editor", () => vscode.window.activeNotebookEditor?.notebook === notebook);
    const [first, second] = notebook.getCells();
    const running = runCells(notebook, 0, 2);
    // Concurrency 1: the second cell waits for the first.
    await until("the first cell to stream", () => {
      const p = payload(first);
      return p?.kind === "progress" && p.jobs.some((j) => j.tokens > 0);
    }, 60_000);
    assert.equal(payload(second)?.kind, "progress");
    await vscode.commands.executeCommand("notebook.cell.cancelExecution", { ranges: [{ start: 1, end: 2 }], document: notebook.uri });
    await until("the second cell to end", () => ended(second), 20_000);
    assert.equal(ended(first), false, "the first cell still runs");
    assert.deepEqual(second.outputs, [], "the stopped cell is back to no output");
    await running;
    await until("the first cell to finish", () => ended(first), 60_000);
    assert.equal(first.executionSummary?.success, true, errorText(first));
    assert.ok(result(first).result.preferred !== undefined);
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });

  it("New Evaluation Notebook: an untitled BR-RM notebook with an example pair", async () => {
    const notebook = await vscode.commands.executeCommand<vscode.NotebookDocument>("brrm.newNotebook");
    assert.ok(notebook);
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.equal(notebook.isUntitled, true);
    assert.equal(notebook.cellCount, 1);
    assert.match(notebook.cellAt(0).document.getText(), /^## Prompt\nWhat is 17 \* 24\? Explain briefly\.\n\n## Response 1\n17 \* 24 = 408/);
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });
});
