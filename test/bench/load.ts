// Load: `brrm eval` against a fast local protocol server at concurrency 64, 1,000 pairs next to
// 10,000 in one run: the client's CPU cost per comparison (user + system time of the brrm
// process over the comparisons it made) and its memory over the run (sampled inside the process
// by cliProbe.ts). Flat memory shows as the same resident size at a tenth and at the end of the
// run, and as the same peak for ten times the pairs. Beside them, bare fetch doing the same two
// streamed requests per comparison (bareClient.ts): the floor of the HTTP work alone. The
// server runs in the bench's process, so its CPU is not counted.

import * as fs from "node:fs";
import * as path from "node:path";
import type { RunStats } from "../../src/core/evaluate";
import { CLI, REPO_ROOT, tempDir } from "../support/fixtures";
import { startProtocolServer, wellFormedJudge } from "../support/openaiProtocol";
import type { ProbeReport } from "./cliProbe";
import type { BenchSection } from "./index";
import { table } from "./report";
import { runNode } from "./runNode";

const SIZES = [1_000, 10_000];
const CONCURRENCY = 64;

function writeDataset(file: string, pairs: number): void {
  const lines = Array.from({ length: pairs }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Question ${i}: what is ${i} + ${i}?`, response1: `${2 * i}.`, response2: `${2 * i + 1}.`, label: 1 }));
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

/** Resident memory at a share of the run's time (the sample nearest to it). */
function rssAt(samples: ProbeReport["samples"], share: number): number {
  const at = samples[samples.length - 1].ms * share;
  return samples.reduce((best, s) => (Math.abs(s.ms - at) < Math.abs(best.ms - at) ? s : best)).rssMB;
}

interface Measured {
  label: string;
  comparisons: number;
  wallMs: number;
  probe: ProbeReport;
}

/** Runs node with `args` under cliProbe.ts: what it printed, and what it cost. */
async function measured(label: string, comparisons: number, args: string[], probeFile: string): Promise<Measured & { stdout: string }> {
  const r = await runNode(["--require", path.join(REPO_ROOT, "out/test/bench/cliProbe.js"), ...args], { ...process.env, BRRM_PROBE_OUT: probeFile });
  if (r.code !== 0) throw new Error(`${label} exited ${r.code}:\n${r.stderr}`);
  return { label, comparisons, wallMs: r.ms, probe: JSON.parse(fs.readFileSync(probeFile, "utf8")) as ProbeReport, stdout: r.stdout };
}

const cpuPerComparison = (m: Measured) => m.probe.cpuMs / m.comparisons;

function row(m: Measured) {
  const { samples } = m.probe;
  return {
    client: m.label,
    comparisons: m.comparisons,
    "wall s": m.wallMs / 1000,
    "comparisons/s": m.comparisons / (m.wallMs / 1000),
    "client CPU s": m.probe.cpuMs / 1000,
    "CPU ms/comparison": cpuPerComparison(m),
    "RSS MB at 10%": rssAt(samples, 0.1),
    "at 50%": rssAt(samples, 0.5),
    "at 100%": rssAt(samples, 1),
    "peak RSS MB": m.probe.peakRssMB,
    "heap MB at end": samples[samples.length - 1].heapMB,
  };
}

export const loadBench: BenchSection = {
  name: `load: brrm eval at concurrency ${CONCURRENCY} against a fast protocol server, ${SIZES.map((n) => n.toLocaleString("en-US")).join(" vs ")} pairs, and bare fetch`,
  async run() {
    const dir = tempDir("brrm-bench-load-");
    const server = await startProtocolServer(wellFormedJudge(() => 1, 64));
    const runs: Measured[] = [];
    try {
      for (const pairs of SIZES) {
        const input = path.join(dir, `load-${pairs}.jsonl`);
        writeDataset(input, pairs);
        const args = [CLI, "eval", input, "--out", path.join(dir, `load-${pairs}.results.jsonl`), "--backend", "openai", "--endpoint", server.baseURL, "--model", "test-model"];
        const m = await measured(`brrm eval, ${pairs} pairs`, pairs, [...args, "--concurrency", String(CONCURRENCY), "--no-cache", "--quiet", "--json-summary"], path.join(dir, `probe-${pairs}.json`));
        const { run } = JSON.parse(m.stdout) as { run: RunStats };
        if (run.judgments !== pairs) throw new Error(`brrm eval judged ${run.judgments} of ${pairs} pairs`);
        runs.push(m);
      }
      const pairs = SIZES[SIZES.length - 1];
      runs.push(await measured(`bare fetch, ${pairs} comparisons`, pairs, [path.join(REPO_ROOT, "out/test/bench/bareClient.js"), server.baseURL, String(pairs), String(CONCURRENCY)], path.join(dir, "probe-bare.json")));
    } finally {
      await server.close();
    }
    table(runs.map(row));
    const [small, big, bare] = runs;
    console.log(
      `${(big.comparisons / small.comparisons).toFixed(0)}x the pairs: peak memory ${(big.probe.peakRssMB / small.probe.peakRssMB).toFixed(2)}x, CPU per comparison ${(cpuPerComparison(big) / cpuPerComparison(small)).toFixed(2)}x (each comparison is two streamed requests; the server's own CPU is not counted)`,
    );
    console.log(`brrm's CPU per comparison is ${(cpuPerComparison(big) / cpuPerComparison(bare)).toFixed(2)}x bare fetch's for the same requests (the openai package, reading the judgment, the results file)`);
  },
};
