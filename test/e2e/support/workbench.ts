// Typed access to the code-server harness (test/tools/code-server.mjs, plain ESM) and the
// steps the end-to-end tests share: start a workbench with the extension (from source or from
// the VSIX), open a file, reach the judge panel's webview, read diagnostics.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type { BrowserContext, FrameLocator, Page } from "playwright-core";
import { REPO_ROOT, TINY, tinyModel } from "../../support/fixtures";

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  logs(): string;
  stop(): Promise<void>;
}

interface Harness {
  SCREENSHOT_DIR: string;
  ensureSystemPackages(): Promise<void>;
  ensureCodeServer(): Promise<{ codeServerBin: string; nodeBin: string }>;
  startCodeServer(opts: {
    folder: string;
    extensionsDir?: string;
    userSettings?: Record<string, unknown>;
    smokeTestDriver?: boolean;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    workspaceTrust?: boolean;
  }): Promise<CodeServer>;
  installVsix(vsix: string, extensionsDir: string): Promise<string>;
  launchBrowser(opts?: { viewport?: { width: number; height: number } }): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }>;
  openWorkbench(page: Page, url: string, folder?: string, opts?: { timeoutMs?: number; extensionDevelopmentPath?: string }): Promise<void>;
  runCommand(page: Page, label: string, opts?: { timeoutMs?: number }): Promise<void>;
  waitForCommand(page: Page, label: string, opts?: { timeoutMs?: number }): Promise<void>;
  screenshot(page: Page, name: string): Promise<string>;
  runExtensionTests(opts: {
    extensionDevelopmentPath: string;
    extensionTestsPath: string;
    folder: string;
    env?: NodeJS.ProcessEnv;
    userSettings?: Record<string, unknown>;
    timeoutMs?: number;
  }): Promise<{ exitCode: number; output: string; timedOut?: boolean }>;
}

let harness: Promise<Harness> | undefined;
export function codeServerHarness(): Promise<Harness> {
  return (harness ??= import(pathToFileURL(path.join(REPO_ROOT, "test", "tools", "code-server.mjs")).href) as Promise<Harness>);
}

/** A fresh folder with the given files, removed when the process exits. */
export function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-e2e-ws-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** User settings that run the tiny model: 1 thread (see FACTS), constrained so it yields a verdict. */
export async function tinyModelSettings(): Promise<Record<string, unknown>> {
  return {
    "brrm.backend": "local",
    "brrm.local.model": await tinyModel(),
    "brrm.local.threads": TINY.threads,
    "brrm.local.gpu": TINY.gpu,
    "brrm.local.contextSize": TINY.contextSize,
    "brrm.constrained": true,
    "brrm.sampling.seed": 1,
  };
}

/** Settings that keep the screen to the editor and the panel. */
export const QUIET_WORKBENCH = {
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.colorTheme": "Default Light Modern",
  "editor.minimap.enabled": false,
  "window.commandCenter": false,
  "workbench.layoutControl.enabled": false,
} as const;

export interface Workbench {
  server: CodeServer;
  page: Page;
  folder: string;
  close(): Promise<void>;
}

/**
 * code-server with the extension and a browser on it. `vsix`: installed from that file;
 * otherwise loaded from this repository as a development extension.
 */
export async function startWorkbench(opts: { folder: string; settings?: Record<string, unknown>; vsix?: string; env?: NodeJS.ProcessEnv; workspaceTrust?: boolean }): Promise<Workbench> {
  const h = await codeServerHarness();
  let extensionsDir: string | undefined;
  if (opts.vsix) {
    extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-e2e-ext-"));
    await h.installVsix(opts.vsix, extensionsDir);
  }
  const server = await h.startCodeServer({
    folder: opts.folder,
    userSettings: { ...QUIET_WORKBENCH, ...opts.settings },
    smokeTestDriver: !opts.vsix,
    ...(extensionsDir ? { extensionsDir } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.workspaceTrust ? { workspaceTrust: true } : {}),
  });
  const browser = await h.launchBrowser();
  const close = async () => {
    await browser.close();
    await server.stop();
    if (extensionsDir) fs.rmSync(extensionsDir, { recursive: true, force: true });
  };
  try {
    await h.openWorkbench(browser.page, server.url, opts.folder, opts.vsix ? {} : { extensionDevelopmentPath: REPO_ROOT });
  } catch (e) {
    await close();
    throw e;
  }
  return { server, page: browser.page, folder: opts.folder, close };
}

/** Opens a file of the workspace from the explorer and waits for its editor. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.locator(".explorer-folders-view .monaco-list-row").filter({ hasText: name }).first().click();
  await page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first().waitFor();
  await page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor();
}

/** Opens a JSON pair file, puts the cursor in its record and runs "BR-RM: Compare Responses"; returns the judge panel. */
export async function compareJsonFile(page: Page, name = "pair.json"): Promise<FrameLocator> {
  await openFile(page, name);
  await page.locator(".editor-instance .view-line").nth(2).click();
  await (await codeServerHarness()).runCommand(page, "BR-RM: Compare Responses");
  return judgePanel(page);
}

/** Clicks into the active editor at a line (1-based) so the cursor is there. */
export async function clickLine(page: Page, line: number): Promise<void> {
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.locator(".view-line").nth(line - 1).click({ position: { x: 40, y: 5 } });
}

/**
 * Types a path into code-server's open dialog (a quick input holding a path). The dialog puts
 * the folder it has listed there, over anything typed before, and may do so late: type once it
 * holds a path, then again until the value stays what was typed.
 */
export async function typeInOpenDialog(page: Page, value: string): Promise<void> {
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await page.waitForFunction(() => document.querySelector<HTMLInputElement>(".quick-input-widget .quick-input-box input")?.value.startsWith("/"));
  for (let attempt = 1; ; attempt++) {
    await input.fill(value);
    await page.waitForTimeout(500);
    if ((await input.inputValue()) === value) return;
    if (attempt === 5) throw new Error(`the open dialog kept replacing the typed path: it holds ${await input.inputValue()}`);
  }
}

/**
 * The judge panel's content (the webview's inner frame): the webview the extension made (its id
 * is in the frame's address), not another editor's, such as a walkthrough step's media.
 */
export function judgePanel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready[src*="extensionId=brrm-judge.brrm-judge"]').frameLocator("#active-frame");
}

export const VERDICT_TIMEOUT = 120_000;

/** Problems panel rows, as text. */
export async function problems(page: Page): Promise<string[]> {
  const panel = page.locator(".markers-panel");
  if (!(await panel.isVisible())) await page.keyboard.press("Control+Shift+M");
  await panel.waitFor();
  const rows = panel.locator(".monaco-list-row");
  await rows.first().waitFor();
  return rows.allInnerTexts();
}

export async function shot(page: Page, name: string): Promise<string> {
  return (await codeServerHarness()).screenshot(page, name);
}

/**
 * A node:test test that saves a screenshot named after it when it fails, so a failure in the
 * browser can be seen, not only read.
 */
export function uiTest(name: string, opts: { timeout: number }, page: () => Page | undefined, fn: () => Promise<void>): void {
  test(name, opts, async () => {
    try {
      await fn();
    } catch (e) {
      const p = page();
      if (p) await shot(p, `FAILED-${name.slice(0, 60)}`).catch(() => {});
      throw e;
    }
  });
}
