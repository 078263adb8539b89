// @ts-check
// A real OpenAI-compatible server for tests: llama.cpp's llama-server, built once from the
// llama.cpp source that node-llama-cpp ships as a git bundle, and cached per bundle.
//
//   npm run llama-server -- <llama-server arguments>     build if needed, then run it
//   import { llamaServerBinary, startLlamaServer } from "./llama-server.mjs"
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "./cache.mjs";
import { bundleCommit, bundleKey, extractSource } from "./llama-bundle.mjs";

const NOTE = "[llama-server]";

/** @param {string} cmd */
function hasCommand(cmd) {
  return !spawnSync(cmd, ["--version"], { stdio: "ignore" }).error;
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {any} */ (e).code === "EPERM";
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {string} cmd @param {string[]} args */
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    // Build output goes to our stderr, so that stdout stays clean for whatever runs after.
    const child = spawn(cmd, args, { stdio: ["ignore", process.stderr, process.stderr] });
    child.on("error", reject);
    child.on("exit", (code, sig) =>
      code === 0 ? resolve(undefined) : reject(new Error(`${cmd} ${args.join(" ")} failed (${sig ?? `exit ${code}`})`)));
  });
}

/**
 * Path of the llama-server binary built from node-llama-cpp's llama.cpp bundle. The first call
 * per bundle builds it (about 6 minutes on 2 cores, output streamed to stderr); later calls return
 * at once. Concurrent callers (other processes) wait for the one that builds.
 * @returns {Promise<string>}
 */
export async function llamaServerBinary() {
  const root = cacheDir("llama-server", bundleKey());
  const bin = path.join(root, "bin", "llama-server");
  const lock = path.join(root, "build.lock");
  for (;;) {
    if (fs.existsSync(bin)) return bin;
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
    } catch (e) {
      if (/** @type {any} */ (e).code !== "EEXIST") throw e;
      let pid = 0;
      try { pid = Number(fs.readFileSync(path.join(lock, "pid"), "utf8")); } catch { /* just taken, or just released */ }
      if (pid && !alive(pid)) fs.rmSync(lock, { recursive: true, force: true }); // stale lock
      else await sleep(1000); // someone else is building (or just took the lock)
      continue;
    }
    try {
      if (!fs.existsSync(bin)) await build(root, bin);
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** @param {string} root @param {string} bin */
async function build(root, bin) {
  const cxx = process.env.CXX || ["c++", "g++", "clang++"].find(hasCommand);
  if (!hasCommand("cmake") || !cxx) {
    throw new Error("building llama-server needs cmake and a C++ compiler, which are missing: apt-get install -y cmake g++");
  }
  const src = path.join(root, "src");
  const out = path.join(root, "build");
  const jobs = os.availableParallelism();
  const commit = bundleCommit();
  process.stderr.write(`${NOTE} building llama-server (llama.cpp ${commit.slice(0, 10)}, from node-llama-cpp's bundle) ` +
    `in ${root} with -j${jobs}; once per bundle, ~6 min on 2 cores\n`);
  const t0 = Date.now();
  fs.rmSync(src, { recursive: true, force: true });
  extractSource(src);
  const cmakeLists = fs.readFileSync(path.join(src, "CMakeLists.txt"), "utf8");
  const flags = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF", // one self-contained binary that can be moved into bin/
    "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
    // the source has no .git: give the version explicitly (else cmake may ask an enclosing repo)
    `-DLLAMA_BUILD_COMMIT=${commit.slice(0, 7)}`, "-DLLAMA_BUILD_NUMBER=0",
  ];
  for (const opt of ["LLAMA_BUILD_APP", "LLAMA_USE_PREBUILT_UI"]) {
    if (cmakeLists.includes(`option(${opt} `)) flags.push(`-D${opt}=OFF`);
  }
  if (process.env.CXX) flags.push(`-DCMAKE_CXX_COMPILER=${process.env.CXX}`);
  await run("cmake", ["-S", src, "-B", out, ...flags]);
  await run("cmake", ["--build", out, "--target", "llama-server", `-j${jobs}`]);
  const built = path.join(out, "bin", "llama-server");
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.copyFileSync(built, `${bin}.tmp`);
  fs.chmodSync(`${bin}.tmp`, 0o755);
  fs.renameSync(`${bin}.tmp`, bin);
  fs.rmSync(src, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
  process.stderr.write(`${NOTE} built ${bin} in ${Math.round((Date.now() - t0) / 1000)} s\n`);
}

/** A free TCP port on 127.0.0.1. @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** @type {Set<import("node:child_process").ChildProcess>} */
const running = new Set();
process.on("exit", () => { for (const p of running) p.kill("SIGKILL"); });

/**
 * Start llama-server on 127.0.0.1 and wait until GET /health answers 200.
 * @param {{ model?: string, args?: string[], port?: number, timeoutMs?: number }} opts
 *   model: a GGUF path (or pass -m in args); args: extra llama-server arguments;
 *   port: default a free one; timeoutMs: how long to wait for /health (default 120 s).
 */
export async function startLlamaServer({ model, args = [], port, timeoutMs = 120_000 } = {}) {
  const bin = await llamaServerBinary();
  const p = port ?? (await freePort());
  const argv = [...(model ? ["-m", model] : []), "--host", "127.0.0.1", "--port", String(p), "--jinja", "-t", "1", "--no-webui", ...args];
  const child = spawn(bin, argv, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let tail = "";
  /** @param {Buffer} chunk */
  const keep = (chunk) => { tail = (tail + chunk.toString()).slice(-4000); };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once("exit", () => { running.delete(child); resolve(); }));
  const spawnError = new Promise((resolve) => child.once("error", resolve));
  const url = `http://127.0.0.1:${p}`;

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  }

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const err = await Promise.race([spawnError, sleep(0)]);
    if (err) throw new Error(`cannot start ${bin}: ${/** @type {Error} */ (err).message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`llama-server exited (${child.signalCode ?? `exit ${child.exitCode}`}) before it was ready:\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`llama-server did not answer ${url}/health within ${timeoutMs} ms:\n${tail}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  return { url, baseURL: `${url}/v1`, process: child, stop };
}

// As a script: build if needed, then run llama-server with our arguments.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let bin;
  try {
    bin = await llamaServerBinary();
  } catch (e) {
    process.stderr.write(`${NOTE} ${/** @type {Error} */ (e).message}\n`);
    process.exit(1);
  }
  const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
  /** @type {NodeJS.Signals[]} */
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const forward = (/** @type {NodeJS.Signals} */ sig) => { child.kill(sig); };
  for (const sig of signals) process.on(sig, forward);
  child.on("error", (e) => { process.stderr.write(`${NOTE} cannot run ${bin}: ${e.message}\n`); process.exit(1); });
  child.on("exit", (code, sig) => {
    for (const s of signals) process.off(s, forward);
    if (sig) process.kill(process.pid, sig); // die the same way
    else process.exit(code ?? 1);
  });
}
