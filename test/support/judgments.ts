// Judgments and results built by hand, as input for tests of what consumes them (stats,
// reports, the cache): the numbers those compute are then checked against the inputs.

import { orderResult, pairResult, type DatasetPair, type Order, type PairResult } from "../../src/core/dataset";
import type { Dimension, Judgment } from "../../src/core/judgment";
import type { Label } from "../../src/core/records";

export function judgmentOf(verdict: 1 | 2 | null, dimensions: Dimension[] = [], extra: Partial<Judgment> = {}): Judgment {
  const usage = { promptTokens: 100, generatedTokens: 50, cachedTokens: 0, ms: 1000, stopReason: "eos" };
  return {
    verdict,
    dimensions,
    issues: { response1: ["issue one"], response2: [] },
    analysis: { response1: "a1", response2: "a2" },
    thinking: { turn1: "", turn2: "" },
    raw: { turn1: "t1", turn2: "t2" },
    warnings: [],
    error: verdict === null ? { code: "NO_VERDICT", message: "no verdict" } : null,
    usage: { turn1: usage, turn2: usage },
    model: "test-model",
    backend: "local",
    ...extra,
  };
}

/** A result for a pair judged in the given orders, each with the verdicts (as shown) of its samples. */
export function resultOf(
  opts: { key?: string; line?: number; label?: Label | null; prompt?: string; responses?: [string, string]; dims?: Dimension[]; cached?: boolean; fields?: Record<string, unknown> },
  orders: [Order, (1 | 2 | null)[]][],
): PairResult {
  const line = opts.line ?? 1;
  const pair: DatasetPair = {
    key: opts.key ?? `line:${line}`,
    id: null,
    line,
    record: { prompt: opts.prompt ?? "p", responses: opts.responses ?? ["r1", "r2"], label: opts.label ?? null, preference: false },
    order: orders[0][0],
    fields: opts.fields ?? {},
  };
  return pairResult(pair, orders.map(([order, verdicts]) => orderResult(order, verdicts.map((v) => ({ judgment: judgmentOf(v, opts.dims ?? []), cached: opts.cached ?? false })))));
}
