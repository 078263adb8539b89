import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunStats } from "../../src/core/evaluate";
import { EvalProgressBar } from "../../src/cli/progressBar";

function capture(): { stream: NodeJS.WriteStream; text(): string } {
  let out = "";
  const stream = { isTTY: false, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

const stats = (finished: number): RunStats => ({
  pairs: finished, finished, skipped: 0, failed: 0, badLines: 0, judgments: finished, cachedJudgments: 0,
  tokens: { prompt: 0, generated: 0 }, ms: 0, cancelled: false,
});

describe("eval progress on stderr", () => {
  it("the final line counts the finished pairs", () => {
    const c = capture();
    const bar = new EvalProgressBar(2, undefined, c.stream);
    bar.event({ type: "progress", stats: stats(2) });
    bar.finish();
    assert.match(c.text().trim().split("\n").pop()!, /^\[#{24}\] 2\/2 records /);
  });
  it("--quiet prints no bar, but still the notes about bad lines", () => {
    const c = capture();
    const bar = new EvalProgressBar(2, undefined, c.stream, true);
    bar.event({ type: "progress", stats: stats(1) });
    bar.event({ type: "badLine", line: 2, reason: "not JSON" });
    bar.finish();
    assert.equal(c.text(), "line 2: skipped, not JSON\n");
  });
});
