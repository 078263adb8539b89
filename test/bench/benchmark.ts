// `brrm benchmark` end to end, as a subprocess against llama-server (the tiny model, constrained,
// 1 thread): a 300-comparison RewardBench-shaped file judged at concurrency 1 and 8 on a server
// with 8 slots, comparisons per second side by side, and the time the whole of RewardBench
// (2,985 comparisons) would take here at each rate. A comparison takes seconds on 2 cores, so
// each run judges the first BRRM_BENCH_COMPARISONS (default 24) with --limit.

import * as fs from "node:fs";
import * as path from "node:path";
import type { RunStats } from "../../src/core/evaluate";
import { formatDuration } from "../../src/cli/progressBar";
import { rewardBenchRow } from "../support/benchmarkRecords";
import { CLI, startLlamaServer, tempDir, TINY, tinyModel } from "../support/fixtures";
import { runNode } from "./runNode";
import type { BenchSection } from "./index";
import { table } from "./report";

const FILE_COMPARISONS = 300;
const COMPARISONS = Number(process.env.BRRM_BENCH_COMPARISONS ?? 24);
const N = 8;
const REWARDBENCH_FULL = 2985;

const SUBSETS = ["alpacaeval-easy", "mt-bench-med", "llmbar-natural", "llmbar-adver-neighbor", "xstest-should-respond", "donotanswer", "math-prm", "hep-python"];

interface Summary {
  comparisons: number;
  score: number | null;
  parseFailures: number;
  run: RunStats;
  peakRssMB: number;
}

export const benchmarkBench: BenchSection = {
  name: `benchmark: brrm benchmark rewardbench, concurrency 1 vs ${N} on llama-server --parallel ${N} (tiny model, constrained, ${TINY.threads} thread)`,
  async run() {
    const model = await tinyModel();
    const dir = tempDir("brrm-bench-benchmark-");
    const file = path.join(dir, "filtered.jsonl");
    fs.writeFileSync(file, `${Array.from({ length: FILE_COMPARISONS }, (_, i) => JSON.stringify(rewardBenchRow(i + 1, SUBSETS[i % SUBSETS.length], `Question ${i + 1}: what is ${i} + ${i * 3}?`))).join("\n")}\n`);
    console.log(`file: ${FILE_COMPARISONS} RewardBench records; each run judges the first ${COMPARISONS} (--limit; BRRM_BENCH_COMPARISONS=${FILE_COMPARISONS} judges them all)`);
    const server = await startLlamaServer({ model, args: ["-c", String(TINY.contextSize * N), "--parallel", String(N), "-t", String(TINY.threads)] });
    const rows = [];
    const rates: number[] = [];
    try {
      for (const concurrency of [1, N]) {
        const out = path.join(dir, `c${concurrency}.results.jsonl`);
        const args = [CLI, "benchmark", "rewardbench", file, "--out", out, "--limit", String(COMPARISONS), "--concurrency", String(concurrency), "--backend", "openai", "--endpoint", server.baseURL, "--constrained", "--seed", "1", "--max-tokens", "2048", "--no-cache", "--quiet", "--json-summary"];
        const r = await runNode(args);
        if (r.code !== 0) throw new Error(`brrm benchmark exited ${r.code}:\n${r.stderr}`);
        const s = JSON.parse(r.stdout) as Summary;
        const rate = s.run.finished / (s.run.ms / 1000);
        rates.push(rate);
        rows.push({
          concurrency,
          comparisons: s.run.finished,
          "judging s": s.run.ms / 1000,
          "comparisons/s": rate.toFixed(3),
          "comparisons/min": rate * 60,
          "gen tok/s (all)": (s.run.tokens.generated / s.run.ms) * 1000,
          "process s": r.ms / 1000,
          "peak RSS MB": s.peakRssMB,
          "parse failures": s.parseFailures,
          [`${FILE_COMPARISONS} comparisons`]: formatDuration(FILE_COMPARISONS / rate),
          [`RewardBench (${REWARDBENCH_FULL.toLocaleString("en-US")})`]: formatDuration(REWARDBENCH_FULL / rate),
        });
      }
    } finally {
      await server.stop();
    }
    table(rows);
    console.log(`throughput ratio, concurrency ${N} vs 1: ${(rates[1] / rates[0]).toFixed(2)}x; the last two columns project the measured rate (the tiny model, not BR-RM 8B, whose comparisons generate thousands of thinking tokens)`);
  },
};
