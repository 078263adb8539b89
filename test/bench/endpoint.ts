// The OpenAI-compatible backend against llama-server, next to the local backend on the same
// tiny model: wall time per comparison, generation speed, how much of turn 2's prompt the server
// serves from its cache; then N comparisons at once against llama-server --parallel N versus the
// same N one after another.

import { disposeLocalEngine, LocalBackend } from "../../src/backends/llamaCpp";
import { OpenAIBackend, type ServerTimings } from "../../src/backends/openai";
import type { JudgeBackend } from "../../src/core/backend";
import { judge } from "../../src/core/flow";
import type { Judgment } from "../../src/core/judgment";
import type { Sampling } from "../../src/core/sampling";
import { startLlamaServer, TINY, tinyModel } from "../support/fixtures";
import type { BenchSection } from "./index";
import { table } from "./report";

const PAIR = {
  prompt: "A train leaves at 3:40 pm and the trip takes 2 h 35 min. When does it arrive?",
  response1: "It arrives at 6:15 pm: 3:40 + 2:00 = 5:40, and 5:40 + 0:35 = 6:15.",
  response2: "It arrives at 6:05 pm.",
};

const RUNS = 3;
const N = 4;
const perSecond = (n: number, ms: number) => (ms > 0 ? (n / ms) * 1000 : 0);

function row(backend: string, run: number, j: Judgment, wall: number, server?: ServerTimings[]) {
  const [u1, u2] = [j.usage.turn1!, j.usage.turn2!];
  const t2 = server?.[1];
  return {
    backend,
    run,
    "wall s": wall / 1000,
    "t1 gen tok/s": perSecond(u1.generatedTokens, u1.ms),
    "t2 gen tok/s": perSecond(u2.generatedTokens, u2.ms),
    "t2 cached / prompt": `${u2.cachedTokens} / ${u2.promptTokens}`,
    // The server's own clock, without HTTP and the client: only llama-server reports it.
    "t2 server prefill tok/s": t2 ? perSecond(t2.promptTokens, t2.promptMs) : "-",
    "t2 server decode tok/s": t2 ? perSecond(t2.generatedTokens, t2.generationMs) : "-",
    verdict: String(j.verdict),
  };
}

/** N comparisons, all at once or one after another; seeds differ so that no two are identical. */
async function batch(backend: JudgeBackend, concurrent: boolean, sampling: Partial<Sampling>, constrained: boolean) {
  const one = (i: number) => judge(PAIR, backend, { constrained, sampling: { ...sampling, seed: 500 + i } });
  const started = performance.now();
  let judgments: Judgment[] = [];
  if (concurrent) judgments = await Promise.all(Array.from({ length: N }, (_, i) => one(i)));
  else for (let i = 0; i < N; i++) judgments.push(await one(i));
  const wall = performance.now() - started;
  const generated = judgments.reduce((n, j) => n + j.usage.turn1!.generatedTokens + j.usage.turn2!.generatedTokens, 0);
  return { wall, generated, verdicts: judgments.filter((j) => j.verdict !== null).length };
}

export const endpointBench: BenchSection = {
  name: `endpoint: the same comparison, local backend vs llama-server (tiny model, constrained, ${TINY.threads} thread each)`,
  async run() {
    const model = await tinyModel();
    const rows = [];
    const local = await LocalBackend.create({ model, ...TINY });
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const j = await judge(PAIR, local, { constrained: true, sampling: { seed: 100 + i } });
      rows.push(row("local", i + 1, j, performance.now() - start));
    }
    await local.dispose();
    await disposeLocalEngine();

    const single = await startLlamaServer({ model, args: ["-c", String(TINY.contextSize), "--parallel", "1"] });
    try {
      for (const stream of [true, false]) {
        const timings: ServerTimings[] = [];
        const remote = await OpenAIBackend.create({ baseURL: single.baseURL, model: "brrm-tiny", stream, onServerTimings: (t) => timings.push(t) });
        for (let i = 0; i < RUNS; i++) {
          timings.length = 0;
          const start = performance.now();
          const j = await judge(PAIR, remote, { constrained: true, sampling: { seed: 100 + i } });
          rows.push(row(stream ? "llama-server" : "llama-server, no stream", i + 1, j, performance.now() - start, [...timings]));
        }
      }
    } finally {
      await single.stop();
    }
    table(rows);
    console.log("(The two engines sample differently: the same seed gives different text, so compare speeds, not outputs.)");
  },
};

export const endpointConcurrencyBench: BenchSection = {
  name: `endpoint: ${N} comparisons at once vs one after another, llama-server --parallel ${N} (tiny model, 1 thread)`,
  async run() {
    const model = await tinyModel();
    const parallel = await startLlamaServer({ model, args: ["-c", String(TINY.contextSize * N), "--parallel", String(N)] });
    const throughput = [];
    const ratios: string[] = [];
    try {
      const remote = await OpenAIBackend.create({ baseURL: parallel.baseURL, model: "brrm-tiny" });
      for (const [label, constrained, sampling] of [
        ["constrained", true, {}],
        // A random model rarely stops by itself: with a fixed budget every comparison generates
        // the same number of tokens, which isolates the batching gain.
        ["free, 256 tokens/turn", false, { maxTokens: 256 }],
      ] as const) {
        const sequential = await batch(remote, false, sampling, constrained);
        const together = await batch(remote, true, sampling, constrained);
        for (const [mode, r] of [["one after another", sequential], [`${N} at once`, together]] as const)
          throughput.push({
            output: label,
            mode,
            "wall s": r.wall / 1000,
            "comparisons/min": (N / r.wall) * 60_000,
            "generated tok/s (all)": perSecond(r.generated, r.wall),
            verdicts: `${r.verdicts}/${N}`,
          });
        ratios.push(`throughput ratio, ${label}: ${(sequential.wall / together.wall).toFixed(2)}x (${N} at once vs one after another)`);
      }
    } finally {
      await parallel.stop();
    }
    table(throughput);
    for (const r of ratios) console.log(r);
  },
};
