// `npm run test:electron`: the extension-host suite in desktop VS Code through
// @vscode/test-electron, on the oldest VS Code the manifest accepts and on the latest stable
// one. It downloads VS Code, so it needs the network: offline it stops at once with a message
// saying so (the same suite runs offline in code-server: `npm test -- vscode`).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runTests } from "@vscode/test-electron";
import { REPO_ROOT } from "../support/fixtures";
import { suiteSettings, suiteWorkspace } from "./fixture";

const DOWNLOAD_HOST = "https://update.code.visualstudio.com/api/releases/stable";

async function online(): Promise<boolean> {
  try {
    const res = await fetch(DOWNLOAD_HOST, { signal: AbortSignal.timeout(5000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const engines = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { engines: { vscode: string } }).engines.vscode;
  const versions = (process.env.BRRM_VSCODE_VERSIONS ?? `${engines.replace(/^\^/, "")},stable`).split(",").map((v) => v.trim());
  if (!(await online())) {
    console.error(
      `test:electron needs to download VS Code (${versions.join(", ")}) from update.code.visualstudio.com, which this machine cannot reach.\n` +
        "Run the same extension-host suite offline in code-server instead: npm test -- vscode",
    );
    return 1;
  }
  if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    console.warn("No display: on Linux run this under a virtual X server, e.g. `xvfb-run -a npm run test:electron`.");

  const settings = await suiteSettings();
  let failed = 0;
  for (const version of versions) {
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-electron-data-"));
    const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-electron-ext-"));
    fs.mkdirSync(path.join(userDataDir, "User"));
    fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify({ ...settings, "workbench.startupEditor": "none", "security.workspace.trust.enabled": false }, null, 2));
    console.log(`\n== VS Code ${version}`);
    try {
      await runTests({
        version,
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: path.join(REPO_ROOT, "out", "test", "vscode", "suite", "index.js"),
        launchArgs: [suiteWorkspace(), "--disable-extensions", `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`],
      });
    } catch (e) {
      failed++;
      console.error(`VS Code ${version}: ${(e as Error).message}`);
    } finally {
      fs.rmSync(userDataDir, { recursive: true, force: true });
      fs.rmSync(extensionsDir, { recursive: true, force: true });
    }
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
