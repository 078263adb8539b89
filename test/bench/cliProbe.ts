// Loaded with `node --require` into a `brrm` process the bench starts: samples the process's
// memory every 250 ms and, as it exits, writes the samples, its CPU time and its peak memory to
// the file $BRRM_PROBE_OUT. The CLI itself is unchanged.

import * as fs from "node:fs";
import { peakRssMB } from "../../src/files/memory";

export interface ProbeReport {
  samples: { ms: number; rssMB: number; heapMB: number }[];
  cpuMs: number;
  peakRssMB: number;
}

const out = process.env.BRRM_PROBE_OUT;
if (out) {
  const started = performance.now();
  const samples: ProbeReport["samples"] = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ ms: performance.now() - started, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 });
  };
  setInterval(sample, 250).unref();
  process.once("exit", () => {
    sample();
    const cpu = process.cpuUsage();
    const report: ProbeReport = { samples, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMB: peakRssMB() };
    fs.writeFileSync(out, JSON.stringify(report));
  });
}
