// @ts-check
// `npm test`: builds, prepares everything the tests need on a fresh machine (the tiny model,
// llama-server built from the bundled llama.cpp source, code-server and Chromium), caching
// what is slow, then runs every test with node's test runner and ends with "N passed, N failed".
//
//   npm test                  everything
//   npm test -- unit cli      only test files whose path contains "unit" or "cli"
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const filters = process.argv.slice(2);

/** @param {string} cmd @param {string[]} args @param {import("node:child_process").SpawnOptions} [opts] */
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", ...opts });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** @param {string} dir @param {RegExp} re @returns {string[]} */
function find(dir, re) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && re.test(d.name))
    .map((d) => path.join(d.parentPath ?? d.path, d.name))
    .sort();
}

const step = (/** @type {string} */ s) => console.log(`\n== ${s}`);

step("build");
if ((await run(process.execPath, ["esbuild.js", "--tests"])) !== 0) process.exit(1);

const files = [...find("out/test", /\.test\.js$/), ...find("test/tools", /\.test\.mjs$/)].filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x)),
);
if (files.length === 0) {
  console.error(`No test files match ${filters.join(", ")}.\n0 passed, 0 failed`);
  process.exit(1);
}
const needs = (/** @type {RegExp} */ re) => files.some((f) => re.test(f));

step("prepare");
const started = Date.now();
const { tinyModelPath } = await import("./tools/tiny-model.mjs");
const tasks = [tinyModelPath({ seed: 1 }).then((p) => (process.env.BRRM_TEST_MODEL = p))];
if (needs(/integration|e2e|bench|tools/)) {
  const { llamaServerBinary } = await import("./tools/llama-server.mjs");
  tasks.push(llamaServerBinary().then((p) => (process.env.BRRM_TEST_LLAMA_SERVER = p)));
}
if (needs(/e2e|vscode|code-server/)) {
  const cs = await import("./tools/code-server.mjs");
  tasks.push(cs.ensureSystemPackages().then(() => cs.ensureCodeServer()));
}
const prepared = await Promise.allSettled(tasks);
for (const r of prepared) if (r.status === "rejected") console.error(`prepare failed: ${r.reason?.message ?? r.reason}`);
if (prepared.some((r) => r.status === "rejected")) {
  console.error("0 passed, 1 failed");
  process.exit(1);
}
console.log(`prepared in ${((Date.now() - started) / 1000).toFixed(0)} s`);

step(`test (${files.length} files)`);
const summaryFile = path.join(os.tmpdir(), `brrm-test-summary-${process.pid}.txt`);
const code = await run(process.execPath, [
  "--test",
  "--test-concurrency=1",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  "--test-reporter=./test/tools/summary-reporter.mjs",
  `--test-reporter-destination=${summaryFile}`,
  ...files,
]);
const summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, "utf8").trim() : "0 passed, 0 failed";
fs.rmSync(summaryFile, { force: true });
console.log(`\n${summary}`);
process.exit(code !== 0 || /^0 passed/.test(summary) ? 1 : 0);
