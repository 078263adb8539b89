// "BR-RM: Run Benchmark…" in code-server, as a user runs it: the palette, the benchmark, the
// folder as downloaded (RewardBench's parquet splits), the whole benchmark; progress with an
// ETA in the notification, Cancel keeping what finished, Resume finishing the rest, and the
// report with its chart beside the published figures. The judge is a protocol server whose
// verdicts the test controls, so the report's figures are known. Screenshots go to
// test/e2e/screenshots/.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import type { FrameLocator, Page } from "playwright-core";
import { REWARDBENCH_SUBSETS } from "../../src/core/benchmark/rewardBench";
import { MARK, startControlledJudge, type ControlledJudge } from "../support/benchmarkJudge";
import { rewardBenchRow } from "../support/benchmarkRecords";
import { waitFor } from "../support/openaiHelpers";
import { writeParquet } from "../support/parquet";
import { codeServerHarness, shot, startWorkbench, typeInOpenDialog, uiTest, workspace, type Workbench } from "./support/workbench";

/** Per section, the rows (of ten per subset, by id % 10) the judge gets wrong and those it cannot decide. */
const DESIGN: Record<string, { wrong: number[]; undecided: number[] }> = {
  Chat: { wrong: [0], undecided: [] }, // 90%
  "Chat Hard": { wrong: [0, 4, 7], undecided: [] }, // 70%
  Safety: { wrong: [0, 5], undecided: [] }, // 80%
  Reasoning: { wrong: [0], undecided: [3] }, // 85%: an undecided comparison counts 0.5
};

function rows() {
  return Object.entries(REWARDBENCH_SUBSETS).flatMap(([subset, { section }], s) =>
    Array.from({ length: 10 }, (_, k) => {
      const id = s * 10 + k + 1;
      const r = rewardBenchRow(id, subset);
      const d = DESIGN[section];
      if (d.wrong.includes(id % 10)) return { ...r, rejected: `${r.rejected} ${MARK}` };
      if (d.undecided.includes(id % 10)) return r;
      return { ...r, chosen: `${r.chosen} ${MARK}` };
    }),
  );
}

const COLUMNS = { prompt: "string", chosen: "string", chosen_model: "string", rejected: "string", rejected_model: "string", subset: "string", id: "int64" } as const;

let judge: ControlledJudge;
let wb: Workbench;
let page: Page;
let folder: string;
let dataset: string;

before(
  async () => {
    judge = await startControlledJudge({ delayMs: 40 });
    folder = workspace({ "README.md": "# Benchmarks\n" });
    dataset = path.join(folder, "reward-bench");
    fs.mkdirSync(path.join(dataset, "data"), { recursive: true });
    await writeParquet(path.join(dataset, "data", "filtered-00000-of-00001.parquet"), COLUMNS, rows(), { rowGroupSize: 100 });
    await writeParquet(path.join(dataset, "data", "raw-00000-of-00001.parquet"), COLUMNS, [rewardBenchRow(9999, "hep-go")]);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-e2e-cache-"));
    process.on("exit", () => fs.rmSync(cacheDir, { recursive: true, force: true }));
    wb = await startWorkbench({
      folder,
      settings: { "brrm.backend": "openai", "brrm.openai.baseUrl": judge.baseURL, "brrm.openai.model": "controlled-judge", "brrm.evaluation.concurrency": 2 },
      env: { BRRM_CACHE_DIR: cacheDir },
    });
    page = wb.page;
  },
  { timeout: 20 * 60_000 },
);
after(async () => {
  await wb?.close();
  await judge?.close();
});

const results = () => path.join(dataset, "rewardbench.results.jsonl");
const resultLines = () => (fs.existsSync(results()) ? fs.readFileSync(results(), "utf8").split("\n").filter(Boolean).length : 0);

/** Runs the command and answers its three questions (and the resume question, when asked). */
async function runBenchmarkFromPalette(resume?: "Resume" | "Start over"): Promise<void> {
  const h = await codeServerHarness();
  await h.runCommand(page, "BR-RM: Run Benchmark…");
  const widget = page.locator(".quick-input-widget");
  const row = (text: string | RegExp) => page.locator(".quick-input-list .monaco-list-row", { hasText: text }).first();
  await row("RewardBench").click();
  // code-server's open dialog is a quick input holding a path; its OK button has the open label.
  await widget.getByText("Run RewardBench").waitFor();
  await typeInOpenDialog(page, `${dataset}/`);
  await row("data").waitFor();
  await widget.getByRole("button", { name: "Run RewardBench" }).click();
  await row("The whole benchmark").click();
  if (resume) await row(resume).click();
}

/** The notification center (the development host shows no toasts: notifications go there). */
async function notifications() {
  const h = await codeServerHarness();
  if (!(await page.locator(".notifications-center.visible").isVisible())) await h.runCommand(page, "Notifications: Show Notifications");
  return page.locator(".notifications-center .notification-list-item");
}

function reportView(): FrameLocator {
  return page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
}

describe("BR-RM: Run Benchmark…", () => {
  uiTest("progress with an ETA and Cancel, then Resume and the report with its chart", { timeout: 300_000 }, () => wb?.page, async () => {
    await runBenchmarkFromPalette();
    const items = await notifications();
    const progress = items.filter({ hasText: /of 230 comparisons, about .* left/ });
    await progress.waitFor({ timeout: 60_000 });
    assert.ok(await waitFor(async () => resultLines() >= 20, 120_000), `20 comparisons in the results file; it holds ${resultLines()}`);
    await shot(page, "benchmark-progress");
    await progress.getByRole("button", { name: "Cancel" }).click();
    // The report of what finished opens (and takes the focus), and a notification says how to go on.
    await reportView().locator("h1", { hasText: "BR-RM on RewardBench" }).waitFor({ timeout: 60_000 });
    await (await notifications()).filter({ hasText: /BR-RM: stopped\. \d+ comparisons judged; they are in rewardbench\.results\.jsonl\. Run the benchmark again and choose Resume/ }).waitFor({ timeout: 60_000 });
    const kept = resultLines();
    assert.ok(kept >= 20 && kept < 230, `cancelled after ${kept} comparisons`);

    const h = await codeServerHarness();
    await h.runCommand(page, "View: Close All Editors");
    await runBenchmarkFromPalette("Resume");
    const report = reportView();
    await report.locator("h1", { hasText: "BR-RM on RewardBench" }).waitFor({ timeout: 120_000 });
    await report.locator("td", { hasText: "Chat Hard" }).waitFor();
    assert.equal(resultLines(), 230, "every comparison once: the cancelled run's and the rest");
    const page1 = await report.locator("body").innerText();
    assert.match(page1, /Score: 81\.3 \(95% CI [\d.]+–[\d.]+\) over 230 comparisons; published BR-RM: 8B 91\.0, 14B 92\.1/);
    for (const [name, figure, published] of [["Chat", "90.0", "97.0"], ["Chat Hard", "70.0", "82.4"], ["Safety", "80.0", "90.0"], ["Reasoning", "85.0", "98.8"]])
      assert.match(page1, new RegExp(`${name}\\t${figure.replace(".", "\\.")}\\t[\\d.]+–[\\d.]+\\t\\d+\\t–\\t${published.replace(".", "\\.")}`), `${name} row`);
    assert.match(page1, /Without a decision: 7 comparisons .* each counted as 0\.5/);
    const chart = report.locator("svg.chart");
    await chart.waitFor();
    assert.equal(await chart.locator("rect[fill='#1f6feb']").count(), 1 + 1 + 4, "the legend, the score and four sections for this run");
    await h.runCommand(page, "Notifications: Hide Notifications");
    await chart.scrollIntoViewIfNeeded();
    await shot(page, "benchmark-report");

    // The page takes the theme's colours: in a dark theme its text is light on the editor's background.
    await h.runCommand(page, "Preferences: Toggle between Light/Dark Themes");
    await page.locator(".monaco-workbench.vs-dark").waitFor();
    await report.locator("body.vscode-dark").waitFor({ timeout: 30_000 });
    const [text, background] = await Promise.all([
      report.locator("body").evaluate((b) => getComputedStyle(b).color),
      report.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor),
    ]);
    const light = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).reduce((t, c) => t + Number(c), 0) > 3 * 128;
    assert.ok(light(text) && !light(background), `dark theme: light text (${text}) on a dark background (${background})`);
    await shot(page, "benchmark-report-dark");
    await h.runCommand(page, "Preferences: Toggle between Light/Dark Themes");
  });
});
