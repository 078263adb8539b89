// @ts-check
// Read files out of the llama.cpp git bundle that node-llama-cpp ships
// (node_modules/node-llama-cpp/llama/gitRelease.bundle), offline.
// The bundle is fetched once into a bare repository under the test cache, keyed by its content hash.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "./cache.mjs";

const REF = "refs/remotes/b/HEAD";

/** Absolute path of node-llama-cpp's llama.cpp git bundle. */
export function bundlePath() {
  // node-llama-cpp's "exports" do not list ./package.json, so resolve its entry point and walk up.
  let dir = path.dirname(fileURLToPath(import.meta.resolve("node-llama-cpp")));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "node-llama-cpp") break;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find node-llama-cpp's package.json");
    dir = up;
  }
  const bundle = path.join(dir, "llama", "gitRelease.bundle");
  if (!fs.existsSync(bundle)) throw new Error(`node-llama-cpp has no llama.cpp bundle at ${bundle}`);
  return bundle;
}

/** @type {string | undefined} */
let memoKey;
/** Identity of the bundle: the first 16 hex digits of its SHA-256 (hashing 35 MB takes ~0.1 s). */
export function bundleKey() {
  if (!memoKey) {
    memoKey = crypto.createHash("sha256").update(fs.readFileSync(bundlePath())).digest("hex").slice(0, 16);
  }
  return memoKey;
}

/** @param {string[]} args @param {import("node:child_process").ExecFileSyncOptions} [opts] */
function git(args, opts = {}) {
  try {
    return /** @type {Buffer} */ (execFileSync("git", args, { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"], ...opts }));
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err.code === "ENOENT") throw new Error("git is not installed (apt-get install -y git)");
    throw new Error(`git ${args.join(" ")} failed: ${String(err.stderr || err.message).trim()}`);
  }
}

/** Rename `from` to `to`; if another process got there first, drop ours. @param {string} from @param {string} to */
function publish(from, to) {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if (!fs.existsSync(to)) throw e;
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/** A bare repository holding the bundle's commit at refs/remotes/b/HEAD (created once). */
export function bareRepo() {
  const root = cacheDir("llama-bundle", bundleKey());
  const repo = path.join(root, "git");
  if (fs.existsSync(path.join(repo, "ok"))) return repo;
  const tmp = fs.mkdtempSync(path.join(root, "git.tmp-"));
  git(["init", "-q", "--bare", tmp]);
  git(["-C", tmp, "fetch", "-q", bundlePath(), "*:refs/remotes/b/*"]);
  fs.writeFileSync(path.join(tmp, "ok"), "");
  publish(tmp, repo);
  return repo;
}

/** The full commit id of the bundle's HEAD. */
export function bundleCommit() {
  return git(["-C", bareRepo(), "rev-parse", REF]).toString().trim();
}

/**
 * The contents of one file of the llama.cpp source, e.g. "models/ggml-vocab-qwen2.gguf".
 * Cached under cacheDir("llama-bundle", key, "files").
 * @param {string} pathInRepo
 * @returns {Buffer}
 */
export function extractFile(pathInRepo) {
  const rel = path.posix.normalize(pathInRepo.replace(/\\/g, "/"));
  if (rel.startsWith("../") || path.posix.isAbsolute(rel)) throw new Error(`bad path in repo: ${pathInRepo}`);
  const cached = path.join(cacheDir("llama-bundle", bundleKey(), "files"), rel);
  if (fs.existsSync(cached)) return fs.readFileSync(cached);
  const data = git(["-C", bareRepo(), "show", `${REF}:${rel}`]);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  publish(tmp, cached);
  return data;
}

/**
 * Check out the whole llama.cpp source tree into `destDir` (created if needed; existing files are
 * overwritten). No .git folder is written. Takes a few seconds.
 * @param {string} destDir
 * @returns {string} destDir, absolute
 */
export function extractSource(destDir) {
  const dest = path.resolve(destDir);
  fs.mkdirSync(dest, { recursive: true });
  const repo = bareRepo();
  // A private index file, so that concurrent checkouts do not share the bare repo's index.
  const index = path.join(dest, `.brrm-index-${process.pid}`);
  const env = { ...process.env, GIT_INDEX_FILE: index };
  try {
    git(["--git-dir", repo, "read-tree", REF], { env });
    git(["--git-dir", repo, "--work-tree", dest, "checkout-index", "-a", "-f"], { env });
  } finally {
    fs.rmSync(index, { force: true });
  }
  return dest;
}
