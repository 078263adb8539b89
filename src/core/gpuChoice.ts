// Which llama.cpp build runs a local model, and why not a better one. Pure: the facts about the
// machine (drivers, runtimes, installed binaries) come in, a plan and its words go out; the
// local backend probes the machine and loads the builds in the planned order.

export type GpuSetting = "auto" | "cuda" | "vulkan" | "metal" | "off";

/** A llama.cpp build: a GPU API, or the CPU. */
export type Compute = "metal" | "cuda" | "vulkan" | "cpu";

export const COMPUTE_NAME: Record<Compute, string> = { metal: "Metal", cuda: "CUDA", vulkan: "Vulkan", cpu: "CPU" };

/** node-llama-cpp's binary packages (under `@node-llama-cpp/`) for one platform. */
export interface BinaryPackages {
  /** The build each compute loads (on Apple Silicon the CPU runs on the Metal build). */
  builds: Partial<Record<Compute, string>>;
  /** CUDA 12 back-ends that the CUDA build falls back on when the CUDA 13 runtime is missing. */
  cudaFallback?: string;
}

/** `process.platform`-`process.arch` to node-llama-cpp's packages; computes in order of preference. */
const PLATFORMS: Record<string, BinaryPackages> = {
  "linux-x64": { builds: { cuda: "linux-x64-cuda", vulkan: "linux-x64-vulkan", cpu: "linux-x64" }, cudaFallback: "linux-x64-cuda-ext" },
  "linux-arm64": { builds: { cpu: "linux-arm64" } },
  "linux-arm": { builds: { cpu: "linux-armv7l" } },
  "darwin-arm64": { builds: { metal: "mac-arm64-metal", cpu: "mac-arm64-metal" } },
  "darwin-x64": { builds: { cpu: "mac-x64" } },
  "win32-x64": { builds: { cuda: "win-x64-cuda", vulkan: "win-x64-vulkan", cpu: "win-x64" }, cudaFallback: "win-x64-cuda-ext" },
  "win32-arm64": { builds: { cpu: "win-arm64" } },
};

const PREFERENCE: Compute[] = ["metal", "cuda", "vulkan", "cpu"];

export function binaryPackages(platform: string, arch: string): BinaryPackages | undefined {
  return PLATFORMS[`${platform}-${arch}`];
}

/** The computes llama.cpp has a build for on this platform, best first (CPU last). */
export function computesFor(platform: string, arch: string): Compute[] {
  const builds = binaryPackages(platform, arch)?.builds ?? {};
  return PREFERENCE.filter((c) => builds[c] !== undefined);
}

/** What the machine has, as the local backend's probe found it. */
export interface GpuFacts {
  platform: string;
  arch: string;
  /** The NVIDIA driver's management library (libnvidia-ml / nvml.dll) is present. */
  nvidiaDriver: boolean;
  /** Major versions of the CUDA runtime found whole (cudart, cublas and cublasLt). */
  cudaRuntimes: number[];
  /** The Vulkan loader (libvulkan.so.1 / vulkan-1.dll) is present. */
  vulkanLoader: boolean;
  /** Which builds are installed at node-llama-cpp's own version. */
  installed: Partial<Record<Compute, boolean>>;
  /** The CUDA 12 back-ends are installed. */
  cudaFallbackInstalled: boolean;
}

/** A better build than the one that runs, and why it does not. */
export interface NotUsed {
  compute: Compute;
  reason: string;
}

export interface GpuPlan {
  /** Builds to load, in order; the first that loads runs. */
  attempts: Compute[];
  /** Better builds left out before loading anything, best first. */
  skipped: NotUsed[];
  /** With an explicit GPU setting nothing falls back: a failure is an error. */
  explicit: boolean;
}

/** The CUDA runtime the main CUDA build links (the `-ext` package covers the one before). */
const CUDA_MAIN_RUNTIME = 13;

/** Why CUDA cannot run here, or undefined when it can be tried. */
function cudaProblem(f: GpuFacts): string | undefined {
  if (!f.nvidiaDriver) return "no NVIDIA driver";
  if (f.cudaRuntimes.length === 0) return "CUDA runtime not found";
  if (!f.installed.cuda) return "CUDA binaries not installed (run BR-RM: Install CUDA Acceleration)";
  if (!f.cudaRuntimes.includes(CUDA_MAIN_RUNTIME) && !f.cudaFallbackInstalled)
    return `CUDA ${Math.max(...f.cudaRuntimes)} runtime needs the CUDA 12 binaries (run BR-RM: Install CUDA Acceleration again)`;
  return undefined;
}

function vulkanProblem(f: GpuFacts): string | undefined {
  if (!f.installed.vulkan) return "Vulkan binaries not installed";
  if (!f.vulkanLoader) return "no Vulkan driver";
  return undefined;
}

function problem(compute: Compute, f: GpuFacts): string | undefined {
  switch (compute) {
    case "cuda":
      return cudaProblem(f);
    case "vulkan":
      return vulkanProblem(f);
    case "metal":
    case "cpu":
      return f.installed[compute] ? undefined : `${COMPUTE_NAME[compute]} binaries missing from this installation (reinstall the extension)`;
  }
}

/**
 * The builds to load for a GPU setting. `auto` tries every GPU whose driver, runtime and
 * binaries are present, best first, then the CPU; an explicit GPU is tried alone.
 */
export function planGpu(setting: GpuSetting, facts: GpuFacts): GpuPlan {
  const computes = computesFor(facts.platform, facts.arch);
  const platform = `${facts.platform}-${facts.arch}`;
  if (computes.length === 0) return { attempts: ["cpu"], skipped: [], explicit: false };
  if (setting === "off") return { attempts: ["cpu"], skipped: [{ compute: computes[0], reason: "GPU turned off by the gpu setting" }], explicit: false };
  if (setting !== "auto") {
    if (!computes.includes(setting)) throw new Error(`${COMPUTE_NAME[setting]} is not available on ${platform}: set the gpu option to "auto" (this platform has ${computes.map((c) => COMPUTE_NAME[c]).join(", ")}).`);
    const reason = problem(setting, facts);
    return { attempts: [setting], skipped: reason ? [{ compute: setting, reason }] : [], explicit: true };
  }
  const attempts: Compute[] = [];
  const skipped: NotUsed[] = [];
  for (const compute of computes) {
    const reason = compute === "cpu" ? undefined : problem(compute, facts);
    if (reason) skipped.push({ compute, reason });
    else attempts.push(compute);
  }
  if (computes.length === 1) skipped.push({ compute: "cpu", reason: `no GPU build of llama.cpp for ${platform}` });
  return { attempts, skipped, explicit: false };
}

/** The build that runs and why no better one does: shown in the status bar, panel, log and doctor. */
export interface ComputeChoice {
  compute: Compute;
  notUsed: NotUsed[];
  /** The GPUs llama.cpp sees (empty on the CPU). */
  devices: string[];
  /** The binary that loaded: "@node-llama-cpp/linux-x64-vulkan (llama.cpp b6000)". */
  binary: string;
  /** An NVIDIA driver without CUDA binaries: installing them may speed this machine up. */
  cudaInstallable: boolean;
}

/** Whether offering "Install CUDA Acceleration" makes sense on this machine. */
export function cudaInstallable(facts: GpuFacts): boolean {
  return computesFor(facts.platform, facts.arch).includes("cuda") && facts.nvidiaDriver && !facts.installed.cuda;
}

/** "Vulkan: CUDA runtime not found", "CPU: no NVIDIA driver; no Vulkan driver". */
export function describeChoice(choice: Pick<ComputeChoice, "compute" | "notUsed">): string {
  const name = COMPUTE_NAME[choice.compute];
  return choice.notUsed.length === 0 ? name : `${name}: ${choice.notUsed.map((n) => n.reason).join("; ")}`;
}

/**
 * The CUDA packages "Install CUDA Acceleration" fetches (full names): the CUDA 13 build, plus
 * its CUDA 12 back-ends unless a CUDA 13 runtime is already there.
 */
export function cudaPackagesToInstall(facts: Pick<GpuFacts, "platform" | "arch" | "cudaRuntimes">): string[] {
  const packages = binaryPackages(facts.platform, facts.arch);
  if (!packages?.builds.cuda) return [];
  const main = `@node-llama-cpp/${packages.builds.cuda}`;
  if (facts.cudaRuntimes.includes(CUDA_MAIN_RUNTIME) || !packages.cudaFallback) return [main];
  return [main, `@node-llama-cpp/${packages.cudaFallback}`];
}
