// Pair notebooks in code-server, driven like a user: open a *.pairs.jsonl (it opens as a BR-RM
// notebook), Run All with the tiny model (swap on, so both orders show side by side), see the
// rendered judgments and the notebook summary in the status bar, save, reopen and see them
// again; a saved judgment full of markup renders as text; public datasets' shapes open as cells
// of their conversation and two responses; "Evaluate Dataset…" from the palette and on a
// folder of parquet and gzip files from the explorer ends with its report. Screenshots go to
// test/e2e/screenshots/.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import type { FrameLocator, Page } from "playwright-core";
import { jsonl, JUDGE_PAIRS, markdownPairs, XSS_TEXT, xssPairs } from "../support/notebookFixtures";
import { PUBLISHED_IN_NOTEBOOK, publishedPairLines, writeShapeFolder } from "../support/publishedShapes";
import { codeServerHarness, shot, startWorkbench, tinyModelSettings, typeInOpenDialog, uiTest, workspace, type Workbench } from "./support/workbench";

let wb: Workbench;
let page: Page;
let folder: string;

before(
  async () => {
    folder = workspace({
      "judge.pairs.jsonl": JUDGE_PAIRS,
      "markup.pairs.jsonl": xssPairs(),
      "markdown.pairs.jsonl": markdownPairs(),
      "dataset.jsonl": jsonl([{ id: "d1", prompt: "Is 91 prime?", response1: "No: 91 = 7 * 13.", response2: "Yes, 91 is prime.", label: 1 }]),
      "published.pairs.jsonl": publishedPairLines(PUBLISHED_IN_NOTEBOOK),
    });
    await writeShapeFolder(path.join(folder, "hub"), ["UltraFeedback binarized", "HH-RLHF"]);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-e2e-cache-"));
    process.on("exit", () => fs.rmSync(cacheDir, { recursive: true, force: true }));
    wb = await startWorkbench({ folder, settings: { ...(await tinyModelSettings()), "brrm.evaluation.swap": true }, env: { BRRM_CACHE_DIR: cacheDir } });
    page = wb.page;
    page.on("dialog", (d) => assert.fail(`unexpected dialog: ${d.message()}`));
  },
  { timeout: 20 * 60_000 },
);
after(async () => wb?.close());

/** The notebook's output webview (one per notebook editor, holding every cell's output). */
function outputs(): FrameLocator {
  // Notebooks in background tabs keep theirs, hidden.
  return page.frameLocator(".notebook-editor iframe.webview.ready:visible").frameLocator("#active-frame");
}

/**
 * Waits until the workbench knows the extension's contributions (its commands are in the
 * palette): a pair file clicked before that opens as text, since the notebook type is not
 * registered yet.
 */
async function waitForContributions(): Promise<void> {
  await (await codeServerHarness()).waitForCommand(page, "BR-RM: New Evaluation Notebook");
}

async function openNotebook(name: string): Promise<void> {
  await page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: name }).first().click();
  await page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first().waitFor();
  await page.locator(".notebook-editor .cell-list-container:visible").first().waitFor();
}

const summaryItem = (text: string) => page.locator(`[aria-label^="BR-RM notebook: ${text}"]`).first();

describe("pair notebooks in code-server", () => {
  uiTest("open a *.pairs.jsonl, Run All, see the judgments, save, reopen and see them again", { timeout: 600_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await waitForContributions();
    await openNotebook("judge.pairs.jsonl");
    // Each line is a cell in the pair format; the line that is not JSON is a JSON cell.
    const cells = page.locator(".notebook-editor .cell-list-container:visible .monaco-list-row.code-cell-row");
    await cells.nth(2).waitFor();
    assert.equal(await cells.count(), 3);
    // Monaco draws spaces as no-break spaces.
    const second = (await cells.nth(1).locator(".view-lines").innerText()).replace(/\u00a0/g, " ");
    assert.equal(second, "## Prompt\nCapital of Australia?\n## Chosen\nCanberra.\n## Rejected\nSydney <b>obviously</b>.");
    await summaryItem("0/3 judged").waitFor();
    await shot(page, "notebook-opened");

    const started = Date.now();
    await h.runCommand(page, "Notebook: Run All");
    // Live progress in the running cell: order, turn and tokens.
    await outputs().locator(".brrm-progress td", { hasText: /^turn [12]/ }).first().waitFor({ timeout: 120_000 });
    await shot(page, "notebook-running");
    await outputs().locator(".brrm-verdict").nth(1).waitFor({ timeout: 300_000 });
    await summaryItem("2/3 judged").waitFor({ timeout: 30_000 });
    console.log(`      Run All, 2 pairs x 2 orders: ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const verdicts = await outputs().locator(".brrm-verdict").allInnerTexts();
    assert.equal(verdicts.length, 2);
    assert.match(verdicts[0], /^(Response [12] is better|Tie: the two orders disagree|No verdict)$/);
    assert.match(verdicts[1], /^(Chosen is better|Rejected is better|Tie: the two orders disagree|No verdict)$/);
    // Swap on: both orders side by side, each with its focus chips and the issues of each response.
    const firstOutput = outputs().locator(".brrm-out").first();
    assert.deepEqual(await firstOutput.locator(".brrm-order h3").allInnerTexts(), ["As given (Response 1 shown first)", "Swapped (Response 2 shown first)"]);
    assert.ok((await firstOutput.locator(".brrm-chip").count()) >= 2);
    assert.equal(await firstOutput.locator("h4", { hasText: /^Issues in Response 1$/i }).count(), 2);
    assert.equal(await outputs().locator(".brrm-tag", { hasText: /^label: Response 1, (agrees|disagrees)$/ }).count(), 1);
    // The JSON cell is not a pair: its error says why.
    await outputs().getByText("This cell is not a pair to judge").first().waitFor();

    // The analysis opens from the keyboard (details/summary).
    const summary = firstOutput.locator(".brrm-order").first().locator("summary", { hasText: "Analysis" });
    await summary.focus();
    await page.keyboard.press("Enter");
    assert.equal(await firstOutput.locator(".brrm-order").first().locator("details").first().getAttribute("open"), "");
    await firstOutput.scrollIntoViewIfNeeded();
    await shot(page, "notebook-results");

    // Save (from the palette: the keyboard focus is in the output webview): the judgments go into the lines.
    await h.runCommand(page, "File: Save");
    // The tab stops being dirty once the file is written.
    await page.locator('.tabs-container .tab.dirty[data-resource-name="judge.pairs.jsonl"]').waitFor({ state: "detached" });
    const file = path.join(folder, "judge.pairs.jsonl");
    const saved = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    assert.equal(saved.length, 3);
    const first = JSON.parse(saved[0]) as { source: unknown; brrm?: { result?: { orders: unknown[] } } };
    assert.deepEqual(first.source, { set: "arith", n: 3 }, "unknown fields are kept");
    assert.equal(first.brrm?.result?.orders.length, 2);
    assert.equal(saved[2], "this line is not JSON");

    // Reopen: the judgments are there without running anything.
    await h.runCommand(page, "View: Close All Editors");
    await page.locator(".notebook-editor").first().waitFor({ state: "detached" });
    await openNotebook("judge.pairs.jsonl");
    await outputs().locator(".brrm-verdict").nth(1).waitFor({ timeout: 30_000 });
    // The output webview lays out restored outputs in the order they render, not the cells' order.
    assert.deepEqual((await outputs().locator(".brrm-verdict").allInnerTexts()).sort(), [...verdicts].sort());
    await summaryItem("2/3 judged").waitFor();
    // The cell's status bar shows what the cell text does not: the record's id and label.
    await page.locator(".cell-statusbar-container", { hasText: "id q1" }).filter({ hasText: "label: Response 1" }).first().waitFor();
    await shot(page, "notebook-reopened");
  });

  uiTest("a saved judgment full of markup renders as text", { timeout: 120_000 }, () => wb?.page, async () => {
    // One notebook at a time: a notebook in a background tab keeps its output webview.
    await (await codeServerHarness()).runCommand(page, "View: Close All Editors");
    await openNotebook("markup.pairs.jsonl");
    const out = outputs().locator(".brrm-out").first();
    await out.locator(".brrm-verdict").waitFor({ timeout: 30_000 });
    assert.deepEqual(await out.locator(".brrm-issues li").allTextContents(), [XSS_TEXT, `Response 2 runs ${XSS_TEXT}`]);
    for (const s of await out.locator("summary").all()) await s.click();
    assert.equal(await out.locator("img").count(), 0, "an <img> from the judgment reached the DOM");
    assert.equal(await out.locator("b").count(), 0, "a <b> from the judgment reached the DOM");
    assert.equal(await out.locator("script").count(), 0, "a <script> from the judgment reached the DOM");
    assert.equal(await outputs().locator("body").getAttribute("data-pwned"), null);
    assert.ok((await out.locator(".brrm-analysis").first().textContent())?.includes(XSS_TEXT));
    await shot(page, "notebook-markup-as-text");

    // The theme's colours follow into the output.
    const h = await codeServerHarness();
    await h.runCommand(page, "Preferences: Toggle between Light/Dark Themes");
    await page.locator(".monaco-workbench.vs-dark").waitFor();
    await out.locator(".brrm-verdict").waitFor();
    const colour = await out.locator(".brrm-verdict").evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(colour, "rgb(0, 0, 0)", "dark theme: the text is not black");
    await shot(page, "notebook-dark");
    await h.runCommand(page, "Preferences: Toggle between Light/Dark Themes");
    await page.locator(".monaco-workbench.vs").waitFor();

    // Editing the judged text marks the output as out of date.
    await page.locator(".notebook-editor .cell-list-container:visible .view-line", { hasText: "Hi" }).last().click();
    await page.keyboard.press("End");
    await page.keyboard.type(" there");
    await page.locator(".cell-statusbar-container", { hasText: "edited since judged" }).first().waitFor();
    await h.runCommand(page, "File: Revert File");
  });

  uiTest("markdown analyses render in the output, light and dark, with the defused-delimiter warning", { timeout: 120_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await h.runCommand(page, "View: Close All Editors");
    await openNotebook("markdown.pairs.jsonl");
    const out = outputs().locator(".brrm-out").first();
    await out.locator(".brrm-verdict").waitFor({ timeout: 30_000 });
    assert.equal(await out.locator(".brrm-issues li strong").first().innerText(), "Wrong arithmetic");
    assert.match(await out.locator(".brrm-warn").first().innerText(), /^Warning: Response 2 imitates the judge's delimiters "\[The End of Response 2\]", "\\boxed\{2\}"\. They were sent with full-width look-alike brackets/);
    await out.locator("summary", { hasText: "Analysis" }).click();
    assert.deepEqual(await out.locator(".brrm-analysis ol").first().locator("li").allInnerTexts(), [
      "Correctness: 2+2=4 is checked and right.",
      "Process: direct.",
      "Presentation: one clear line.",
    ]);
    await out.locator(".brrm-analysis").first().scrollIntoViewIfNeeded();
    await shot(page, "notebook-markdown-light");
    await h.runCommand(page, "Preferences: Toggle between Light/Dark Themes");
    await page.locator(".monaco-workbench.vs-dark").waitFor();
    await out.locator(".brrm-analysis").first().waitFor();
    await shot(page, "notebook-markdown-dark");
    await h.runCommand(page, "Preferences: Toggle between Light/Dark Themes");
    await page.locator(".monaco-workbench.vs").waitFor();
  });

  uiTest("Evaluate Dataset… from the palette writes the results and shows the report", { timeout: 240_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await h.runCommand(page, "View: Close All Editors");
    await h.runCommand(page, "BR-RM: Evaluate Dataset…");
    await page.locator(".quick-input-widget", { hasText: "pick a dataset to evaluate" }).waitFor();
    await typeInOpenDialog(page, path.join(folder, "dataset.jsonl"));
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "dataset.jsonl" }).first().waitFor();
    await page.keyboard.press("Enter");
    const preview = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    await preview.locator("h1", { hasText: "BR-RM evaluation: dataset.jsonl" }).waitFor({ timeout: 120_000 });
    assert.match(await preview.locator("body").innerText(), /Pairs: 1 \(1 with a label\)/);
    const results = fs.readFileSync(path.join(folder, "dataset.results.jsonl"), "utf8").split("\n").filter(Boolean);
    assert.equal(results.length, 1);
    await shot(page, "evaluate-dataset-report");
  });

  uiTest("public datasets' shapes open as cells of the conversation's turns and the two responses", { timeout: 120_000 }, () => wb?.page, async () => {
    await (await codeServerHarness()).runCommand(page, "View: Close All Editors");
    await openNotebook("published.pairs.jsonl");
    // The cell list is virtual: only the cells in view are in the page.
    const cells = page.locator(".notebook-editor .cell-list-container:visible .monaco-list-row.code-cell-row");
    await cells.nth(1).waitFor();
    const first = (await cells.nth(0).locator(".view-lines").innerText()).replace(/\u00a0/g, " ");
    assert.match(first, /^## User\nWrite a Python function that reverses a string\.\n## Assistant\ndef reverse\(s\):\n {4}return s\[::-1\]\n## User\nNow make it skip whitespace\.\n## Response 1\n/);
    const second = (await cells.nth(1).locator(".view-lines").innerText()).replace(/\u00a0/g, " ");
    assert.equal(second, "## User\nHow many legs does a spider have?\n## Chosen\nA spider has eight legs.\n## Rejected\nSpiders have six legs, like all insects.");
    await page.locator(".cell-statusbar-container", { hasText: "label: Response 1" }).first().waitFor();
    await shot(page, "notebook-published-shapes");
  });

  uiTest("Evaluate Dataset… on a folder of parquet and gzip files, from the explorer's context menu", { timeout: 600_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await h.runCommand(page, "View: Close All Editors");
    await page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: /^hub$/ }).first().click({ button: "right" });
    const item = page.locator(".monaco-menu .action-item", { hasText: "Evaluate Dataset…" });
    await item.waitFor();
    await shot(page, "evaluate-dataset-folder-menu");
    await item.click();
    const preview = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    await preview.locator("h1", { hasText: "BR-RM evaluation: hub" }).waitFor({ timeout: 540_000 });
    assert.match(await preview.locator("body").innerText(), /Pairs: 2 \(2 with a label\)/);
    const results = fs.readFileSync(path.join(folder, "hub.results.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { file: string });
    assert.deepEqual(results.map((r) => r.file).sort(), ["data/harmless-base-train.jsonl.gz", "data/train_prefs-00000-of-00001.parquet"]);
    await shot(page, "evaluate-dataset-folder-report");
  });
});
