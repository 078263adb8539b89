// One writer per results file, between the editor and a terminal: a real `brrm eval` (the
// built CLI, started from the extension host) writes a file while Evaluate Dataset, and then a
// notebook's save, try to write it too. Each is refused, naming the terminal's run; once that
// run ends, both go through.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { DatasetRunOutcome } from "../../../src/extension/evaluation/evaluateDataset";
import { startProtocolServer, wellFormedJudge, type TestServer } from "../../support/openaiProtocol";
import { extension, until, workspaceUri } from "./helpers";

/** A judge that holds every request until the test opens the gate. */
async function heldJudge(): Promise<{ server: TestServer; open(): void }> {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const judge = wellFormedJudge();
  const server = await startProtocolServer(async (req, res, n) => {
    await gate;
    judge(req, res, n);
  });
  return { server, open };
}

/** `brrm eval` from the built CLI, as a terminal would run it; resolves its exit code. */
function terminalEval(args: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const cli = path.join(extension().extensionPath, "dist", "cli.js");
  const child = spawn(process.execPath, [cli, "eval", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return { child, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))), stderr: () => stderr };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("one writer per results file: the editor and a terminal", function () {
  this.timeout(180_000);

  it("Evaluate Dataset refuses a results file a terminal's brrm eval is writing, naming that run; then runs once it ended", async () => {
    const judge = await heldJudge();
    const dataset = workspaceUri("locked.jsonl").fsPath;
    const results = workspaceUri("locked.results.jsonl").fsPath;
    const run = terminalEval([dataset, "--out", results, "--backend", "openai", "--endpoint", judge.server.baseURL, "--model", "m", "--no-cache", "--quiet"]);
    try {
      await until("the terminal run to lock the file and ask its judge", () => fs.existsSync(`${results}.lock.json`) && judge.server.requests.length === 1, 60_000);
      const refused = await vscode.commands.executeCommand<DatasetRunOutcome>("brrm.evaluateDataset", workspaceUri("locked.jsonl"));
      assert.match(refused?.error ?? "", new RegExp(`^${escape(results)} is being written by another run \\(pid ${run.child.pid}, started [\\d-]+ [\\d:]+: brrm eval ${escape(dataset)} --out ${escape(results)} .*\\)\\. Wait for it to finish or stop it`));
      assert.equal(judge.server.requests.length, 1, "the editor sent nothing");
      judge.open();
      assert.equal(await run.exited, 0, run.stderr());
    } finally {
      run.child.kill();
      await judge.server.close();
    }
    const after = await vscode.commands.executeCommand<DatasetRunOutcome>("brrm.evaluateDataset", workspaceUri("locked.jsonl"), { resume: true });
    assert.ok(after?.stats, after?.error);
    assert.deepEqual([after.stats.skipped, after.stats.finished], [1, 0], "the terminal's result is kept and not judged again");
    assert.equal(fs.readFileSync(results, "utf8").split("\n").filter(Boolean).length, 1);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("a run whose backend cannot start gives the results file back", async () => {
    const config = vscode.workspace.getConfiguration("brrm");
    const model = config.inspect<string>("local.model")?.globalValue;
    await config.update("local.model", "/nonexistent/missing-model.gguf", vscode.ConfigurationTarget.Global);
    try {
      const failed = await vscode.commands.executeCommand<DatasetRunOutcome>("brrm.evaluateDataset", workspaceUri("locked.jsonl"), { resume: true });
      assert.match(failed?.error ?? "", /Model file not found: \/nonexistent\/missing-model\.gguf/);
      assert.ok(!fs.existsSync(`${workspaceUri("locked.results.jsonl").fsPath}.lock`), "no lock is left behind");
    } finally {
      await config.update("local.model", model, vscode.ConfigurationTarget.Global);
    }
  });

  it("a notebook save is refused while a run writes its file, keeping the edit; it saves once the run ended", async () => {
    const uri = workspaceUri("locked.pairs.jsonl");
    const before = fs.readFileSync(uri.fsPath, "utf8");
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(notebook);
    const cell = notebook.cellAt(0);
    const edit = new vscode.WorkspaceEdit();
    const at = cell.document.getText().indexOf("Yes, 91 is prime.");
    edit.replace(cell.document.uri, new vscode.Range(cell.document.positionAt(at), cell.document.positionAt(at + "Yes, 91 is prime.".length)), "Yes, 91 is prime (it is not).");
    assert.ok(await vscode.workspace.applyEdit(edit));

    const judge = await heldJudge();
    // A run appending its results to the notebook's own file (--resume keeps the lines there).
    const run = terminalEval([workspaceUri("locked.jsonl").fsPath, "--out", uri.fsPath, "--resume", "--backend", "openai", "--endpoint", judge.server.baseURL, "--model", "m", "--no-cache", "--quiet"]);
    try {
      await until("the terminal run to lock the file", () => fs.existsSync(`${uri.fsPath}.lock.json`), 60_000);
      assert.equal(await notebook.save(), false, "the save is refused");
      assert.equal(fs.readFileSync(uri.fsPath, "utf8"), before, "the file is as the run found it");
      assert.ok(notebook.isDirty, "the edit is still in the notebook");
      run.child.kill("SIGTERM");
      await run.exited;
    } finally {
      run.child.kill("SIGKILL");
      await judge.server.close();
    }
    assert.ok(!fs.existsSync(`${uri.fsPath}.lock`), "the stopped run gave the file back");
    assert.equal(await notebook.save(), true);
    assert.ok(!notebook.isDirty);
    const saved = fs.readFileSync(uri.fsPath, "utf8");
    assert.match(saved, /Yes, 91 is prime \(it is not\)\./);
    // A save checks the lock and never takes it: nothing is made beside the file.
    assert.ok(!fs.existsSync(`${uri.fsPath}.lock`) && !fs.existsSync(`${uri.fsPath}.lock.json`), "no lock left beside the saved file");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });
});
