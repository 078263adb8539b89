// Shared test fixtures: the tiny model and the built CLI. `npm test` prepares the tiny model
// once and passes its path in BRRM_TEST_MODEL; a test file run alone generates it itself.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "esbuild.js"))) dir = path.dirname(dir);
  return dir;
})();

export const CLI = path.join(REPO_ROOT, "dist", "cli.js");

const importTool = (name: string) => import(pathToFileURL(path.join(REPO_ROOT, "test", "tools", name)).href);

export async function tinyModel(seed = 1): Promise<string> {
  if (seed === 1 && process.env.BRRM_TEST_MODEL) return process.env.BRRM_TEST_MODEL;
  const { tinyModelPath } = await importTool("tiny-model.mjs");
  return tinyModelPath({ seed });
}

export async function startLlamaServer(opts: { model: string; args?: string[] }): Promise<{ url: string; baseURL: string; stop(): Promise<void> }> {
  const tools = await importTool("llama-server.mjs");
  return tools.startLlamaServer(opts);
}

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = "brrm-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs settings the tests use for the tiny model: 1 thread (see FACTS), a small context. */
export const TINY = { threads: 1, contextSize: 4096, gpu: "off" as const };
