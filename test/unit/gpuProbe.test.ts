// The probe behind gpu auto: which drivers, runtimes and node-llama-cpp builds a machine has.
// Library folders are made of empty files named like the real libraries (the probe looks for
// names, as the dynamic linker does); the extension folders are laid out as npm installs them.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { installedBinaryPackage, probeGpu } from "../../src/backends/gpuProbe";
import { tempDir } from "../support/fixtures";

const ROOT = tempDir("brrm-probe-");
let n = 0;

function folderWith(files: string[]): string {
  const dir = path.join(ROOT, `libs-${n++}`);
  fs.mkdirSync(dir);
  for (const f of files) fs.writeFileSync(path.join(dir, f), "");
  return dir;
}

/** node_modules with node-llama-cpp at `version` and binary packages at their own versions. */
function extension(version: string, packages: Record<string, string>): string {
  const modules = path.join(ROOT, `ext-${n++}`, "node_modules");
  const write = (dir: string, name: string, v: string) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: v }));
  };
  write(path.join(modules, "node-llama-cpp"), "node-llama-cpp", version);
  for (const [name, v] of Object.entries(packages)) write(path.join(modules, "@node-llama-cpp", name), `@node-llama-cpp/${name}`, v);
  return path.join(modules, "node-llama-cpp");
}

describe("GPU probe", () => {
  it("Linux: the NVIDIA driver, whole CUDA runtimes only, the Vulkan loader, from LD_LIBRARY_PATH", async () => {
    const nlc = extension("3.21.1", { "linux-x64": "3.21.1", "linux-x64-vulkan": "3.21.1" });
    const libs = folderWith(["libnvidia-ml.so.1", "libcuda.so.1", "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcudart.so.13", "libcublas.so.13", "libvulkan.so.1"]);
    const facts = await probeGpu({ platform: "linux", arch: "x64", env: { LD_LIBRARY_PATH: libs }, nodeLlamaCppDir: nlc });
    assert.equal(facts.nvidiaDriver, true);
    assert.deepEqual(facts.cudaRuntimes, [12], "CUDA 13 lacks cublasLt: not a whole runtime");
    assert.equal(facts.vulkanLoader, true);
    assert.deepEqual(facts.installed, { cuda: false, vulkan: true, cpu: true });
    assert.equal(facts.cudaFallbackInstalled, false);
  });

  it("Linux: without libcuda the NVIDIA management library alone is no driver", async () => {
    const facts = await probeGpu({ platform: "linux", arch: "x64", env: { LD_LIBRARY_PATH: folderWith(["libnvidia-ml.so.1"]) }, nodeLlamaCppDir: extension("3.21.1", {}) });
    assert.equal(facts.nvidiaDriver, false);
  });

  it("Windows: nvml.dll and the CUDA DLLs on PATH or in a CUDA toolkit folder, vulkan-1.dll", async () => {
    const programFiles = path.join(ROOT, `pf-${n++}`);
    const toolkit = path.join(programFiles, "NVIDIA GPU Computing Toolkit", "CUDA", "v13.0", "bin");
    fs.mkdirSync(toolkit, { recursive: true });
    for (const f of ["cudart64_13.dll", "cublas64_13.dll", "cublasLt64_13.dll"]) fs.writeFileSync(path.join(toolkit, f), "");
    const nlc = extension("3.21.1", { "win-x64": "3.21.1", "win-x64-cuda": "3.21.1", "win-x64-cuda-ext": "3.21.1" });
    const facts = await probeGpu({
      platform: "win32",
      arch: "x64",
      env: { PATH: folderWith(["nvml.dll", "vulkan-1.dll"]), ProgramFiles: programFiles, SystemRoot: path.join(ROOT, "no-windows") },
      nodeLlamaCppDir: nlc,
    });
    assert.deepEqual({ ...facts, installed: undefined }, { platform: "win32", arch: "x64", nvidiaDriver: true, cudaRuntimes: [13], vulkanLoader: true, installed: undefined, cudaFallbackInstalled: true });
    assert.deepEqual(facts.installed, { cuda: true, vulkan: false, cpu: true });
  });

  it("macOS on Apple Silicon: the Metal build is also the CPU's; no CUDA or Vulkan asked about", async () => {
    const facts = await probeGpu({ platform: "darwin", arch: "arm64", env: {}, nodeLlamaCppDir: extension("3.21.1", { "mac-arm64-metal": "3.21.1" }) });
    assert.deepEqual(facts.installed, { metal: true, cpu: true });
    assert.equal(facts.nvidiaDriver, false);
  });

  it("a binary package at another version than node-llama-cpp is not installed (node-llama-cpp would not load it)", () => {
    const nlc = extension("3.21.1", { "linux-x64": "3.22.1" });
    assert.equal(installedBinaryPackage(nlc, "linux-x64"), undefined);
    assert.equal(installedBinaryPackage(extension("3.21.1", { "linux-x64": "3.21.1" }), "linux-x64")?.endsWith(path.join("@node-llama-cpp", "linux-x64")), true);
  });

  it("a package linked into node_modules (as Install CUDA Acceleration does) is found through the link", () => {
    const nlc = extension("3.21.1", {});
    const elsewhere = path.join(ROOT, `storage-${n++}`, "linux-x64-cuda");
    fs.mkdirSync(elsewhere, { recursive: true });
    fs.writeFileSync(path.join(elsewhere, "package.json"), JSON.stringify({ name: "@node-llama-cpp/linux-x64-cuda", version: "3.21.1" }));
    fs.mkdirSync(path.join(path.dirname(nlc), "@node-llama-cpp"), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(path.dirname(nlc), "@node-llama-cpp", "linux-x64-cuda"), "dir");
    assert.ok(installedBinaryPackage(nlc, "linux-x64-cuda"));
  });
});
