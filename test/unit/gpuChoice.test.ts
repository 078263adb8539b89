import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { binaryPackages, computesFor, cudaInstallable, describeChoice, planGpu, type GpuFacts } from "../../src/core/gpuChoice";

/** A Linux x64 machine with nothing but the binaries every linux-x64 VSIX carries. */
const linux = (over: Partial<GpuFacts> = {}): GpuFacts => ({
  platform: "linux",
  arch: "x64",
  nvidiaDriver: false,
  cudaRuntimes: [],
  vulkanLoader: false,
  installed: { cuda: false, vulkan: true, cpu: true },
  cudaFallbackInstalled: false,
  ...over,
});

const nvidia = (over: Partial<GpuFacts> = {}) =>
  linux({ nvidiaDriver: true, cudaRuntimes: [13], vulkanLoader: true, installed: { cuda: true, vulkan: true, cpu: true }, ...over });

describe("GPU choice: auto", () => {
  it("a machine with everything tries CUDA, then Vulkan, then the CPU, and skips nothing", () => {
    assert.deepEqual(planGpu("auto", nvidia()), { attempts: ["cuda", "vulkan", "cpu"], skipped: [], explicit: false });
  });

  it("no GPU at all: the CPU, with the reason for each better build", () => {
    const plan = planGpu("auto", linux());
    assert.deepEqual(plan.attempts, ["cpu"]);
    assert.equal(describeChoice({ compute: "cpu", notUsed: plan.skipped }), "CPU: no NVIDIA driver; no Vulkan driver");
  });

  it("an NVIDIA driver without the CUDA runtime: Vulkan, saying why not CUDA", () => {
    const plan = planGpu("auto", nvidia({ cudaRuntimes: [] }));
    assert.deepEqual(plan.attempts, ["vulkan", "cpu"]);
    assert.equal(describeChoice({ compute: "vulkan", notUsed: plan.skipped }), "Vulkan: CUDA runtime not found");
  });

  it("driver and runtime but no CUDA binaries: points to the install command, and the install is offered", () => {
    const facts = nvidia({ installed: { cuda: false, vulkan: true, cpu: true } });
    assert.deepEqual(planGpu("auto", facts).skipped, [{ compute: "cuda", reason: "CUDA binaries not installed (run BR-RM: Install CUDA Acceleration)" }]);
    assert.equal(cudaInstallable(facts), true);
    assert.equal(cudaInstallable(nvidia()), false, "installed already");
    assert.equal(cudaInstallable(linux()), false, "no NVIDIA driver");
  });

  it("a CUDA 12 runtime needs the -ext binaries; with them CUDA is tried", () => {
    assert.match(planGpu("auto", nvidia({ cudaRuntimes: [12] })).skipped[0].reason, /CUDA 12 runtime needs the CUDA 12 binaries/);
    assert.deepEqual(planGpu("auto", nvidia({ cudaRuntimes: [12], cudaFallbackInstalled: true })).attempts, ["cuda", "vulkan", "cpu"]);
    assert.deepEqual(planGpu("auto", nvidia({ cudaRuntimes: [12, 13] })).attempts, ["cuda", "vulkan", "cpu"]);
  });

  it("Apple Silicon runs Metal; an Intel Mac and ARM Linux have only the CPU and say so", () => {
    const mac = { platform: "darwin", arch: "arm64", nvidiaDriver: false, cudaRuntimes: [], vulkanLoader: false, cudaFallbackInstalled: false };
    assert.deepEqual(planGpu("auto", { ...mac, installed: { metal: true, cpu: true } }), { attempts: ["metal", "cpu"], skipped: [], explicit: false });
    const intel = planGpu("auto", { ...mac, arch: "x64", installed: { cpu: true } });
    assert.deepEqual(intel.attempts, ["cpu"]);
    assert.equal(describeChoice({ compute: "cpu", notUsed: intel.skipped }), "CPU: no GPU build of llama.cpp for darwin-x64");
    assert.deepEqual(computesFor("linux", "arm64"), ["cpu"]);
    assert.deepEqual(computesFor("win32", "arm64"), ["cpu"], "no Vulkan build for Windows on ARM");
  });
});

describe("GPU choice: explicit settings", () => {
  it("off: only the CPU, because of the setting", () => {
    const plan = planGpu("off", nvidia());
    assert.deepEqual(plan.attempts, ["cpu"]);
    assert.equal(describeChoice({ compute: "cpu", notUsed: plan.skipped }), "CPU: GPU turned off by the gpu setting");
  });

  it("an explicit GPU is tried alone (no fallback), carrying what the probe found against it", () => {
    assert.deepEqual(planGpu("cuda", linux()), { attempts: ["cuda"], skipped: [{ compute: "cuda", reason: "no NVIDIA driver" }], explicit: true });
    assert.deepEqual(planGpu("vulkan", nvidia()), { attempts: ["vulkan"], skipped: [], explicit: true });
  });

  it("a GPU this platform has no build for is an error naming what it has", () => {
    assert.throws(() => planGpu("metal", linux()), /Metal is not available on linux-x64: set the gpu option to "auto" \(this platform has CUDA, Vulkan, CPU\)/);
    assert.throws(() => planGpu("cuda", { ...linux(), platform: "darwin", arch: "arm64" }), /CUDA is not available on darwin-arm64/);
  });
});

describe("GPU choice: properties", () => {
  const facts = fc.record({
    platform: fc.constantFrom("linux", "win32", "darwin", "freebsd"),
    arch: fc.constantFrom("x64", "arm64", "arm"),
    nvidiaDriver: fc.boolean(),
    cudaRuntimes: fc.subarray([11, 12, 13]),
    vulkanLoader: fc.boolean(),
    installed: fc.record({ metal: fc.boolean(), cuda: fc.boolean(), vulkan: fc.boolean(), cpu: fc.boolean() }),
    cudaFallbackInstalled: fc.boolean(),
  });

  it("auto always ends with the CPU, tries builds best first, and never tries one it skipped", () => {
    fc.assert(
      fc.property(facts, (f) => {
        const plan = planGpu("auto", f);
        assert.equal(plan.attempts.at(-1), "cpu");
        const order = computesFor(f.platform, f.arch);
        const ranks = plan.attempts.map((c) => order.indexOf(c));
        assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
        for (const s of plan.skipped) if (s.compute !== "cpu") assert.ok(!plan.attempts.includes(s.compute));
        // Every better build than the CPU is either tried or explained.
        for (const c of order.filter((x) => x !== "cpu")) assert.ok(plan.attempts.includes(c) || plan.skipped.some((s) => s.compute === c), c);
      }),
    );
  });

  it("every platform with a build names a package for each of its computes", () => {
    for (const [platform, arch] of [["linux", "x64"], ["linux", "arm64"], ["darwin", "arm64"], ["darwin", "x64"], ["win32", "x64"], ["win32", "arm64"]]) {
      const packages = binaryPackages(platform, arch);
      assert.ok(packages, `${platform}-${arch}`);
      for (const c of computesFor(platform, arch)) assert.match(packages.builds[c] ?? "", /^(linux|mac|win)-/);
    }
  });
});
