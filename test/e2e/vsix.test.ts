// The packaged extension, as a user gets it: `npm run package` builds one VSIX per platform,
// each is checked for what it carries (its own llama.cpp builds only, no CUDA, no sources) and
// its size, then code-server installs the linux-x64 one and a JSON pair file is judged from the
// palette with the tiny model. Checks the panel (verdict, dimensions), the diagnostics in the
// editor and the Problems panel, the quick fix, and the panel in light, dark and high-contrast
// themes (screenshots).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { binaryPackages } from "../../src/core/gpuChoice";
import { DIMENSIONS } from "../../src/core/judgment";
import { REPO_ROOT, tinyModel } from "../support/fixtures";
import { codeServerHarness, compareJsonFile, uiTest, judgePanel, problems, shot, startWorkbench, tinyModelSettings, VERDICT_TIMEOUT, workspace, type Workbench } from "./support/workbench";

const run = promisify(execFile);
const VSIX_DIR = path.join(REPO_ROOT, "vsix");
const VSIX = path.join(VSIX_DIR, "brrm-judge-linux-x64.vsix");

/** Every target and the most its VSIX may weigh (the Vulkan builds are most of the two big ones). */
const TARGETS = { "linux-x64": 50e6, "linux-arm64": 20e6, "darwin-arm64": 20e6, "darwin-x64": 20e6, "win32-x64": 50e6, "win32-arm64": 20e6 } as const;

const PAIR = {
  prompt: "What is 17 * 24?",
  response1: "17 * 24 = 408. (17 * 20 = 340, 17 * 4 = 68, 340 + 68 = 408.)",
  response2: "17 * 24 = 418.",
};

const listing = new Map<string, string[]>();
const unzipText = async (vsix: string, file: string) => (await run("unzip", ["-p", vsix, file], { maxBuffer: 16 << 20 })).stdout;

before(
  async () => {
    fs.rmSync(VSIX_DIR, { recursive: true, force: true });
    await run("npm", ["run", "package"], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
    for (const target of Object.keys(TARGETS)) {
      const { stdout } = await run("unzip", ["-Z1", path.join(VSIX_DIR, `brrm-judge-${target}.vsix`)], { maxBuffer: 64 * 1024 * 1024 });
      listing.set(target, stdout.split("\n").filter(Boolean));
    }
  },
  { timeout: 30 * 60_000 },
);

test("npm run package: one VSIX per platform in vsix/, nothing else there", () => {
  assert.deepEqual(fs.readdirSync(VSIX_DIR).sort(), Object.keys(TARGETS).map((t) => `brrm-judge-${t}.vsix`).sort());
});

for (const [target, maxBytes] of Object.entries(TARGETS)) {
  test(`${target} VSIX: the bundle, media, its own llama.cpp builds (no CUDA), no sources; under ${maxBytes / 1e6} MB`, async () => {
    const vsix = path.join(VSIX_DIR, `brrm-judge-${target}.vsix`);
    const files = listing.get(target) ?? [];
    const size = fs.statSync(vsix).size;
    console.log(`${target}: ${(size / 1e6).toFixed(1)} MB, ${files.length} files`);
    assert.ok(size < maxBytes, `${target}: ${(size / 1e6).toFixed(1)} MB`);
    assert.match(await unzipText(vsix, "extension.vsixmanifest"), new RegExp(`TargetPlatform="${target}"`));

    const has = (f: string) => files.includes(`extension/${f}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { contributes: { walkthroughs: { steps: { media: { markdown: string } }[] }[] } };
    const walkthroughMedia = manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown));
    for (const f of ["package.json", "dist/extension.js", "dist/cuda-packages.json", "media/panel.css", "media/dist/panel.js", "media/dist/renderer.js", ...walkthroughMedia, "node_modules/node-llama-cpp/package.json", "node_modules/node-llama-cpp/dist/index.js"])
      assert.ok(has(f), `${target}: the VSIX lacks ${f}`);

    // Exactly the platform's builds, minus CUDA, each with its addon.
    const [platform, arch] = target.split("-");
    const { builds } = binaryPackages(platform, arch)!;
    const expected = [...new Set(Object.entries(builds).filter(([compute]) => compute !== "cuda").map(([, name]) => name))].sort();
    const carried = [...new Set(files.map((f) => /^extension\/node_modules\/@node-llama-cpp\/([^/]+)\//.exec(f)?.[1]).filter((n): n is string => !!n))].sort();
    assert.deepEqual(carried, expected);
    for (const name of expected) assert.ok(files.some((f) => f.startsWith(`extension/node_modules/@node-llama-cpp/${name}/bins/`) && /llama-addon\.node$/.test(f)), `${target}: ${name} has no llama-addon.node`);

    const forbidden = [/^extension\/src\//, /^extension\/test\//, /^extension\/out\//, /^extension\/scripts\//, /\.map$/, /-cuda(-ext)?\//, /node-llama-cpp\/llama\/(gitRelease\.bundle|localBuilds|llama\.cpp|addon)(\/|$)/, /node_modules\/typescript\//, /^extension\/dist\/cli\.js$/, /^extension\/media\/src\//];
    for (const re of forbidden) assert.deepEqual(files.filter((f) => re.test(f)).slice(0, 3), [], `${target}: the VSIX carries files matching ${re}`);
    // Other platforms' native helpers stay out too.
    assert.deepEqual(files.filter((f) => /@reflink\/reflink-/.test(f) && !f.includes(platform === "win32" ? `${platform}-${arch}-msvc` : platform === "linux" ? `${platform}-${arch}-gnu` : `${platform}-${arch}/`)), []);

    // The CUDA installer's integrity list is the lockfile's.
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { integrity: string }> };
    const cuda = JSON.parse(await unzipText(vsix, "extension/dist/cuda-packages.json")) as { nodeLlamaCpp: string; packages: Record<string, { version: string; integrity: string }> };
    assert.equal(cuda.nodeLlamaCpp, "3.21.1");
    assert.deepEqual(Object.keys(cuda.packages).sort(), ["@node-llama-cpp/linux-x64-cuda", "@node-llama-cpp/linux-x64-cuda-ext", "@node-llama-cpp/win-x64-cuda", "@node-llama-cpp/win-x64-cuda-ext"]);
    for (const [name, p] of Object.entries(cuda.packages)) assert.equal(p.integrity, lock.packages[`node_modules/${name}`].integrity, name);
  });
}

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
