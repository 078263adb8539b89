// Load: `brrm eval` against a fast local protocol server at concurrency 64, 1,000 pairs next to
// 10,000 in one run: the client's CPU cost per comparison (user + system time of the brrm
// process over the comparisons it made) and its memory over the run (sampled inside the process
// by cliProbe.ts). Flat memory shows as the same resident size at a tenth and at the end of the
// run, and as the same peak for ten times the pairs. The server runs in the bench's process,
// so its CPU is not counted.

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

function probedEval(args: string[], probe: string) {
  return runNode(["--require", path.join(REPO_ROOT, "out/test/bench/cliProbe.js"), CLI, "eval", ...args], { ...process.env, BRRM_PROBE_OUT: probe });
}

/** Resident memory at a share of the run's time (the sample nearest to it). */
function rssAt(samples: ProbeReport["samples"], share: number): number {
  const at = samples[samples.length - 1].ms * share;
  return samples.reduce((best, s) => (Math.abs(s.ms - at) < Math.abs(best.ms - at) ? s : best)).rssMB;
}

export const loadBench: BenchSection = {
  name: `load: brrm eval at concurrency ${CONCURRENCY} against a fast protocol server, ${SIZES.map((n) => n.toLocaleString("en-US")).join(" vs ")} pairs`,
  async run() {
    const dir = tempDir("brrm-bench-load-");
    const server = await startProtocolServer(wellFormedJudge(() => 1, 64));
    const rows = [];
    const figures: { pairs: number; cpuPerComparison: number; peak: number }[] = [];
    try {
      for (const pairs of SIZES) {
        const input = path.join(dir, `load-${pairs}.jsonl`);
        const probe = path.join(dir, `probe-${pairs}.json`);
        writeDataset(input, pairs);
        const r = await probedEval(
          [input, "--out", path.join(dir, `load-${pairs}.results.jsonl`), "--backend", "openai", "--endpoint", server.baseURL, "--model", "test-model", "--concurrency", String(CONCURRENCY), "--no-cache", "--quiet", "--json-summary"],
          probe,
        );
        if (r.code !== 0) throw new Error(`brrm eval of ${pairs} pairs exited ${r.code}:\n${r.stderr}`);
        const { run } = JSON.parse(r.stdout) as { run: RunStats };
        const p = JSON.parse(fs.readFileSync(probe, "utf8")) as ProbeReport;
        const cpuPerComparison = p.cpuMs / run.judgments;
        figures.push({ pairs, cpuPerComparison, peak: p.peakRssMB });
        rows.push({
          pairs,
          comparisons: run.judgments,
          "wall s": r.ms / 1000,
          "comparisons/s": run.judgments / (run.ms / 1000),
          "client CPU s": p.cpuMs / 1000,
          "CPU ms/comparison": cpuPerComparison,
          "RSS MB at 10%": rssAt(p.samples, 0.1),
          "at 50%": rssAt(p.samples, 0.5),
          "at 100%": rssAt(p.samples, 1),
          "peak RSS MB": p.peakRssMB,
          "heap MB at end": p.samples[p.samples.length - 1].heapMB,
        });
      }
    } finally {
      await server.close();
    }
    table(rows);
    const [small, big] = figures;
    console.log(
      `${(big.pairs / small.pairs).toFixed(0)}x the pairs: peak memory ${(big.peak / small.peak).toFixed(2)}x, CPU per comparison ${(big.cpuPerComparison / small.cpuPerComparison).toFixed(2)}x (each comparison is two streamed requests; the server's own CPU is not counted)`,
    );
  },
};
