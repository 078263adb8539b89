import * as fs from "node:fs";
import * as os from "node:os";

/**
 * Physical CPU cores. llama.cpp generation slows down badly when it runs more threads than
 * there are physical cores (hyper-threads share the same FPU and cache).
 */
export function physicalCores(): number {
  try {
    const cores = new Set<string>();
    let physicalId = "0";
    for (const line of fs.readFileSync("/proc/cpuinfo", "utf8").split("\n")) {
      const [k, v] = line.split(":").map((s) => s.trim());
      if (k === "physical id") physicalId = v;
      else if (k === "core id") cores.add(`${physicalId}/${v}`);
    }
    if (cores.size > 0) return cores.size;
  } catch {
    // Not Linux: fall through.
  }
  return Math.max(1, Math.ceil(os.availableParallelism() / 2));
}
