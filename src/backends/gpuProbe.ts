// What this machine has for llama.cpp's GPU builds: the NVIDIA driver, the CUDA runtime, the
// Vulkan loader, and which of node-llama-cpp's binary packages are installed. node-llama-cpp
// makes the same checks inside getLlama("auto") but neither exports them nor says which one
// failed; the reasons are what users need ("Vulkan: CUDA runtime not found").

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { binaryPackages, computesFor, type Compute, type GpuFacts } from "../core/gpuChoice";

/** node-llama-cpp's package folder, as Node resolves it from this code. */
export function nodeLlamaCppDir(): string | undefined {
  for (const dir of require.resolve.paths("node-llama-cpp") ?? []) {
    const candidate = path.join(dir, "node-llama-cpp");
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
  }
  return undefined;
}

/** The version in a package folder's package.json. */
export function versionOf(packageDir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Where `@node-llama-cpp/<name>` resolves from node-llama-cpp (node_modules folders upward of
 * it), if installed at node-llama-cpp's version: the only ones it loads.
 */
export function installedBinaryPackage(nlcDir: string, name: string): string | undefined {
  const wanted = versionOf(nlcDir);
  let dir = nlcDir;
  for (;;) {
    const parent = path.dirname(dir);
    if (path.basename(parent) === "node_modules") {
      const candidate = path.join(parent, "@node-llama-cpp", name);
      if (fs.existsSync(path.join(candidate, "package.json"))) return versionOf(candidate) === wanted ? candidate : undefined;
    }
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const exists = (dirs: readonly string[], file: string) => dirs.some((d) => fs.existsSync(path.join(d, file)));

/** Library names the dynamic linker knows (`ldconfig -p`), to find libraries outside the usual folders. */
async function linkerCache(): Promise<Set<string>> {
  for (const ldconfig of ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"]) {
    try {
      const { stdout } = await promisify(execFile)(ldconfig, ["-p"], { timeout: 5000, maxBuffer: 16 << 20 });
      return new Set([...stdout.matchAll(/^\s*(\S+)\s/gm)].map((m) => m[1]));
    } catch {
      // Not there, or not allowed: the folder search still runs.
    }
  }
  return new Set();
}

function cudaToolkitDirs(env: NodeJS.ProcessEnv, platform: string): string[] {
  const roots: string[] = [];
  if (env.CUDA_PATH) roots.push(env.CUDA_PATH);
  const containers = platform === "win32" ? [env.ProgramFiles, env["ProgramFiles(x86)"]].filter((p): p is string => !!p).map((p) => path.join(p, "NVIDIA GPU Computing Toolkit", "CUDA")) : ["/usr/local"];
  for (const container of containers) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(container);
    } catch {
      continue;
    }
    for (const n of names) if (platform === "win32" ? /^v\d/i.test(n) : /^cuda(-[\d.]+)?$/.test(n)) roots.push(path.join(container, n));
  }
  if (platform === "win32") return roots.map((r) => path.join(r, "bin"));
  return roots.flatMap((r) => {
    try {
      return fs.readdirSync(path.join(r, "targets")).map((t) => path.join(r, "targets", t, "lib"));
    } catch {
      return [path.join(r, "lib64")];
    }
  });
}

function splitPath(value: string | undefined): string[] {
  return (value ?? "").split(path.delimiter).filter(Boolean);
}

/** The CUDA runtime majors (11-13) whose cudart, cublas and cublasLt are all found. */
function cudaRuntimes(has: (file: string) => boolean, platform: string): number[] {
  return [11, 12, 13].filter((v) =>
    platform === "win32"
      ? has(`cudart64_${v}.dll`) && has(`cublas64_${v}.dll`) && has(`cublasLt64_${v}.dll`)
      : has(`libcudart.so.${v}`) && has(`libcublas.so.${v}`) && has(`libcublasLt.so.${v}`),
  );
}

export interface ProbeOptions {
  platform?: string;
  arch?: string;
  env?: NodeJS.ProcessEnv;
  /** node-llama-cpp's folder (default: where Node resolves it from here). */
  nodeLlamaCppDir?: string;
}

export async function probeGpu(opts: ProbeOptions = {}): Promise<GpuFacts> {
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  const env = opts.env ?? process.env;
  const nlcDir = opts.nodeLlamaCppDir ?? nodeLlamaCppDir();
  const packages = binaryPackages(platform, arch);
  const installed: Partial<Record<Compute, boolean>> = {};
  for (const compute of computesFor(platform, arch)) {
    const name = packages?.builds[compute];
    installed[compute] = !!(nlcDir && name && installedBinaryPackage(nlcDir, name));
  }
  const cudaFallbackInstalled = !!(nlcDir && packages?.cudaFallback && installedBinaryPackage(nlcDir, packages.cudaFallback));

  let has: (file: string) => boolean;
  if (platform === "win32") {
    const system32 = path.join(env.SystemRoot ?? env.windir ?? "C:\\Windows", "System32");
    const dirs = [...splitPath(env.PATH ?? env.Path), system32, ...cudaToolkitDirs(env, platform)];
    has = (file) => exists(dirs, file);
  } else if (platform === "linux") {
    const dirs = [...splitPath(env.LD_LIBRARY_PATH), "/usr/lib", "/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/wsl/lib", ...cudaToolkitDirs(env, platform)];
    const cache = await linkerCache();
    has = (file) => cache.has(file) || exists(dirs, file);
  } else {
    has = () => false;
  }
  const library = (linux: string, windows: string) => (platform === "win32" ? has(windows) : has(linux) || has(`${linux}.1`));
  return {
    platform,
    arch,
    nvidiaDriver: library("libnvidia-ml.so", "nvml.dll") && (platform === "win32" || has("libcuda.so.1") || has("libcuda.so")),
    cudaRuntimes: cudaRuntimes(has, platform),
    vulkanLoader: library("libvulkan.so", "vulkan-1.dll"),
    installed,
    cudaFallbackInstalled,
  };
}
