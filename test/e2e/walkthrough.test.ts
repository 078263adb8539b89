// The first run of the linux-x64 VSIX in code-server, with a screenshot of every step of the
// walkthrough: choose a backend, get the model, see the GPU, add CUDA, judge the example pair,
// open the example notebook. Then Install CUDA Acceleration cancelled midway, and Remove.
//
// What runs is real: the VSIX from `npm run package`, llama.cpp's CPU build, the real CUDA
// packages (143 MB + 177 MB, cached `npm pack` tarballs) from a local server shaped like the npm
// registry. Only the NVIDIA driver cannot be real here: empty files with its libraries' names on
// the library path make the probe see one, which is what makes the CUDA step and the install
// offer apply. (The Vulkan build on a real Vulkan driver is test/integration/gpu.test.ts's: on
// Mesa's software driver the tiny model runs at a few tokens a second.)

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { REPO_ROOT, tempDir } from "../support/fixtures";
import { packedTarball, startRegistry, type Registry } from "../support/npmRegistry";
import { codeServerHarness, judgePanel, shot, startWorkbench, tinyModelSettings, uiTest, VERDICT_TIMEOUT, workspace, type Workbench } from "./support/workbench";

const CUDA = "@node-llama-cpp/linux-x64-cuda";
const CUDA_EXT = "@node-llama-cpp/linux-x64-cuda-ext";

let wb: Workbench;
let page: Page;
let registry: Registry;
let extensionDir = "";
const storage = () => path.join(wb.server.userDataDir, "User", "globalStorage", "brrm-judge.brrm-judge", "cuda");
const cudaLink = () => path.join(extensionDir, "node_modules", "@node-llama-cpp", "linux-x64-cuda");

before(
  async () => {
    const out = tempDir("brrm-walkthrough-vsix-");
    const script = (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "package.mjs")).href)) as { packageTargets(t: string[], out: string): Promise<string[]> };
    const [vsix] = await script.packageTargets(["linux-x64"], out);
    registry = await startRegistry([
      { name: CUDA, version: "3.21.1", file: await packedTarball(CUDA) },
      { name: CUDA_EXT, version: "3.21.1", file: await packedTarball(CUDA_EXT) },
    ]);
    const nvidia = tempDir("brrm-fake-nvidia-driver-");
    for (const name of ["libnvidia-ml.so.1", "libcuda.so.1"]) fs.writeFileSync(path.join(nvidia, name), "");
    const models = tempDir("brrm-walkthrough-models-");
    wb = await startWorkbench({
      folder: workspace({ "README.md": "# A project\n" }),
      vsix,
      settings: { ...(await tinyModelSettings()), "brrm.local.gpu": "auto", "brrm.cuda.registry": registry.url },
      env: { LD_LIBRARY_PATH: [nvidia, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter), BRRM_MODELS_DIR: models },
    });
    page = wb.page;
    const installed = fs.readdirSync(wb.server.extensionsDir).find((d) => d.startsWith("brrm-judge.brrm-judge-"));
    assert.ok(installed, "the VSIX is installed");
    extensionDir = path.join(wb.server.extensionsDir, installed);
  },
  { timeout: 20 * 60_000 },
);
after(async () => {
  await wb?.close();
  await registry?.close();
});

/** A notification toast with this text. */
const toast = (text: string | RegExp) => page.locator(".notification-toast", { hasText: text }).first();

/** Opens a walkthrough step by its id and waits for it to expand. */
async function openStep(id: string, title: string): Promise<void> {
  const step = page.locator(`.getting-started-step[data-step-id$="#${id}"]`);
  await step.waitFor();
  assert.match(await step.innerText(), new RegExp(title.replace(/[?.*()]/g, "\\$&")));
  if (!(await step.evaluate((e) => e.classList.contains("expanded")))) await step.click();
  await page.locator(`.getting-started-step.expanded[data-step-id$="#${id}"]`).waitFor();
}

/** Clicks a button of the expanded step. */
async function clickStepButton(label: string): Promise<void> {
  await page.locator(".getting-started-step.expanded .monaco-button", { hasText: label }).first().click();
}

/**
 * Back to the walkthrough (a step's command opened another editor). As a user would: "BR-RM: Get
 * Started" again, since the Welcome tab, once left, may come back on its landing page.
 */
async function backToWalkthrough(): Promise<void> {
  await (await codeServerHarness()).runCommand(page, "BR-RM: Get Started");
  await page.locator(".gettingStartedContainer", { hasText: "Get Started with BR-RM Judge" }).waitFor();
}

describe("first run from the VSIX: the walkthrough", () => {
  uiTest("every step, with a screenshot of each", { timeout: 15 * 60_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await h.runCommand(page, "BR-RM: Get Started");
    await page.locator(".gettingStartedContainer", { hasText: "Get Started with BR-RM Judge" }).waitFor();

    await openStep("chooseBackend", "Pick a model or an endpoint");
    assert.ok(await page.locator(".getting-started-step.expanded .monaco-button", { hasText: "Select Backend and Model" }).isVisible());
    await page.locator(".getting-started-media", { hasText: "Where BR-RM runs" }).waitFor().catch(() => {});
    await shot(page, "walkthrough-1-backend");

    await openStep("getModel", "Download the model");
    const modelStep = await page.locator(".getting-started-step.expanded").innerText();
    assert.match(modelStep, /5\.0 GB/);
    assert.match(modelStep, /licence/);
    await shot(page, "walkthrough-2-model");
    // The configured model is the tiny one: Download Model loads it (its download with progress
    // and Cancel is the VSIX test's). The first load on an NVIDIA machine without CUDA offers it, once.
    await clickStepButton("Download Model");
    await toast("the model is downloaded and loaded").waitFor({ timeout: 180_000 });
    const offer = toast("this machine has an NVIDIA GPU");
    await offer.waitFor({ timeout: 30_000 });
    assert.match(await offer.innerText(), /runs on CPU: CUDA runtime not found; no Vulkan driver/);
    await shot(page, "walkthrough-2-model-loaded-cuda-offer");
    await offer.getByRole("button", { name: "Not Now" }).click();

    // The status bar names the build; its tooltip says why.
    const status = page.locator('[aria-label^="BR-RM local backend, model "][aria-label*=", on CPU, "]').first();
    await status.waitFor();
    assert.match(await status.innerText(), /BR-RM: qwen3-tiny-\S+ · CPU/);
    await status.hover();
    const tooltip = page.locator(".monaco-hover, .workbench-hover", { hasText: "Runs on: CPU: CUDA runtime not found; no Vulkan driver" }).first();
    await tooltip.waitFor();
    await shot(page, "walkthrough-status-bar-gpu");
    await page.mouse.move(10, 10);

    await openStep("gpu", "See which GPU runs it");
    await clickStepButton("Show GPU Status");
    const gpu = toast("BR-RM's local model runs on");
    await gpu.waitFor({ timeout: 60_000 });
    assert.match(await gpu.innerText(), /runs on CPU: CUDA runtime not found; no Vulkan driver\. Binary: @node-llama-cpp\/linux-x64 \(llama\.cpp /);
    await shot(page, "walkthrough-3-gpu");
    await gpu.getByRole("button", { name: "Install CUDA Acceleration" }).waitFor();

    await openStep("cuda", "NVIDIA GPU? Add CUDA");
    await shot(page, "walkthrough-4-cuda");
    await clickStepButton("Install CUDA Acceleration");
    const progress = toast(/downloading linux-x64-cuda(-ext)?: \d+ of \d+ MB|unpacking|linking/);
    await progress.waitFor({ timeout: 60_000 });
    await shot(page, "walkthrough-4-cuda-progress");
    const done = toast("CUDA acceleration is installed");
    await done.waitFor({ timeout: 10 * 60_000 });
    assert.match(await done.innerText(), /Reload the window to use it\. CUDA also needs NVIDIA's CUDA runtime/);
    await done.getByRole("button", { name: "Reload Window" }).waitFor();
    await shot(page, "walkthrough-4-cuda-installed");
    // Both packages (no CUDA 13 runtime here), unpacked in global storage, linked into the extension.
    assert.ok(fs.lstatSync(cudaLink()).isSymbolicLink());
    assert.ok(fs.realpathSync(cudaLink()).startsWith(fs.realpathSync(storage())));
    assert.ok(fs.existsSync(path.join(cudaLink(), "bins", "linux-x64-cuda", "libggml-cuda.so")));
    assert.ok(fs.existsSync(path.join(extensionDir, "node_modules", "@node-llama-cpp", "linux-x64-cuda-ext", "bins", "linux-x64-cuda", "fallback", "libggml-cuda.so")));
    await h.runCommand(page, "Notifications: Clear All Notifications");

    await openStep("firstComparison", "Judge a sample pair");
    await clickStepButton("Compare an Example Pair");
    const panel = judgePanel(page);
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    assert.equal(await panel.locator("#origin").innerText(), "From an example pair");
    assert.equal(await panel.locator("#prompt").inputValue(), "What is 17 * 24? Explain briefly.");
    assert.match(await panel.locator("#backend").innerText(), /^local · qwen3-tiny-\S+ · (ready|running) · CPU: CUDA runtime not found; no Vulkan driver$/);
    await shot(page, "walkthrough-5-compare");

    await backToWalkthrough();
    await openStep("notebook", "Evaluate pairs in a notebook");
    await clickStepButton("New Evaluation Notebook");
    await page.locator(".notebook-editor .cell", { hasText: "17 * 24" }).first().waitFor();
    await shot(page, "walkthrough-6-notebook");
  });

  uiTest("Install CUDA Acceleration cancelled midway leaves nothing; Remove undoes the install", { timeout: 5 * 60_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await h.runCommand(page, "BR-RM: Remove CUDA Acceleration");
    await toast("CUDA acceleration is removed").waitFor();
    assert.equal(fs.existsSync(cudaLink()), false);
    assert.deepEqual(fs.readdirSync(storage()), []);

    registry.setMode("slow");
    await h.runCommand(page, "BR-RM: Install CUDA Acceleration");
    const progress = toast(/downloading linux-x64-cuda: \d+ of 143 MB/);
    await progress.waitFor({ timeout: 60_000 });
    await shot(page, "cuda-install-cancel");
    await progress.getByRole("button", { name: "Cancel" }).click();
    await toast("CUDA installation cancelled; nothing was installed").waitFor();
    assert.equal(fs.existsSync(cudaLink()), false);
    assert.deepEqual(fs.readdirSync(storage()), []);
    registry.setMode("normal");
  });
});
