// @ts-check
// Fills the carry folder (default .gpu/, git-ignored) for test/gpu/measure.sh on a GPU machine
// that has no node, no npm and no network, and takes at most 64 MiB:
//
//   node.xz            this Node binary, xz-compressed
//   app.tar.xz         brrm as `npm run build` makes it (dist/cli.js, package.json) and its
//                      production node_modules WITHOUT any llama.cpp binary, node-llama-cpp's
//                      addon sources kept (node-api-headers and node-addon-api come with it)
//   llama-src.tar.xz   the llama.cpp source node-llama-cpp ships (its git bundle), with
//                      node-llama-cpp's patch applied, trimmed to what a CUDA build needs
//   ggml-vocab-qwen2.gguf   the Qwen tokenizer for the random-weight Qwen3-8B-shaped model
//
//   node test/gpu/prepare.mjs [folder]      (after npm install and npm run build)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stageDependencies } from "../../scripts/package.mjs";
import { extractFile, extractSource } from "../tools/llama-bundle.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CARRY_LIMIT = 64 * 1024 * 1024;
/** What a CUDA build of llama.cpp (the addon, llama-bench, llama-server) reads. */
const SOURCE_PARTS = ["CMakeLists.txt", "cmake", "ggml", "src", "include", "common", "tools", "vendor", "gguf-py", "scripts", "LICENSE", "licenses"];

const dest = path.resolve(process.argv[2] ?? path.join(ROOT, ".gpu"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "brrm-gpu-kit-"));
const sh = (/** @type {string} */ cmd, /** @type {string[]} */ args, /** @type {string} */ cwd = work) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
const size = (/** @type {string} */ f) => fs.statSync(f).size;

try {
  if (!fs.existsSync(path.join(ROOT, "dist", "cli.js"))) throw new Error("dist/cli.js is missing: run npm run build first.");
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });

  // The llama.cpp source, with the patch node-llama-cpp applies before its own builds.
  const src = extractSource(path.join(work, "llama.cpp"));
  const patch = path.join(ROOT, "node_modules", "node-llama-cpp", "llama", "patches", "PR-22566.diff");
  if (!fs.readFileSync(path.join(src, "src", "llama-model-loader.cpp"), "utf8").includes("n_tensors = gguf_get_n_tensors(metadata);"))
    sh("git", ["apply", patch], src);
  sh("tar", ["-C", src, "--exclude=tools/ui/src", "--exclude=tools/ui/tests", "--exclude=tools/ui/.storybook", "--exclude=*.gguf", "-cJf", path.join(dest, "llama-src.tar.xz"), ...SOURCE_PARTS.filter((p) => fs.existsSync(path.join(src, p)))]);
  fs.writeFileSync(path.join(dest, "ggml-vocab-qwen2.gguf"), extractFile("models/ggml-vocab-qwen2.gguf"));

  // brrm and node-llama-cpp (sources, no binaries).
  const app = path.join(work, "app");
  fs.mkdirSync(path.join(app, "dist"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "dist", "cli.js"), path.join(app, "dist", "cli.js"));
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(app, "package.json"));
  await stageDependencies(app, { llamaSource: true });
  // The package node-llama-cpp loads a prebuilt binary from: its entry point, for the one built there.
  fs.copyFileSync(path.join(ROOT, "node_modules", "@node-llama-cpp", "linux-x64", "dist", "index.js"), path.join(app, "binary-package-index.js"));
  sh("tar", ["-C", app, "-cJf", path.join(dest, "app.tar.xz"), "."]);

  sh("sh", ["-c", `xz -9 -T0 -c "${process.execPath}" > "${path.join(dest, "node.xz")}"`]);
  fs.writeFileSync(path.join(dest, "node.version"), `${process.version}\n`);

  const files = fs.readdirSync(dest).map((f) => [f, size(path.join(dest, f))]);
  const total = files.reduce((n, [, s]) => n + Number(s), 0);
  for (const [f, s] of files) console.log(`${String(f).padEnd(24)} ${(Number(s) / 1048576).toFixed(1)} MiB`);
  console.log(`${"total".padEnd(24)} ${(total / 1048576).toFixed(1)} MiB of ${CARRY_LIMIT / 1048576} MiB`);
  if (total > CARRY_LIMIT) throw new Error(`The carry folder is ${(total / 1048576).toFixed(1)} MiB: over the ${CARRY_LIMIT / 1048576} MiB a call carries.`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
