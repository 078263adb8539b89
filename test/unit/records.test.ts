import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pairFromRecord, type PairRecord } from "../../src/core/records";

const ok = (v: unknown): PairRecord => {
  const r = pairFromRecord(v);
  assert.ok(r.ok, r.ok ? "" : r.reason);
  return r.record;
};
const reason = (v: unknown): string => {
  const r = pairFromRecord(v);
  assert.ok(!r.ok, "expected the record to be rejected");
  return r.reason;
};

describe("records", () => {
  it("prompt/response1/response2 with a label and an id", () => {
    assert.deepEqual(ok({ id: 7, prompt: "p", response1: "a", response2: "b", label: 2 }), {
      prompt: "p", responses: ["a", "b"], label: 2, preference: false, id: "7",
    });
  });
  it("preference data: chosen first, marked, label 1", () => {
    const r = ok({ prompt: "p", chosen: "good", rejected: "bad" });
    assert.deepEqual([r.responses, r.preference, r.label], [["good", "bad"], true, 1]);
  });
  it("question/response_a/response_b with an arena-style winner", () => {
    const r = ok({ question: "q", response_a: "a", response_b: "b", winner: "model_b" });
    assert.deepEqual([r.prompt, r.responses, r.label], ["q", ["a", "b"], 2]);
  });
  it("chat context from messages (OpenAI) or conversations (ShareGPT)", () => {
    const a = ok({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "2+2?" }], response1: "4", response2: "5" });
    assert.deepEqual(a.prompt, [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "2+2?" }]);
    const b = ok({ conversations: [{ from: "human", value: "2+2?" }], chosen: "4", rejected: "5" });
    assert.deepEqual(b.prompt, [{ role: "user", content: "2+2?" }]);
  });
  it("chosen/rejected as full conversations: the last assistant turn is the response", () => {
    const r = ok({
      chosen: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "4" }],
      rejected: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "5" }],
    });
    assert.deepEqual([r.prompt, r.responses], [[{ role: "user", content: "2+2?" }], ["4", "5"]]);
  });
  it("bad records name the problem and the expected shapes", () => {
    assert.match(reason({ prompt: "p", response1: "a" }), /missing "response2".*records need prompt\/response1\/response2/);
    assert.match(reason({ prompt: "p", response1: "a", response2: "  " }), /"response2" is empty/);
    assert.match(reason({ prompt: "p", response1: 3, response2: "b" }), /"response1" must be text, got number/);
    assert.match(reason({ prompt: "", response1: "a", response2: "b" }), /"prompt" is empty/);
    assert.match(reason({ prompt: "p", response1: "a", response2: "b", label: 3 }), /"label" must be 1 or 2/);
    assert.match(reason([1, 2]), /expected a JSON object/);
    assert.match(reason({ messages: [{ role: "wizard", content: "x" }], response1: "a", response2: "b" }), /no known role/);
  });
});
