// gpu auto on real llama.cpp builds: which one runs and why the better ones do not, as `brrm`
// prints it. This machine has no GPU; what is real here: Mesa's software Vulkan driver
// (lavapipe) that llama.cpp's Vulkan build really runs on, node-llama-cpp's own CUDA build
// (installed in node_modules) failing its test load, and an explicit gpu that fails. The NVIDIA
// driver and CUDA runtime are the one thing that cannot be real here: two tests put empty files
// with their names on the library path, which is what the probe looks for.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { DoctorReport } from "../../src/cli/doctor";
import type { Judgment } from "../../src/core/judgment";
import { CLI, REPO_ROOT, startLlamaServer, tempDir, tinyModel } from "../support/fixtures";

const PAIR_FLAGS = ["--prompt", "What is 2+2?", "--response1", "2+2=4", "--response2", "2+2=5"];

function brrm(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 600_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The line brrm prints once llama.cpp started: "brrm: llama.cpp runs on <choice>." */
const runsOn = (stderr: string) => /^brrm: llama\.cpp runs on (.+)\.$/m.exec(stderr)?.[1];

/** A folder of empty files named like the NVIDIA driver's (and, with `runtime`, CUDA 13's) libraries. */
function fakeNvidiaLibraries(runtime: boolean): string {
  const dir = tempDir("brrm-fake-nvidia-");
  const names = ["libnvidia-ml.so.1", "libcuda.so.1", ...(runtime ? ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13"] : [])];
  for (const n of names) fs.writeFileSync(path.join(dir, n), "");
  return dir;
}

describe("gpu auto on real llama.cpp builds", () => {
  let model: string;
  let vulkan: Record<string, string>;
  let vulkanNoDevice: Record<string, string>;
  // Short turns: lavapipe computes a few tokens a second. The judgment's words do not matter
  // here, only which build ran and that it generated (exit 3 = an answer without a verdict).
  const compare = (gpu: string, env: Record<string, string>) =>
    brrm(["compare", ...PAIR_FLAGS, "--model", model, "--threads", "1", "--context-size", "2048", "--constrained", "--seed", "3", "--max-tokens", "24", "--gpu", gpu, "--json"], env);
  /** It ran both turns on the local model (exit 0 with a verdict, 3 without). */
  const assertGenerated = (r: ReturnType<typeof compare>) => {
    assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as Judgment;
    assert.equal(j.backend, "local");
    assert.ok(j.usage.turn1 && j.usage.turn2, r.stderr);
  };

  before(
    async () => {
      model = await tinyModel();
      const { lavapipeEnv } = (await import(pathToFileURL(path.join(REPO_ROOT, "test", "tools", "lavapipe.mjs")).href)) as { lavapipeEnv(o?: { visible?: boolean }): Promise<Record<string, string>> };
      vulkan = await lavapipeEnv({ visible: true });
      vulkanNoDevice = await lavapipeEnv();
    },
    { timeout: 300_000 },
  );

  it("no GPU driver at all: the CPU, saying there is no NVIDIA driver and no Vulkan driver", () => {
    const r = compare("auto", {});
    assertGenerated(r);
    assert.equal(runsOn(r.stderr), "CPU: no NVIDIA driver; no Vulkan driver");
  });

  it("a Vulkan driver (lavapipe) and no NVIDIA driver: the Vulkan build runs the comparison on it", { timeout: 600_000 }, () => {
    const r = compare("auto", vulkan);
    assertGenerated(r);
    assert.match(runsOn(r.stderr) ?? "", /^Vulkan: no NVIDIA driver \(llvmpipe[^)]*\)\)?$/);
  });

  it("a Vulkan loader whose only device is a CPU renderer: the CPU, saying Vulkan found no GPU", () => {
    const r = compare("auto", vulkanNoDevice);
    assertGenerated(r);
    assert.equal(runsOn(r.stderr), "CPU: no NVIDIA driver; Vulkan found no GPU it can use");
  });

  it("an NVIDIA driver without the CUDA runtime: Vulkan, because the CUDA runtime is not found", { timeout: 600_000 }, () => {
    const r = compare("auto", { ...vulkan, LD_LIBRARY_PATH: `${fakeNvidiaLibraries(false)}:${vulkan.LD_LIBRARY_PATH}` });
    assertGenerated(r);
    assert.match(runsOn(r.stderr) ?? "", /^Vulkan: CUDA runtime not found \(llvmpipe/);
  });

  it("the CUDA build failing its test load (driver and runtime only by name): falls back to Vulkan and says why", { timeout: 600_000 }, () => {
    const r = compare("auto", { ...vulkan, LD_LIBRARY_PATH: `${fakeNvidiaLibraries(true)}:${vulkan.LD_LIBRARY_PATH}` });
    assertGenerated(r);
    assert.match(r.stderr, /brrm: llama\.cpp: CUDA binary did not load here \(a driver or runtime library is missing or too old\)\./);
    assert.match(runsOn(r.stderr) ?? "", /^Vulkan: CUDA binary did not load here .* \(llvmpipe/);
  });

  it("an explicit gpu cuda that cannot run fails with the reason and the fix, no fallback", () => {
    const r = compare("cuda", {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not start llama\.cpp with CUDA: CUDA binary did not load here.*This machine: no NVIDIA driver\. Set the GPU option to "auto"/);
    assert.equal(r.stdout, "");
  });

  it("an explicit GPU this platform has no build for names the ones it has", () => {
    const r = compare("metal", {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Metal is not available on linux-x64: set the gpu option to "auto" \(this platform has CUDA, Vulkan, CPU\)/);
  });
});

describe("brrm doctor", () => {
  it("on lavapipe: Vulkan and its device, the binary, the probe, the model cache; JSON for bug reports; no API key", async () => {
    const { lavapipeEnv } = (await import(pathToFileURL(path.join(REPO_ROOT, "test", "tools", "lavapipe.mjs")).href)) as { lavapipeEnv(o?: { visible?: boolean }): Promise<Record<string, string>> };
    const models = tempDir("brrm-models-");
    fs.copyFileSync(await tinyModel(), path.join(models, "brrm-tiny.gguf"));
    const env = { ...(await lavapipeEnv({ visible: true })), OPENAI_API_KEY: "sk-doctor-secret" };
    const json = brrm(["doctor", "--json", "--models-dir", models, "--endpoint", "http://127.0.0.1:9/v1"], env);
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as DoctorReport;
    assert.equal(r.gpu.choice?.compute, "vulkan");
    assert.match(r.gpu.runsOn ?? "", /^Vulkan: no NVIDIA driver$/);
    assert.match(r.gpu.choice?.devices[0] ?? "", /^llvmpipe/);
    assert.match(r.gpu.choice?.binary ?? "", /^@node-llama-cpp\/linux-x64-vulkan \(llama\.cpp /);
    assert.equal(r.gpu.machine.vulkanLoader, true);
    assert.equal(r.nodeLlamaCpp.version, "3.21.1");
    assert.equal(r.nodeLlamaCpp.builds["@node-llama-cpp/linux-x64"], fs.realpathSync(path.join(REPO_ROOT, "node_modules", "@node-llama-cpp", "linux-x64")));
    assert.deepEqual(r.models, { dir: models, files: [{ name: "brrm-tiny.gguf", bytes: fs.statSync(path.join(models, "brrm-tiny.gguf")).size }] });
    assert.equal(r.endpoint?.reachable, false);
    assert.match(r.endpoint?.error ?? "", /Cannot connect to http:\/\/127\.0\.0\.1:9\/v1/);
    assert.ok(r.cpu.physicalCores >= 1 && r.memory.totalBytes > 0);

    const text = brrm(["doctor", "--models-dir", models, "--gpu", "off"], env);
    assert.equal(text.code, 0, text.stderr);
    const mb = `${(fs.statSync(path.join(models, "brrm-tiny.gguf")).size / 1e6).toFixed(1)} MB`;
    for (const row of [/^Runs on +CPU: GPU turned off by the gpu setting$/m, /^Binary loaded +@node-llama-cpp\/linux-x64 /m, /^node-llama-cpp +3\.21\.1 /m, new RegExp(`^Model cache +.* \\(1 file, ${mb}\\)$`, "m"), new RegExp(`^ {2}brrm-tiny\\.gguf +${mb}$`, "m")])
      assert.match(text.stdout, row);
    for (const out of [json.stdout, text.stdout, json.stderr, text.stderr]) assert.doesNotMatch(out, /sk-doctor-secret/);
  });

  it("reaches a real endpoint (llama-server) and lists what it serves", async () => {
    const server = await startLlamaServer({ model: await tinyModel() });
    try {
      const r = brrm(["doctor", "--json", "--gpu", "off", "--endpoint", server.baseURL]);
      assert.equal(r.code, 0, r.stderr);
      const endpoint = (JSON.parse(r.stdout) as DoctorReport).endpoint;
      assert.equal(endpoint?.reachable, true, endpoint?.error ?? "");
      assert.equal(endpoint?.models.length, 1);
    } finally {
      await server.stop();
    }
  });
});
