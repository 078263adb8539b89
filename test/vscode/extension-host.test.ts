// Runs the mocha suite in test/vscode/suite INSIDE code-server's real extension host (the
// smoke-test payload loads this repository as a development extension), with the tiny model
// in the user settings, and fails unless the suite exits with 0. The suite's output is printed.

import assert from "node:assert/strict";
import * as path from "node:path";
import { before, test } from "node:test";
import { REPO_ROOT } from "../support/fixtures";
import { codeServerHarness, tinyModelSettings, workspace } from "../e2e/support/workbench";

const PAIR = {
  prompt: "What is 17 * 24?",
  response1: "17 * 24 = 408. (17 * 20 = 340, 17 * 4 = 68, 340 + 68 = 408.)",
  response2: "17 * 24 = 418.",
};

const JSONL = [
  { prompt: "Capital of Australia?", chosen: "Canberra.", rejected: "Sydney." },
  { question: "Is 91 prime?", response_a: "No: 91 = 7 * 13.", response_b: "Yes, 91 is prime." },
  { prompt: "Say hi.", response1: "Hi!", response2: "Hello there." },
]
  .map((r) => JSON.stringify(r))
  .join("\n");

const NOTES = `# Notes

Q: What is the boiling point of water at sea level, in degrees Celsius?
A1: Water boils at 100 degrees Celsius at sea level.
A2: Water boils at 90 degrees Celsius at sea level.
`;

before(
  async () => {
    const h = await codeServerHarness();
    await h.ensureSystemPackages();
    await h.ensureCodeServer();
  },
  { timeout: 20 * 60_000 },
);

test("extension-host suite (mocha in code-server's extension host)", { timeout: 15 * 60_000 }, async () => {
  const h = await codeServerHarness();
  const folder = workspace({
    "pair.json": `${JSON.stringify(PAIR, null, 2)}\n`,
    "pairs.jsonl": `${JSONL}\n`,
    "notes.md": NOTES,
    "plain.txt": "Nothing to compare here.\n",
  });
  const started = Date.now();
  const { exitCode, output, timedOut } = await h.runExtensionTests({
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(REPO_ROOT, "out", "test", "vscode", "suite", "index.js"),
    folder,
    userSettings: await tinyModelSettings(),
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
