// @ts-check
// The table test/gpu/measure.sh ends with, from the raw outputs in its $OUT folder: decode
// tokens/s of `brrm compare` against `llama-bench` tg, and comparisons per minute at 1, 4 and
// 16 parallel sequences, locally and through llama-server.
//   node test/gpu/table.mjs <out-folder>
import fs from "node:fs";
import path from "node:path";

const out = process.argv[2];
const read = (/** @type {string} */ f) => (fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), "utf8") : "");
const json = (/** @type {string} */ f) => {
  try {
    return JSON.parse(read(f));
  } catch {
    return undefined;
  }
};
const fmt = (/** @type {number | undefined} */ n, digits = 1) => (n === undefined || !Number.isFinite(n) ? "n/a" : n.toFixed(digits));
const median = (/** @type {number[]} */ xs) => (xs.length === 0 ? undefined : [...xs].sort((a, b) => a - b)[xs.length >> 1]);

const lines = ["# BR-RM local backend on node-llama-cpp's build vs llama.cpp's tools", ""];
const gpu = read("gpu.txt").trim();
const doctor = json("doctor.json");
lines.push(`- GPU: ${gpu || "none (rehearsal)"}`);
lines.push(`- brrm runs on: ${doctor?.gpu?.runsOn ?? doctor?.gpu?.error ?? "n/a"}${doctor?.gpu?.choice?.devices?.length ? ` (${doctor.gpu.choice.devices.join(", ")})` : ""}; binary ${doctor?.gpu?.choice?.binary ?? "n/a"}`);
lines.push("");

// Decode: llama-bench tg (flash attention off and on) against brrm's turns.
/** @type {{ n_gen: number, n_prompt: number, avg_ts: number, flash_attn: boolean | number, model_type?: string }[]} */
const bench = (json("llama-bench.json") ?? []).filter((/** @type {{ n_gen: number }} */ r) => r.n_gen > 0);
const turns = [1, 2, 3].flatMap((i) => {
  const j = json(`compare-${i}.json`);
  return j ? [j.usage?.turn1, j.usage?.turn2].filter(Boolean).map((/** @type {{ generatedTokens: number, ms: number }} */ u) => (u.generatedTokens / u.ms) * 1000) : [];
});
const brrmTps = median(turns);
lines.push("## Decode (tokens/s, one sequence)", "", "| | tokens/s | brrm / this |", "|---|---|---|");
lines.push(`| brrm compare (median of ${turns.length} turns, prompt processing included) | ${fmt(brrmTps)} | |`);
for (const r of bench) lines.push(`| llama-bench tg${r.n_gen}, flash attention ${r.flash_attn ? "on" : "off"} | ${fmt(r.avg_ts)} | ${fmt(brrmTps && brrmTps / r.avg_ts, 2)}x |`);
const best = Math.max(...bench.map((r) => r.avg_ts));
lines.push("", `Target: brrm >= 0.95x llama-bench's best tg. Measured: ${fmt(brrmTps && brrmTps / best, 2)}x.`, "");

// Throughput: (pairs of the bigger run - pairs of the smaller) / (its extra seconds).
/** @type {{ backend: string, concurrency: number, pairs: number, rc: number, seconds: number }[]} */
const runs = read("eval-runs.jsonl").split("\n").filter(Boolean).map((l) => JSON.parse(l));
/** @param {string} backend @param {number} c */
const perMinute = (backend, c) => {
  const [a, b] = runs.filter((r) => r.backend === backend && r.concurrency === c && r.rc === 0).sort((x, y) => x.pairs - y.pairs);
  return a && b && b.seconds > a.seconds ? ((b.pairs - a.pairs) / (b.seconds - a.seconds)) * 60 : undefined;
};
lines.push("## Comparisons per minute (two turns each)", "", "| parallel sequences | brrm local | x one | brrm via llama-server | x one | local / server |", "|---|---|---|---|---|---|");
for (const c of [1, 4, 16]) {
  const [l, s] = [perMinute("local", c), perMinute("server", c)];
  const [l1, s1] = [perMinute("local", 1), perMinute("server", 1)];
  lines.push(`| ${c} | ${fmt(l)} | ${fmt(l && l1 && l / l1, 2)}x | ${fmt(s)} | ${fmt(s && s1 && s / s1, 2)}x | ${fmt(l && s && l / s, 2)}x |`);
}
const failed = runs.filter((r) => r.rc !== 0);
lines.push("", `Target: 4 sequences >= 3x one (local). Each figure is (2N - N pairs) / (the extra seconds of the 2N run), so starting brrm and loading the model cancel out.${failed.length ? ` Failed runs: ${failed.map((r) => `${r.backend} c=${r.concurrency} n=${r.pairs} rc=${r.rc}`).join(", ")}.` : ""}`);
console.log(lines.join("\n"));
