// The OpenAI-compatible backend from the editor: llama-server (built from the bundled
// llama.cpp source) serves the tiny model behind an API key. The key is entered with
// "BR-RM: Set API Key" and must never reach settings, logs or the panel; a wrong key must give
// a message that says what to do, without echoing the key.

import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import type { Page } from "playwright-core";
import { startLlamaServer, tinyModel } from "../support/fixtures";
import { codeServerHarness, compareJsonFile, uiTest, shot, startWorkbench, VERDICT_TIMEOUT, workspace, type Workbench } from "./support/workbench";

const KEY = `sk-brrm-e2e-${crypto.randomBytes(12).toString("hex")}`;
const WRONG_KEY = `sk-wrong-${crypto.randomBytes(12).toString("hex")}`;
const PAIR = { prompt: "Translate 'chat' from French.", response1: "Cat.", response2: "Chat means talk." };

let server: Awaited<ReturnType<typeof startLlamaServer>> | undefined;
let wb: Workbench;
let page: Page;

before(
  async () => {
    server = await startLlamaServer({ model: await tinyModel(), args: ["-c", "4096", "--api-key", KEY] });
    const folder = workspace({ "pair.json": `${JSON.stringify(PAIR, null, 2)}\n` });
    wb = await startWorkbench({
      folder,
      settings: { "brrm.backend": "openai", "brrm.openai.baseUrl": server.baseURL, "brrm.constrained": true, "brrm.sampling.seed": 1 },
    });
    page = wb.page;
  },
  { timeout: 30 * 60_000 },
);
after(async () => {
  await wb?.close();
  await server?.stop();
});

async function setApiKey(key: string): Promise<void> {
  const h = await codeServerHarness();
  await h.runCommand(page, "Notifications: Clear All Notifications");
  await h.runCommand(page, "BR-RM: Set API Key");
  // The key's own box (its prompt, not the palette that opened it).
  const box = page.locator(".quick-input-widget", { hasText: /secret storage|A key is stored/ });
  await box.waitFor();
  const input = box.locator(".quick-input-box input");
  assert.equal(await input.getAttribute("type"), "password", "the key box must hide what is typed");
  await input.fill(key);
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  // The development host (smoke-test driver) shows no toasts: the confirmation, sent once the
  // key is in secret storage, waits in the notification center.
  await h.runCommand(page, "Notifications: Show Notifications");
  await page.locator(".notifications-center .notification-list-item", { hasText: "BR-RM: the API key was stored in secret storage." }).waitFor();
  await h.runCommand(page, "Notifications: Hide Notifications");
}

/** Every file under a folder whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .filter((f) => fs.readFileSync(f).includes(needle));
}

describe("OpenAI-compatible endpoint with an API key", () => {
  uiTest("the key from Set API Key reaches the endpoint and nothing else", { timeout: 240_000 }, () => wb?.page, async () => {
    await setApiKey(KEY);
    const panel = await compareJsonFile(page);
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    assert.match(await panel.locator("#verdict strong").innerText(), /^Response [12] is better$/);
    assert.match(await panel.locator(".usage summary").innerText(), /\(openai\)$/);
    assert.match(await panel.locator("#backend").innerText(), /^openai · /);
    assert.ok(!(await panel.locator("body").innerText()).includes(KEY), "the key is in the panel");
    await shot(page, "openai-verdict");

    // The log has the run (so this is the right place to look) and never the key.
    const logs = path.join(wb.server.userDataDir, "logs");
    const runLogs = filesContaining(logs, "Run 1: pair.json");
    assert.ok(runLogs.length > 0, `no BR-RM log with the run under ${logs}`);
    assert.match(fs.readFileSync(runLogs[0], "utf8"), /openai \(endpoint http:\/\/127\.0\.0\.1:\d+\/v1/);
    assert.deepEqual(filesContaining(wb.server.userDataDir, KEY), [], "the API key was written to disk");
  });

  uiTest("a wrong key: a message with the next step, without the key", { timeout: 120_000 }, () => wb?.page, async () => {
    await setApiKey(WRONG_KEY);
    const panel = await compareJsonFile(page);
    await panel.locator("#outcome.failed").waitFor({ timeout: 60_000 });
    const message = await panel.locator("#outcome").innerText();
    console.log(`panel: ${message}`);
    assert.match(message, /401/);
    assert.match(message, /BR-RM: Set API Key/);
    assert.ok(!message.includes(WRONG_KEY), "the rejected key is echoed");
    await shot(page, "openai-wrong-key");
    assert.deepEqual(filesContaining(wb.server.userDataDir, WRONG_KEY), [], "the rejected key was written to disk");
  });
});
