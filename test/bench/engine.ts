// The engine on the tiny model: load time, per-turn tokens and speed, how much of the turn-1
// conversation turn 2 evaluates again, and the flow's overhead over the engine's own time.

import { disposeLocalEngine, LocalBackend } from "../../src/backends/llamaCpp";
import { judge } from "../../src/core/flow";
import { tinyModel, TINY } from "../support/fixtures";
import type { BenchSection } from "./index";
import { table } from "./report";

const PAIR = {
  prompt: "A train leaves at 3:40 pm and the trip takes 2 h 35 min. When does it arrive?",
  response1: "It arrives at 6:15 pm: 3:40 + 2:00 = 5:40, and 5:40 + 0:35 = 6:15.",
  response2: "It arrives at 6:05 pm.",
};

export const engineBench: BenchSection = {
  name: "engine (local llama.cpp, tiny model, constrained)",
  async run() {
    const model = await tinyModel();
    const t0 = performance.now();
    const backend = await LocalBackend.create({ model, ...TINY });
    const loadMs = performance.now() - t0;
    console.log(`model load: ${loadMs.toFixed(0)} ms (tiny model, ${TINY.threads} thread)`);
    const rows = [];
    const runs = 3;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const j = await judge(PAIR, backend, { constrained: true, sampling: { seed: 100 + i } });
      const wall = performance.now() - start;
      const [u1, u2] = [j.usage.turn1!, j.usage.turn2!];
      const turn1Conversation = u1.promptTokens + u1.generatedTokens;
      rows.push({
        run: i + 1,
        "t1 prompt": u1.promptTokens,
        "t1 gen": u1.generatedTokens,
        "t1 tok/s": (u1.generatedTokens / u1.ms) * 1000,
        "t2 prompt": u2.promptTokens,
        "t2 gen": u2.generatedTokens,
        "t2 tok/s": (u2.generatedTokens / u2.ms) * 1000,
        "t2 cached": u2.cachedTokens,
        // Turn 2's prompt is turn 1's conversation (its thinking dropped, as Qwen3's template does)
        // plus the turn-2 message; everything after the cached prefix is evaluated again.
        "t2 evaluated": u2.promptTokens - u2.cachedTokens,
        "t1 conversation": turn1Conversation,
        "flow wall / engine time": wall / (u1.ms + u2.ms),
        verdict: String(j.verdict),
      });
    }
    table(rows);
    await backend.dispose();
    await disposeLocalEngine();
  },
};
