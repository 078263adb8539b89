// Workspace trust: a folder the user has not trusted must not pick the model (or endpoint, or
// prompts) through its own .vscode/settings.json. Here the folder points brrm.local.model at a
// file of its own; untrusted, BR-RM uses the user's model; once trusted, the folder's.

import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { Page } from "playwright-core";
import { codeServerHarness, compareJsonFile, startWorkbench, tinyModelSettings, uiTest, VERDICT_TIMEOUT, workspace, type Workbench, shot } from "./support/workbench";

const FOLDER_MODEL = "/nonexistent/folder-chosen-model.gguf";
const PAIR = { prompt: "Is water wet?", response1: "Yes.", response2: "It depends on the definition of wet." };

let wb: Workbench;
let page: Page;

before(
  async () => {
    const folder = workspace({
      ".vscode/settings.json": JSON.stringify({ "brrm.local.model": FOLDER_MODEL }),
      "pair.json": `${JSON.stringify(PAIR, null, 2)}\n`,
    });
    wb = await startWorkbench({ folder, settings: await tinyModelSettings(), workspaceTrust: true });
    page = wb.page;
  },
  { timeout: 20 * 60_000 },
);
after(async () => wb?.close());

describe("workspace trust", () => {
  uiTest("untrusted: the folder's model setting is ignored, the user's model judges", { timeout: 240_000 }, () => wb?.page, async () => {
    await page.locator(".statusbar-item", { hasText: "Restricted Mode" }).waitFor();
    const panel = await compareJsonFile(page);
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    assert.match(await panel.locator("#backend").innerText(), /^local · qwen3-tiny/);
    await shot(page, "restricted-mode");
  });

  uiTest("trusted: the folder's own model setting applies (and the backend is recreated)", { timeout: 240_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await h.runCommand(page, "Workspaces: Manage Workspace Trust");
    const trust = page.locator(".workspace-trust-editor .monaco-button", { hasText: /^Trust/ }).first();
    await trust.waitFor();
    await trust.click();
    await page.locator(".statusbar-item", { hasText: "Restricted Mode" }).waitFor({ state: "detached" });
    await page.locator('[aria-label^="BR-RM local backend, model folder-chosen-model"]').first().waitFor();
    await h.runCommand(page, "View: Close Editor");
    await page.locator(".workspace-trust-editor").waitFor({ state: "detached" });

    const panel = await compareJsonFile(page);
    await panel.locator("#outcome.failed").waitFor({ timeout: 60_000 });
    assert.match(await panel.locator("#outcome").innerText(), new RegExp(`Model file not found: ${FOLDER_MODEL}`));
  });
});
