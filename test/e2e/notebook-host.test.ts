// Runs the notebook and evaluation suites (test/vscode/suite/notebookIndex.ts) INSIDE
// code-server's real extension host, with the tiny model, and a result cache of their own so
// every run judges for real.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { jsonl, JUDGE_PAIRS, savedPairs } from "../support/notebookFixtures";
import { PUBLISHED_IN_NOTEBOOK, publishedPairLines, writeShapeFolder } from "../support/publishedShapes";
import { REPO_ROOT } from "../support/fixtures";
import { codeServerHarness, tinyModelSettings, workspace } from "./support/workbench";

test("notebook and evaluation suites (mocha in code-server's extension host)", { timeout: 15 * 60_000 }, async () => {
  const h = await codeServerHarness();
  const folder = workspace({
    "judge.pairs.jsonl": JUDGE_PAIRS,
    "saved.pairs.jsonl": savedPairs(),
    "edit.pairs.jsonl": JUDGE_PAIRS,
    "plain.jsonl": jsonl([
      { prompt: "Say hi.", response1: "Hi!", response2: "Hello there." },
      { prompt: "Say bye.", response1: "Bye!", response2: "Goodbye." },
    ]),
    "dataset.jsonl": jsonl([{ id: "d1", prompt: "Is 91 prime?", response1: "No: 91 = 7 * 13.", response2: "Yes, 91 is prime.", label: 1 }, '{"prompt": "missing responses"}']),
    "variants.jsonl": jsonl([
      { id: "v1", prompt: "Define entropy in one sentence.", output_a: "Entropy is disorder.", output_b: "Entropy measures the number of microstates consistent with a macrostate." },
      { id: "v2", prompt: "Say hi.", output_a: "Hi", output_b: "" },
    ]),
    // The joined pair is variants.jsonl's first: the second comparison comes from the cache.
    "variant-a.jsonl": jsonl([{ id: 1, input: "Define entropy in one sentence.", output: "Entropy is disorder." }, { id: 2, input: "Only in A", output: "x" }]),
    // The results-writer suite: a terminal's `brrm eval` holds these while the editor tries to write them.
    "locked.jsonl": jsonl([{ id: "l1", prompt: "Is 91 prime?", response1: "No: 91 = 7 * 13.", response2: "Yes, 91 is prime." }]),
    "locked.pairs.jsonl": jsonl([{ id: "n1", prompt: "Is 91 prime?", response1: "No: 91 = 7 * 13.", response2: "Yes, 91 is prime." }]),
    "variant-b.jsonl": jsonl([{ id: 1, input: "Define entropy in one sentence.", output: "Entropy measures the number of microstates consistent with a macrostate." }, { id: 3, input: "Only in B", output: "y" }]),
    "published.pairs.jsonl": publishedPairLines(PUBLISHED_IN_NOTEBOOK),
  });
  // A Hugging Face style folder: parquet and gzip as published.
  await writeShapeFolder(path.join(folder, "hub"), ["UltraFeedback binarized", "HelpSteer3 preference"]);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-nb-cache-"));
  process.on("exit", () => fs.rmSync(cacheDir, { recursive: true, force: true }));
  const started = Date.now();
  const { exitCode, output, timedOut } = await h.runExtensionTests({
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(REPO_ROOT, "out", "test", "vscode", "suite", "notebookIndex.js"),
    folder,
    env: { BRRM_CACHE_DIR: cacheDir, ...(process.env.BRRM_SUITE_GREP ? { BRRM_SUITE_GREP: process.env.BRRM_SUITE_GREP } : {}) },
    userSettings: await tinyModelSettings(),
    timeoutMs: 12 * 60_000,
  });
  const report = output.split("--- code-server output ---")[0];
  const start = report.search(/^\s{2}\S.*$/m);
  console.log(report.slice(Math.max(0, start)).split("\n").filter((l) => !/127\.0\.0\.1:9|^\s+at |gallery|%c/.test(l)).join("\n"));
  console.log(`notebook suites: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (exitCode !== 0) console.log(output.slice(-4000));
  assert.equal(timedOut ?? false, false, "the suite never finished");
  assert.equal(exitCode, 0, "the notebook suites failed (see their report above)");
  assert.match(report, /\d+ passing/);
});
