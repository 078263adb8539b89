// The packaged extension, as a user gets it: `npm run package` builds the VSIX, code-server
// installs it, and a JSON pair file is judged from the palette with the tiny model. Checks the
// panel (verdict, dimensions), the diagnostics in the editor and the Problems panel, the quick
// fix, and the panel in light, dark and high-contrast themes (screenshots).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { DIMENSIONS } from "../../src/core/judgment";
import { REPO_ROOT } from "../support/fixtures";
import { codeServerHarness, uiTest, judgePanel, openFile, problems, shot, startWorkbench, tinyModelSettings, VERDICT_TIMEOUT, workspace, type Workbench } from "./support/workbench";

const run = promisify(execFile);
const VSIX = path.join(REPO_ROOT, "brrm-judge-linux-x64.vsix");

const PAIR = {
  prompt: "What is 17 * 24?",
  response1: "17 * 24 = 408. (17 * 20 = 340, 17 * 4 = 68, 340 + 68 = 408.)",
  response2: "17 * 24 = 418.",
};

let vsixFiles: string[] = [];

before(
  async () => {
    const h = await codeServerHarness();
    await h.ensureSystemPackages();
    await h.ensureCodeServer();
    fs.rmSync(VSIX, { force: true });
    await run("npm", ["run", "package"], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
    // `vscode:prepublish` left a minified bundle in dist/: rebuild the normal one for the other tests.
    await run(process.execPath, ["esbuild.js"], { cwd: REPO_ROOT });
    const { stdout } = await run("unzip", ["-Z1", VSIX], { maxBuffer: 64 * 1024 * 1024 });
    vsixFiles = stdout.split("\n").filter(Boolean);
  },
  { timeout: 20 * 60_000 },
);

test("npm run package: a linux-x64 VSIX with the bundle, media and only the CPU binaries", () => {
  const size = fs.statSync(VSIX).size;
  console.log(`VSIX: ${(size / 1e6).toFixed(1)} MB, ${vsixFiles.length} files`);
  const has = (f: string) => vsixFiles.includes(`extension/${f}`);
  for (const f of [
    "package.json",
    "dist/extension.js",
    "media/panel.css",
    "media/dist/panel.js",
    "node_modules/node-llama-cpp/package.json",
    "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node",
  ])
    assert.ok(has(f), `the VSIX lacks ${f}`);
  const forbidden = [/^extension\/src\//, /^extension\/test\//, /^extension\/out\//, /\.map$/, /\/linux-x64-(cuda|cuda-ext|vulkan)\//, /\/(mac|win)-/, /gitRelease\.bundle$/, /node_modules\/typescript\//, /^extension\/dist\/cli\.js$/];
  for (const re of forbidden) assert.deepEqual(vsixFiles.filter((f) => re.test(f)).slice(0, 3), [], `the VSIX carries files matching ${re}`);
  assert.match(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"), /"package": "vsce package --target linux-x64/);
  assert.ok(size < 30e6, `the VSIX is ${(size / 1e6).toFixed(1)} MB`);
});

describe("installed from the VSIX", () => {
  let wb: Workbench;

  before(
    async () => {
      const folder = workspace({ "pair.json": `${JSON.stringify(PAIR, null, 2)}\n` });
      wb = await startWorkbench({ folder, vsix: VSIX, settings: await tinyModelSettings() });
    },
    { timeout: 180_000 },
  );
  after(async () => wb?.close());

  uiTest("Compare Responses on a JSON pair: panel verdict and dimensions, diagnostics, Problems, quick fix", { timeout: 300_000 }, () => wb?.page, async () => {
    const { page } = wb;
    const h = await codeServerHarness();
    await openFile(page, "pair.json");
    await page.locator(".editor-instance .view-line").nth(2).click();
    await h.runCommand(page, "BR-RM: Compare Responses");

    const panel = judgePanel(page);
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    const verdict = await panel.locator("#verdict strong").innerText();
    assert.match(verdict, /^Response [12] is better$/);
    const chips = await panel.locator(".chips .chip").allInnerTexts();
    assert.ok(chips.length >= 1 && chips.length <= 3, `dimensions: ${JSON.stringify(chips)}`);
    for (const c of chips) assert.ok((DIMENSIONS as readonly string[]).includes(c), `not a BR-RM dimension: ${c}`);
    assert.equal(await panel.locator("#prompt").inputValue(), PAIR.prompt);
    assert.equal(await panel.locator("#origin").innerText(), "From pair.json");
    assert.match(await panel.locator(".response.preferred h3").innerText(), new RegExp(`^${verdict.slice(0, 10)}\\s*preferred$`));
    await page.locator('[aria-label^="BR-RM local backend"][aria-label$="ready"]').first().waitFor();
    console.log(`panel: ${verdict}; focus ${chips.join(", ")}`);
    await shot(page, "panel-light");

    // The verdict is an Information diagnostic on the prompt line; issues sit on the responses.
    const squiggles = page.locator(".editor-instance .squiggly-info, .editor-instance .squiggly-warning");
    await squiggles.first().waitFor();
    const rows = await problems(page);
    console.log(`Problems:\n  ${rows.join("\n  ")}`);
    const verdictRow = rows.find((r) => r.includes(`BR-RM prefers ${verdict.slice(0, 10)}`));
    assert.ok(verdictRow, `no verdict row in the Problems panel: ${JSON.stringify(rows)}`);
    assert.match(verdictRow, /BR-RM/);
    assert.match(verdictRow, /focus: /);
    await shot(page, "problems");

    // Quick fix: close the panel, put the cursor on the verdict diagnostic, Ctrl+. -> "Show BR-RM analysis".
    await page.locator(".tab", { hasText: "BR-RM Judge" }).click();
    await h.runCommand(page, "View: Close Editor");
    await page.locator("iframe.webview").waitFor({ state: "detached" });
    // A double click opens the editor at the diagnostic with the focus in it.
    await page.locator(".markers-panel .monaco-list-row", { hasText: "BR-RM prefers" }).first().dblclick();
    await page.locator(".editor-instance .monaco-editor.focused").waitFor();
    await page.keyboard.press("Control+.");
    const fix = page.locator(".action-widget .monaco-list-row", { hasText: "Show BR-RM analysis" });
    await fix.waitFor();
    await shot(page, "quick-fix");
    await fix.click();
    await judgePanel(page).locator("#verdict").waitFor();
    assert.equal(await judgePanel(page).locator("#verdict strong").innerText(), verdict);
  });

  uiTest("the panel follows the theme: dark and high contrast", { timeout: 120_000 }, () => wb?.page, async () => {
    const { page } = wb;
    const h = await codeServerHarness();
    const panel = judgePanel(page);
    for (const [theme, bodyClass, name] of [
      ["Dark Modern", "vscode-dark", "panel-dark"],
      ["Dark High Contrast", "vscode-high-contrast", "panel-high-contrast"],
    ] as const) {
      await h.runCommand(page, "Preferences: Color Theme");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.fill(theme);
      const row = page.locator(".quick-input-list .monaco-list-row").filter({ has: page.locator(".label-name").getByText(theme, { exact: true }) });
      await row.first().waitFor();
      await row.first().click();
      await panel.locator(`body.${bodyClass}`).waitFor({ timeout: 30_000 });
      await panel.locator("#verdict").waitFor();
      // The panel's colours come from the theme: its background is the editor's.
      const [panelBg, editorBg] = await Promise.all([
        panel.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor),
        page.locator(".editor-instance .monaco-editor-background").first().evaluate((e) => getComputedStyle(e).backgroundColor),
      ]);
      assert.equal(panelBg, editorBg, `${theme}: the panel's background does not follow the theme`);
      await shot(page, name);
    }
  });
});
