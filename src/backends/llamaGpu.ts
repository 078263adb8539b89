// Starts llama.cpp with the best build this machine can run, and records which one runs and why
// no better one does. Each build is asked for by name (node-llama-cpp test-loads a prebuilt GPU
// build in a child process first, so a build that cannot load never reaches this process).

import type { Llama, LlamaGpuType } from "node-llama-cpp" with { "resolution-mode": "import" };
import { BrrmError } from "../core/errors";
import { binaryPackages, COMPUTE_NAME, cudaInstallable, describeChoice, planGpu, type Compute, type ComputeChoice, type GpuFacts, type GpuSetting, type NotUsed } from "../core/gpuChoice";
import { probeGpu } from "./gpuProbe";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

export interface OpenedLlama {
  llama: Llama;
  choice: ComputeChoice;
  /** Layers to offload when loading a model: 0 when the CPU runs on a GPU build (Apple Silicon). */
  gpuLayers?: 0;
}

/** The node-llama-cpp `gpu` option that loads a compute's build on this platform. */
function buildFor(compute: Compute, facts: GpuFacts): LlamaGpuType {
  if (compute === "cpu") return facts.platform === "darwin" && facts.arch === "arm64" ? "metal" : false;
  return compute;
}

function loadFailure(compute: Compute, e: unknown, lib: NodeLlamaCpp): string {
  const name = COMPUTE_NAME[compute];
  // node-llama-cpp's message for a build that failed its test load says nothing more than its name.
  if (e instanceof lib.NoBinaryFoundError) return `${name} binary did not load here (a driver or runtime library is missing or too old)`;
  return `${name} failed to start (${(e as Error).message})`;
}

export async function openLlama(lib: NodeLlamaCpp, setting: GpuSetting, options: { maxThreads: number; log?: (message: string) => void; facts?: GpuFacts }): Promise<OpenedLlama> {
  const facts = options.facts ?? (await probeGpu());
  let plan;
  try {
    plan = planGpu(setting, facts);
  } catch (e) {
    throw new BrrmError("GPU_UNAVAILABLE", (e as Error).message);
  }
  const notUsed: NotUsed[] = plan.explicit ? [] : [...plan.skipped];
  for (const compute of plan.attempts) {
    let llama: Llama;
    try {
      llama = await lib.getLlama({
        gpu: buildFor(compute, facts),
        build: "never",
        maxThreads: options.maxThreads,
        // Our own log says what failed and why; node-llama-cpp's would go to the console.
        progressLogs: false,
        logLevel: lib.LlamaLogLevel.error,
        logger: () => {},
      });
    } catch (e) {
      const reason = loadFailure(compute, e, lib);
      options.log?.(`llama.cpp: ${reason}.`);
      if (plan.explicit) {
        const probe = plan.skipped[0] ? ` This machine: ${plan.skipped[0].reason}.` : "";
        throw new BrrmError("GPU_UNAVAILABLE", `Could not start llama.cpp with ${COMPUTE_NAME[compute]}: ${reason}.${probe} Set the GPU option to "auto" to use the best build that runs here.`, { cause: e });
      }
      notUsed.push({ compute, reason });
      continue;
    }
    // A GPU build that finds no device it uses (only a software renderer such as llvmpipe, or
    // a driver too old) computes on the CPU: say so instead of naming the GPU API.
    const devices = compute === "cpu" || llama.gpu === false ? [] : await llama.getGpuDeviceNames().catch(() => []);
    const ran = compute !== "cpu" && devices.length === 0 ? "cpu" : compute;
    if (ran !== compute) notUsed.push({ compute, reason: `${COMPUTE_NAME[compute]} found no GPU it can use` });
    const binary = `@node-llama-cpp/${binaryPackages(facts.platform, facts.arch)?.builds[compute] ?? "?"} (llama.cpp ${llama.llamaCppRelease.release})`;
    const choice: ComputeChoice = { compute: ran, notUsed, devices, binary, cudaInstallable: cudaInstallable(facts) };
    options.log?.(`llama.cpp runs on ${describeChoice(choice)}${choice.devices.length > 0 ? ` (${choice.devices.join(", ")})` : ""}.`);
    return { llama, choice, ...(compute === "cpu" && buildFor("cpu", facts) !== false ? { gpuLayers: 0 as const } : {}) };
  }
  throw new BrrmError(
    "ENGINE_MISSING",
    `No llama.cpp build could start on this machine (${notUsed.map((n) => n.reason).join("; ")}). Reinstall BR-RM Judge for this platform, or use an OpenAI-compatible endpoint.`,
  );
}
