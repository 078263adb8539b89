// `brrm eval` end to end, as a subprocess (so peak memory is the CLI's own): a 200-pair dataset
// on the tiny model, constrained, at concurrency 1 and 4, with the local backend (4 parallel
// sequences of one context) and with llama-server --parallel 4 (4 requests in flight); then the
// memory of reading a 100k-line dataset end to end. A comparison takes ~10 s on 2 cores, so the
// concurrency runs take the first BRRM_BENCH_PAIRS pairs (default 12) with --limit.

import * as fs from "node:fs";
import * as path from "node:path";
import type { RunStats } from "../../src/core/evaluate";
import { CLI, REPO_ROOT, startLlamaServer, tempDir, TINY, tinyModel } from "../support/fixtures";
import { resultOf } from "../support/judgments";
import type { BenchSection } from "./index";
import { table } from "./report";
import { runNode } from "./runNode";

const DATASET_PAIRS = 200;
const PAIRS = Number(process.env.BRRM_BENCH_PAIRS ?? 12);
const N = 4;
const BIG = 100_000;

/** 200 small arithmetic pairs, right and wrong answers in both positions, some as preference data. */
function writeDataset(file: string): void {
  const lines = [];
  for (let i = 0; i < DATASET_PAIRS; i++) {
    const [a, b] = [(i * 37) % 91 + 7, (i * 53) % 67 + 3];
    const right = `${a} + ${b} = ${a + b}.`;
    const wrong = `${a} + ${b} = ${a + b + 1 + (i % 5)}.`;
    const prompt = `What is ${a} + ${b}? Answer with the sum.`;
    lines.push(
      i % 3 === 0
        ? JSON.stringify({ id: `q${i}`, prompt, chosen: right, rejected: wrong })
        : JSON.stringify({ id: `q${i}`, prompt, response1: i % 2 ? right : wrong, response2: i % 2 ? wrong : right, label: i % 2 ? 1 : 2 }),
    );
  }
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

interface EvalFigures {
  run: RunStats;
  peakRssMB: number;
  summary: { wins: { response1: number; response2: number; ties: number; noVerdict: number } };
}

async function brrmEval(args: string[]): Promise<EvalFigures & { processMs: number }> {
  const r = await runNode([CLI, "eval", ...args, "--json-summary", "--quiet", "--no-cache"]);
  if (r.code !== 0) throw new Error(`brrm eval ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as EvalFigures), processMs: r.ms };
}

function row(backend: string, concurrency: number, f: EvalFigures & { processMs: number }) {
  const verdicts = f.summary.wins.response1 + f.summary.wins.response2;
  return {
    backend,
    concurrency,
    pairs: f.run.finished,
    "judging s": f.run.ms / 1000,
    "pairs/min": (f.run.finished / f.run.ms) * 60_000,
    "gen tok/s (all)": (f.run.tokens.generated / f.run.ms) * 1000,
    "process s": f.processMs / 1000,
    "peak RSS MB": f.peakRssMB,
    verdicts: `${verdicts}/${f.run.finished}`,
  };
}

export const datasetBench: BenchSection = {
  name: `dataset: brrm eval, concurrency 1 vs ${N} (tiny model, constrained, ${TINY.threads} thread), and reading ${BIG.toLocaleString("en-US")} lines`,
  async run() {
    const model = await tinyModel();
    const dir = tempDir("brrm-bench-dataset-");
    const data = path.join(dir, "pairs.jsonl");
    writeDataset(data);
    console.log(`dataset: ${DATASET_PAIRS} pairs; each run judges the first ${PAIRS} (--limit ${PAIRS}; set BRRM_BENCH_PAIRS=${DATASET_PAIRS} for all, ~${Math.round((DATASET_PAIRS * 10) / 60)} min per run here)`);
    const common = ["--limit", String(PAIRS), "--constrained", "--seed", "1"];
    const local = ["--model", model, "--threads", String(TINY.threads), "--context-size", String(TINY.contextSize), "--gpu", "off"];

    const rows = [];
    const out = (name: string) => path.join(dir, `${name}.out.jsonl`);
    const l1 = await brrmEval([data, "--out", out("local1"), ...common, ...local, "--concurrency", "1"]);
    const lN = await brrmEval([data, "--out", out(`local${N}`), ...common, ...local, "--concurrency", String(N)]);
    rows.push(row("local", 1, l1), row(`local (${N} sequences)`, N, lN));

    // The same dataset through the OpenAI-compatible backend: a server with N slots, 1 vs N requests in flight.
    const server = await startLlamaServer({ model, args: ["-c", String(TINY.contextSize * N), "--parallel", String(N)] });
    let s1, sN;
    try {
      const endpoint = ["--backend", "openai", "--endpoint", server.baseURL, "--max-tokens", "2048"];
      s1 = await brrmEval([data, "--out", out("server1"), ...common, ...endpoint, "--concurrency", "1"]);
      sN = await brrmEval([data, "--out", out(`server${N}`), ...common, ...endpoint, "--concurrency", String(N)]);
    } finally {
      await server.stop();
    }
    rows.push(row(`llama-server --parallel ${N}`, 1, s1), row(`llama-server --parallel ${N}`, N, sN));
    table(rows);
    const ratio = (a: EvalFigures, b: EvalFigures) => (b.run.finished / b.run.ms / (a.run.finished / a.run.ms)).toFixed(2);
    console.log(`throughput ratio, concurrency ${N} vs 1: local ${ratio(l1, lN)}x, llama-server ${ratio(s1, sN)}x (the server's memory is its own process, not in the RSS column)`);

    // Reading 100k lines end to end: the reader alone, then `brrm eval --resume` on a results file
    // that already has every pair (it counts, scans the results, reads and skips every line, and
    // summarizes 100k results), each in a fresh process.
    const big = path.join(dir, "big.jsonl");
    const bigOut = path.join(dir, "big.out.jsonl");
    const filler = "z".repeat(500);
    const dataFd = fs.openSync(big, "w");
    const outFd = fs.openSync(bigOut, "w");
    const chunk: string[] = [];
    const results: string[] = [];
    for (let i = 1; i <= BIG; i++) {
      chunk.push(JSON.stringify({ id: `b${i}`, prompt: `q${i} ${filler}`, chosen: "yes", rejected: "no" }));
      results.push(JSON.stringify(resultOf({ key: `id:b${i}`, line: i, label: 1, dims: ["Logical Reasoning"] }, [["AB", [(i % 2) + 1 as 1 | 2]]])));
      if (chunk.length === 5000) {
        fs.writeSync(dataFd, `${chunk.join("\n")}\n`);
        fs.writeSync(outFd, `${results.join("\n")}\n`);
        chunk.length = results.length = 0;
      }
    }
    fs.closeSync(dataFd);
    fs.closeSync(outFd);
    const mb = (f: string) => fs.statSync(f).size / 1e6;
    const reader = `
      const { readDataset } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/core/dataset.js"))});
      const { openDatasetSource } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/datasetFiles.js"))});
      const { peakRssMB } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/memory.js"))});
      (async () => {
        let pairs = 0;
        for await (const e of readDataset((await openDatasetSource(process.argv[1])).records())) if (e.ok) pairs++;
        console.log(JSON.stringify({ pairs, peakRssMB: peakRssMB() }));
      })();`;
    const baseline = await runNode(["-e", `console.log(JSON.stringify({ peakRssMB: require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/memory.js"))}).peakRssMB() }))`]);
    const read = await runNode(["-e", reader, big]);
    const readFigures = JSON.parse(read.stdout) as { pairs: number; peakRssMB: number };
    const resumed = await brrmEval([big, "--out", bigOut, "--resume", "--constrained", ...local]);
    table([
      { what: "node, empty script", "file MB": "-", lines: "-", s: baseline.ms / 1000, "peak RSS MB": (JSON.parse(baseline.stdout) as { peakRssMB: number }).peakRssMB },
      { what: "readDataset over the file", "file MB": mb(big), lines: readFigures.pairs, s: read.ms / 1000, "peak RSS MB": readFigures.peakRssMB },
      {
        what: "brrm eval --resume, all done (the model is never loaded)",
        "file MB": `${mb(big).toFixed(0)} + ${mb(bigOut).toFixed(0)} results`,
        lines: resumed.run.skipped,
        s: resumed.processMs / 1000,
        "peak RSS MB": resumed.peakRssMB,
      },
    ]);
  },
};
