// Judged benchmark comparisons built by hand, for the scoring and report tests: each says whether
// the judge preferred the chosen response, the rejected one, or neither, in the order it was shown.

import { orderResult, pairResult, type Order, type PairResult } from "../../src/core/dataset";
import { TAG_FIELD, type BenchmarkTag, type RunSettings } from "../../src/core/benchmark/benchmarks";
import { judgmentOf } from "./judgments";

export type Outcome = "chosen" | "rejected" | "none";

/** The verdict, as shown, that means `outcome` for a record shown in `order` (chosen is the record's first response). */
function verdictFor(outcome: Outcome, order: Order): 1 | 2 | null {
  if (outcome === "none") return null;
  const chosenShownFirst = order === "AB";
  return (outcome === "chosen") === chosenShownFirst ? 1 : 2;
}

let counter = 0;

/** A result of one comparison of a benchmark run; `orders` gives the outcome per order judged (two = --swap). */
export function judgedComparison(
  settings: RunSettings,
  tag: Omit<BenchmarkTag, keyof RunSettings | "file" | "index"> & { key?: string },
  outcomes: Outcome | [Order, Outcome][],
): PairResult {
  const { key: given, ...rest } = tag;
  const key = given ?? `${tag.item}#${++counter}`;
  const orders: [Order, Outcome][] = typeof outcomes === "string" ? [["AB", outcomes]] : outcomes;
  const fields = { [TAG_FIELD]: { ...settings, ...rest, file: "test.json", index: 1 } };
  return pairResult(
    { key, id: tag.item, line: 1, record: { prompt: [{ role: "user", content: "p" }], responses: ["chosen", "rejected"], label: 1, preference: true }, order: orders[0][0], fields },
    orders.map(([order, outcome]) => orderResult(order, [{ judgment: judgmentOf(verdictFor(outcome, order)), cached: false }])),
  );
}
