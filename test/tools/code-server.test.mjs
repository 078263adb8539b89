// @ts-check
// Proves the code-server harness: extension tests inside the real extension host (pass and
// fail are both seen), and Playwright driving the real workbench.
// Run: node --test test/tools/code-server.test.mjs   (first run installs code-server, ~2 min)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import {
  REPO_ROOT,
  ensureCodeServer,
  ensureSystemPackages,
  installVsix,
  launchBrowser,
  openWorkbench,
  runCommand,
  runExtensionTests,
  screenshot,
  startCodeServer,
} from "./code-server.mjs";

const HARNESS_EXT = path.join(REPO_ROOT, "test", "harness-check");
const HARNESS_SUITE = path.join(HARNESS_EXT, "suite", "index.js");
const VSCE = path.join(REPO_ROOT, "node_modules", "@vscode", "vsce", "vsce");

/** @type {string[]} */
const tempDirs = [];
/** @param {string} prefix */
async function tempDir(prefix) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** @param {number} t0 */
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

before(async () => {
  const t0 = Date.now();
  await ensureSystemPackages();
  await ensureCodeServer();
  process.stderr.write(`[harness test] system packages + code-server ready in ${secs(t0)}\n`);
}, { timeout: 20 * 60_000 });

after(async () => {
  for (const dir of tempDirs) await fs.rm(dir, { recursive: true, force: true });
});

/**
 * Runs the harness-check suite in code-server's extension host; `fail` makes one test fail.
 * @param {import("node:test").TestContext} t @param {boolean} fail
 */
async function runHarnessSuite(t, fail) {
  const ws = await tempDir("brrm-hc-ws-");
  const t0 = Date.now();
  const result = await runExtensionTests({
    extensionDevelopmentPath: HARNESS_EXT,
    extensionTestsPath: HARNESS_SUITE,
    folder: ws,
    env: { HARNESS_CHECK_FAIL: fail ? "1" : "0" },
    timeoutMs: 120_000,
  });
  t.diagnostic(`extension-test run took ${secs(t0)}`);
  return { ...result, ws };
}

test("runExtensionTests: a passing suite resolves exitCode 0", { timeout: 180_000 }, async (t) => {
  const { exitCode, output, ws } = await runHarnessSuite(t, false);
  assert.equal(exitCode, 0, output);
  assert.match(output, /2 passing/, output);
  assert.match(await fs.readFile(path.join(ws, "harness-hello.txt"), "utf8"), /Hello from harness-check/);
});

test("runExtensionTests: a failing suite resolves exitCode 1", { timeout: 180_000 }, async (t) => {
  const { exitCode, output } = await runHarnessSuite(t, true);
  assert.equal(exitCode, 1, output);
  assert.match(output, /1 failing/, output);
  assert.match(output, /deliberate failure \(HARNESS_CHECK_FAIL=1\)/, output);
});

test("Playwright: run 'Harness: Hello' from the palette of a real workbench", { timeout: 180_000 }, async (t) => {
  const ws = await tempDir("brrm-hc-ws-");
  await fs.writeFile(path.join(ws, "notes.txt"), "a file so the explorer has a row\n");
  const extensionsDir = await tempDir("brrm-hc-ext-");
  const out = await tempDir("brrm-hc-vsix-");

  let t0 = Date.now();
  const vsix = path.join(out, "harness-check.vsix");
  await promisify(execFile)(
    process.execPath,
    [VSCE, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "-o", vsix],
    { cwd: HARNESS_EXT },
  );
  await installVsix(vsix, extensionsDir);
  t.diagnostic(`vsce package + installVsix took ${secs(t0)}`);

  t0 = Date.now();
  const server = await startCodeServer({ folder: ws, extensionsDir });
  t.diagnostic(`code-server answered HTTP after ${secs(t0)}`);
  const browser = await launchBrowser();
  const { page } = browser;
  try {
    t0 = Date.now();
    await openWorkbench(page, server.url, ws);
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "notes.txt" }).waitFor({ timeout: 30_000 });
    t.diagnostic(`workbench + explorer ready after ${secs(t0)}`);

    t0 = Date.now();
    await runCommand(page, "Harness: Hello");
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Hello from harness-check" });
    await toast.waitFor({ state: "visible", timeout: 30_000 });
    t.diagnostic(`command ran and toast appeared after ${secs(t0)}`);
    assert.match(await fs.readFile(path.join(ws, "harness-hello.txt"), "utf8"), /Hello from harness-check/);

    const png = await screenshot(page, "harness-check-hello");
    assert.ok(existsSync(png), png);
    assert.ok((await fs.stat(png)).size > 10_000, "screenshot looks empty");
    t.diagnostic(`screenshot: ${png}`);
  } catch (err) {
    const png = await screenshot(page, "harness-check-hello-FAILED").catch(() => "(no screenshot)");
    throw new Error(`${/** @type {Error} */ (err).message}\nscreenshot: ${png}\n--- code-server output ---\n${server.logs()}`, { cause: err });
  } finally {
    await browser.close();
    await server.stop();
  }
});
