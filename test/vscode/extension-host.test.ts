// Runs the mocha suite in test/vscode/suite INSIDE code-server's real extension host (the
// smoke-test payload loads this repository as a development extension), with the tiny model
// in the user settings, and fails unless the suite exits with 0. The suite's output is printed.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/fixtures";
import { codeServerHarness } from "../e2e/support/workbench";
import { suiteSettings, suiteWorkspace } from "./fixture";

test("extension-host suite (mocha in code-server's extension host)", { timeout: 15 * 60_000 }, async () => {
  const h = await codeServerHarness();
  const folder = suiteWorkspace();
  const started = Date.now();
  const { exitCode, output, timedOut } = await h.runExtensionTests({
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(REPO_ROOT, "out", "test", "vscode", "suite", "index.js"),
    folder,
    userSettings: await suiteSettings(),
    timeoutMs: 12 * 60_000,
  });
  // The mocha report, without the workbench's own console noise.
  const report = output.split("--- code-server output ---")[0];
  const start = report.search(/^\s{2}\S.*$/m);
  console.log(report.slice(Math.max(0, start)).split("\n").filter((l) => !/127\.0\.0\.1:9|^\s+at |gallery|%c/.test(l)).join("\n"));
  console.log(`extension-host suite: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  assert.equal(timedOut ?? false, false, "the suite never finished");
  assert.equal(exitCode, 0, "the extension-host suite failed (see its report above)");
  assert.match(report, /\d+ passing/);
});
