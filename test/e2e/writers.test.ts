// One writer per results file, seen in the browser: while a terminal's `brrm eval` writes a
// results file, "Evaluate Dataset…" from the explorer's context menu says which run has it; a
// notebook saved while a run writes its file says why it was not saved, keeps the edit, and
// saves once that run has ended.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import type { Page } from "playwright-core";
import { CLI } from "../support/fixtures";
import { startProtocolServer, type TestServer } from "../support/openaiProtocol";
import { codeServerHarness, shot, startWorkbench, tinyModelSettings, uiTest, workspace, type Workbench } from "./support/workbench";

const PAIR = { id: "w1", prompt: "Is 91 prime?", response1: "No: 91 = 7 * 13.", response2: "Yes, 91 is prime." };

let wb: Workbench;
let page: Page;
let judge: TestServer;
const runs: ChildProcess[] = [];

/** A terminal's `brrm eval` writing `out`, against a judge that never answers (so it keeps the file). */
function terminalRun(out: string, ...more: string[]): ChildProcess {
  const child = spawn(process.execPath, [CLI, "eval", path.join(wb.folder, "data.jsonl"), "--out", out, "--backend", "openai", "--endpoint", judge.baseURL, "--model", "m", "--no-cache", "--quiet", ...more], { stdio: "ignore" });
  runs.push(child);
  return child;
}

/**
 * The notification saying `text`, in the notification center: with the extension loaded from
 * source (the smoke-test driver), VS Code sends notifications there instead of showing toasts.
 */
async function notification(text: string) {
  await (await codeServerHarness()).runCommand(page, "Notifications: Show Notifications");
  const item = page.locator(".notifications-center .notification-list-item", { hasText: text }).first();
  await item.waitFor({ timeout: 60_000 });
  // A long message shows one line until the notification is expanded.
  const expand = item.getByRole("button", { name: "Expand Notification" });
  if (await expand.count()) await expand.click();
  return item;
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(
  async () => {
    // A judge that never answers: each terminal run keeps its file until it is stopped.
    judge = await startProtocolServer(() => new Promise(() => {}));
    const folder = workspace({ "data.jsonl": `${JSON.stringify(PAIR)}\n`, "notes.pairs.jsonl": `${JSON.stringify({ ...PAIR, id: "n1" })}\n` });
    wb = await startWorkbench({ folder, settings: await tinyModelSettings() });
    page = wb.page;
  },
  { timeout: 20 * 60_000 },
);
after(async () => {
  for (const r of runs) r.kill("SIGKILL");
  await judge?.close();
  await wb?.close();
});

describe("one writer per results file, in the editor", () => {
  uiTest("Evaluate Dataset… on a dataset whose results a terminal run is writing says which run has them", { timeout: 240_000 }, () => wb?.page, async () => {
    const results = path.join(wb.folder, "data.results.jsonl");
    const run = terminalRun(results);
    await until("the terminal run to lock its results", () => fs.existsSync(`${results}.lock.json`));
    // A harmless BR-RM command, run once the palette offers it: the extension is loaded, so its
    // items are in the explorer's context menu.
    await (await codeServerHarness()).runCommand(page, "BR-RM: Clear Diagnostics");
    await page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: "data.jsonl" }).first().click({ button: "right" });
    await page.locator(".monaco-menu .action-item", { hasText: "Evaluate Dataset…" }).click();
    const said = await notification("data.results.jsonl is being written by another run");
    assert.match(await said.innerText(), new RegExp(`data\\.results\\.jsonl is being written by another run \\(pid ${run.pid}, started [\\d-]+ [\\d:]+: brrm eval .*data\\.jsonl --out .*data\\.results\\.jsonl`));
    await shot(page, "results-file-in-use");
    await (await codeServerHarness()).runCommand(page, "Notifications: Clear All Notifications");
  });

  uiTest("a notebook saved while a run writes its file is not saved, keeps the edit, and saves once the run ended", { timeout: 240_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    const file = path.join(wb.folder, "notes.pairs.jsonl");
    const before = fs.readFileSync(file, "utf8");
    await page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: "notes.pairs.jsonl" }).first().click();
    await page.locator(".notebook-editor .cell-list-container:visible .view-line", { hasText: "Yes, 91 is prime." }).last().click();
    await page.keyboard.press("End");
    await page.keyboard.type(" (It is not.)");
    const run = terminalRun(file, "--resume");
    await until("the terminal run to lock the notebook's file", () => fs.existsSync(`${file}.lock.json`));
    await h.runCommand(page, "File: Save");
    const said = await notification("notes.pairs.jsonl is being written by another run");
    assert.match(await said.innerText(), new RegExp(`notes\\.pairs\\.jsonl is being written by another run \\(pid ${run.pid},`));
    assert.equal(fs.readFileSync(file, "utf8"), before, "the file is as the run found it");
    await page.locator(".notebook-editor .view-line", { hasText: "(It is not.)" }).first().waitFor();
    await shot(page, "notebook-save-refused");

    run.kill("SIGTERM");
    await until("the run to end", () => !fs.existsSync(`${file}.lock`));
    await h.runCommand(page, "Notifications: Clear All Notifications");
    await h.runCommand(page, "File: Save");
    await until("the notebook to be saved", () => fs.readFileSync(file, "utf8").includes("Yes, 91 is prime. (It is not.)"));
    await until("the save to give its lock back", () => !fs.existsSync(`${file}.lock`));
  });
});
