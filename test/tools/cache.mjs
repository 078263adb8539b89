// @ts-check
// Where slow-to-build test artefacts live (llama.cpp checkouts, llama-server builds, tiny models).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The cache folder for test artefacts, joined with `parts` and created on demand (mkdir -p).
 * Root: `$BRRM_TEST_CACHE`, else `~/.cache/brrm-judge`.
 * @param {...string} parts
 * @returns {string}
 */
export function cacheDir(...parts) {
  const root = process.env.BRRM_TEST_CACHE || path.join(os.homedir(), ".cache", "brrm-judge");
  const dir = path.join(path.resolve(root), ...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
