// `brrm doctor`: what a bug report needs, in one paste. The machine, which llama.cpp build runs
// and why no better one does, node-llama-cpp and its binaries, the model cache, and whether the
// endpoint answers.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { physicalCores } from "../backends/cpu";
import { nodeLlamaCppDir, probeGpu, versionOf } from "../backends/gpuProbe";
import { defaultModelsDir, disposeLocalEngine, localCompute } from "../backends/llamaCpp";
import { listModels } from "../backends/openai";
import { errorMessage } from "../core/errors";
import { binaryPackages, describeChoice, type ComputeChoice, type GpuFacts, type GpuSetting } from "../core/gpuChoice";
import { choiceArg, numberArg, UsageError } from "./args";
import { EXIT, type Command } from "./command";
import { apiKeyFrom } from "./judgeOptions";

export interface DoctorReport {
  brrm: string;
  node: string;
  os: { platform: string; arch: string; release: string; name: string };
  cpu: { model: string; physicalCores: number; logicalCores: number };
  memory: { totalBytes: number; freeBytes: number };
  gpu: { setting: GpuSetting; runsOn: string | null; choice: ComputeChoice | null; error: string | null; machine: GpuFacts };
  nodeLlamaCpp: { version: string | null; path: string | null; builds: Record<string, string | null> };
  models: { dir: string; files: { name: string; bytes: number }[] };
  endpoint: { url: string; reachable: boolean; models: string[]; error: string | null } | null;
}

/** brrm's own version, from the package.json next to the bundle (or the source tree). */
function brrmVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "brrm-judge") return versionOf(dir) ?? "unknown";
    if (path.dirname(dir) === dir) return "unknown";
  }
}

function osName(): string {
  if (process.platform === "linux") {
    try {
      return /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(fs.readFileSync("/etc/os-release", "utf8"))?.[1] ?? os.version();
    } catch {
      // No os-release: the kernel's description below.
    }
  }
  return os.version();
}

function modelFiles(dir: string): { name: string; bytes: number }[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => ({ name: e.name, bytes: fs.statSync(path.join(dir, e.name)).size }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

/** Each build of this platform: where node-llama-cpp finds it (through a link, its real folder), or null. */
function builds(nlcDir: string | undefined, facts: GpuFacts): Record<string, string | null> {
  const packages = binaryPackages(facts.platform, facts.arch);
  const names = [...new Set([...Object.values(packages?.builds ?? {}), ...(packages?.cudaFallback ? [packages.cudaFallback] : [])])];
  const found: Record<string, string | null> = {};
  for (const name of names) {
    const dir = nlcDir && path.join(path.dirname(nlcDir), "@node-llama-cpp", name);
    found[`@node-llama-cpp/${name}`] = dir && fs.existsSync(path.join(dir, "package.json")) && versionOf(dir) === versionOf(nlcDir) ? fs.realpathSync(dir) : null;
  }
  return found;
}

export async function doctorReport(opts: { gpu: GpuSetting; modelsDir: string; endpoint?: { url: string; apiKey?: string; keySource: string; timeoutMs: number } }): Promise<DoctorReport> {
  const facts = await probeGpu();
  const nlcDir = nodeLlamaCppDir();
  let choice: ComputeChoice | null = null;
  let error: string | null = null;
  try {
    choice = await localCompute(opts.gpu);
  } catch (e) {
    error = errorMessage(e);
  } finally {
    await disposeLocalEngine();
  }
  let endpoint: DoctorReport["endpoint"] = null;
  if (opts.endpoint) {
    const { url, apiKey, keySource, timeoutMs } = opts.endpoint;
    try {
      endpoint = { url, reachable: true, models: await listModels({ baseURL: url, apiKey, keySource, timeoutMs, retries: 0 }), error: null };
    } catch (e) {
      endpoint = { url, reachable: false, models: [], error: errorMessage(e) };
    }
  }
  const cpus = os.cpus();
  return {
    brrm: brrmVersion(),
    node: process.version,
    os: { platform: process.platform, arch: process.arch, release: os.release(), name: osName() },
    cpu: { model: cpus[0]?.model.trim() ?? "unknown", physicalCores: physicalCores(), logicalCores: cpus.length },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    gpu: { setting: opts.gpu, runsOn: choice && describeChoice(choice), choice, error, machine: facts },
    nodeLlamaCpp: { version: nlcDir ? (versionOf(nlcDir) ?? null) : null, path: nlcDir ?? null, builds: builds(nlcDir, facts) },
    models: { dir: opts.modelsDir, files: modelFiles(opts.modelsDir) },
    endpoint,
  };
}

const size = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);
const yesNo = (b: boolean) => (b ? "yes" : "no");

export function formatDoctor(r: DoctorReport): string {
  const rows: [string, string][] = [
    ["brrm", r.brrm],
    ["Node", r.node],
    ["OS", `${r.os.name} (${r.os.platform}-${r.os.arch}, ${r.os.release})`],
    ["CPU", `${r.cpu.model}: ${r.cpu.physicalCores} physical cores, ${r.cpu.logicalCores} threads`],
    ["Memory", `${size(r.memory.totalBytes)} total, ${size(r.memory.freeBytes)} free`],
    ["GPU setting", r.gpu.setting],
    ["Runs on", r.gpu.runsOn ?? `nothing: ${r.gpu.error}`],
    ["GPU devices", r.gpu.choice && r.gpu.choice.devices.length > 0 ? r.gpu.choice.devices.join(", ") : "none in use"],
    ["Binary loaded", r.gpu.choice?.binary ?? "none"],
    ["Drivers", `NVIDIA driver ${yesNo(r.gpu.machine.nvidiaDriver)}, CUDA runtime ${r.gpu.machine.cudaRuntimes.join(", ") || "none"}, Vulkan loader ${yesNo(r.gpu.machine.vulkanLoader)}`],
    ["node-llama-cpp", r.nodeLlamaCpp.version ? `${r.nodeLlamaCpp.version} (${r.nodeLlamaCpp.path})` : "not found"],
    ...Object.entries(r.nodeLlamaCpp.builds).map(([name, where]): [string, string] => [`  ${name.replace("@node-llama-cpp/", "")}`, where ?? "not installed"]),
    ["Model cache", `${r.models.dir} (${r.models.files.length === 0 ? "empty" : `${r.models.files.length} file${r.models.files.length === 1 ? "" : "s"}, ${size(r.models.files.reduce((n, f) => n + f.bytes, 0))}`})`],
    ...r.models.files.map((f): [string, string] => [`  ${f.name}`, size(f.bytes)]),
  ];
  if (r.endpoint) rows.push(["Endpoint", r.endpoint.reachable ? `${r.endpoint.url}: reachable, serves ${r.endpoint.models.join(", ") || "no models"}` : `${r.endpoint.url}: NOT reachable: ${r.endpoint.error}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

export const doctorCommand: Command = {
  name: "doctor",
  summary: "what a bug report needs: OS, CPU, GPU and why, llama.cpp binaries, models, endpoint",
  help: `Usage: brrm doctor [--gpu auto|cuda|vulkan|metal|off] [--endpoint <base-url>] [--json]

Prints what a bug report needs, in one paste: the OS, CPU and memory; which llama.cpp build
the local backend runs on (GPU or CPU) and why no better one does; node-llama-cpp's version
and the binaries it finds; the model cache and the models in it; and, with --endpoint,
whether the endpoint answers and what it serves. Starts llama.cpp without loading a model.
Prints no API key.

  --gpu <type>          the GPU option to check (default auto, as brrm compare)
  --endpoint <url>      an OpenAI-compatible endpoint to reach, e.g. http://127.0.0.1:8080/v1
  --api-key-env NAME    environment variable holding its API key (default OPENAI_API_KEY)
  --timeout S           seconds to wait for the endpoint (default 10)
  --models-dir <dir>    the model cache (default $BRRM_MODELS_DIR or ~/.cache/brrm-judge/models)
  --json                print the report as JSON

Exit codes: 0 the report printed (problems are in it), 2 a usage error.`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { gpu: { type: "string" }, endpoint: { type: "string" }, "api-key-env": { type: "string" }, timeout: { type: "string" }, "models-dir": { type: "string" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    const gpu = choiceArg<GpuSetting>("gpu", values.gpu, ["auto", "cuda", "vulkan", "metal", "off"]) ?? "auto";
    const timeout = numberArg("timeout", values.timeout, { min: 1 }) ?? 10;
    let endpoint;
    if (values.endpoint !== undefined) {
      try {
        new URL(values.endpoint);
      } catch {
        throw new UsageError(`--endpoint "${values.endpoint}" is not a URL. Give it as http(s)://host:port/v1.`);
      }
      endpoint = { url: values.endpoint, ...apiKeyFrom(values["api-key-env"]), timeoutMs: Math.round(timeout * 1000) };
    }
    const report = await doctorReport({ gpu, modelsDir: values["models-dir"] ?? defaultModelsDir(), endpoint });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report)}\n`);
    return EXIT.ok;
  },
};
