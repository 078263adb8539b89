// The packaged extension, as a user gets it: `npm run package` builds the VSIX, code-server
// installs it, and a JSON pair file is judged from the palette with the tiny model. Checks the
// panel (verdict, dimensions), the diagnostics in the editor and the Problems panel, the quick
// fix, and the panel in light, dark and high-contrast themes (screenshots).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { DIMENSIONS } from "../../src/core/judgment";
import { REPO_ROOT, tinyModel } from "../support/fixtures";
import { codeServerHarness, compareJsonFile, uiTest, judgePanel, problems, shot, startWorkbench, tinyModelSettings, VERDICT_TIMEOUT, workspace, type Workbench } from "./support/workbench";

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
  // Stands in for a model host: the tiny model at full speed, and slowly (to cancel a download).
  let modelHost: http.Server;
  let base = "";
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-e2e-models-"));

  before(
    async () => {
      const model = fs.readFileSync(await tinyModel());
      modelHost = http.createServer((req, res) => {
        res.writeHead(200, { "content-length": model.length, "content-type": "application/octet-stream" });
        if (!req.url?.startsWith("/slow/")) return void res.end(model);
        let offset = 0;
        const timer = setInterval(() => {
          if (offset >= model.length || res.destroyed) return clearInterval(timer);
          res.write(model.subarray(offset, (offset += 65536)));
        }, 100);
        res.on("close", () => clearInterval(timer));
      });
      await new Promise<void>((r) => modelHost.listen(0, "127.0.0.1", r));
      base = `http://127.0.0.1:${(modelHost.address() as AddressInfo).port}`;
      const folder = workspace({ "pair.json": `${JSON.stringify(PAIR, null, 2)}\n` });
      wb = await startWorkbench({ folder, vsix: VSIX, settings: await tinyModelSettings(), env: { BRRM_MODELS_DIR: modelsDir } });
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await wb?.close();
    modelHost?.closeAllConnections();
    modelHost?.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  uiTest("Compare Responses on a JSON pair: panel verdict and dimensions, diagnostics, Problems, quick fix", { timeout: 300_000 }, () => wb?.page, async () => {
    const { page } = wb;
    const h = await codeServerHarness();
    const panel = await compareJsonFile(page);
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
    // The light bulb shows once the editor has the code actions for the cursor's place.
    await page.locator(".editor-instance .lightBulbWidget").waitFor();
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
      // The theme picker's own input: typing into the palette before it takes over would be lost.
      const input = page.locator('.quick-input-widget .quick-input-box input[placeholder^="Select Color Theme"]');
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

  /** Runs "Select Backend and Model…" and picks the item whose label contains `item`. */
  async function pick(item: string): Promise<void> {
    const { page } = wb;
    await (await codeServerHarness()).runCommand(page, "BR-RM: Select Backend and Model…");
    const row = page.locator(".quick-input-list .monaco-list-row", { hasText: item });
    await row.first().waitFor();
    await row.first().click();
  }

  /** Answers the input box that shows `prompt` (waiting for it: the picker's own box closes first). */
  async function answer(prompt: string, text: string): Promise<void> {
    const widget = wb.page.locator(".quick-input-widget", { hasText: prompt });
    await widget.waitFor();
    await widget.locator(".quick-input-box input").fill(text);
    await wb.page.keyboard.press("Enter");
  }

  const userSettings = () => JSON.parse(fs.readFileSync(path.join(wb.server.userDataDir, "User", "settings.json"), "utf8")) as Record<string, unknown>;

  uiTest("Select Backend and Model: an endpoint, then a model URL; Download Model shows progress and can be cancelled", { timeout: 240_000 }, () => wb?.page, async () => {
    const { page } = wb;
    const h = await codeServerHarness();

    await pick("OpenAI-compatible endpoint");
    await answer("The base URL of the OpenAI-compatible API", "http://127.0.0.1:8080/v1");
    await answer("The model name the endpoint serves", "nvidia/Qwen3-Nemotron-8B-BRRM");
    const ask = page.locator(".notification-toast", { hasText: "does this endpoint need an API key?" });
    await ask.waitFor();
    await ask.getByRole("button", { name: "No key needed" }).click();
    await page.locator('[aria-label^="BR-RM openai backend"]').first().waitFor();
    assert.equal(userSettings()["brrm.backend"], "openai");
    assert.equal(userSettings()["brrm.openai.baseUrl"], "http://127.0.0.1:8080/v1");
    await page.locator('[aria-label^="BR-RM openai backend, model nvidia/Qwen3-Nemotron-8B-BRRM"]').first().waitFor();

    // A model URL, downloaded slowly: the progress shows, and Cancel stops it.
    await pick("Hugging Face URI or URL");
    await answer("A Hugging Face URI", `${base}/slow/brrm-slow.gguf`);
    await page.locator('[aria-label^="BR-RM local backend, model brrm-slow"]').first().waitFor();
    await h.runCommand(page, "BR-RM: Download Model");
    const progress = page.locator(".notification-toast", { hasText: /downloading \d+ of \d+ MB/ });
    await progress.waitFor({ timeout: 30_000 });
    await shot(page, "download-progress");
    await progress.getByRole("button", { name: "Cancel" }).click();
    await progress.waitFor({ state: "hidden" });
    await page.locator('[aria-label^="BR-RM local backend, model brrm-slow"][aria-label$="not loaded"]').first().waitFor();
    assert.equal(await page.locator(".notification-toast", { hasText: "BR-RM:" }).filter({ hasText: /fail|error/i }).count(), 0);
    assert.ok(!fs.existsSync(path.join(modelsDir, "brrm-slow.gguf")), "a cancelled download leaves no model file");

    await pick("Hugging Face URI or URL");
    await answer("A Hugging Face URI", `${base}/brrm-tiny.gguf`);
    await page.locator('[aria-label^="BR-RM local backend, model brrm-tiny"]').first().waitFor();
    await h.runCommand(page, "BR-RM: Download Model");
    await page.locator(".notification-toast", { hasText: "the model is downloaded and loaded" }).waitFor({ timeout: 60_000 });
    await page.locator('[aria-label^="BR-RM local backend, model brrm-tiny"][aria-label$="ready"]').first().waitFor();
    assert.ok(fs.existsSync(path.join(modelsDir, "brrm-tiny.gguf")));
  });
});
