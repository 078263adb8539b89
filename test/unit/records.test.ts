import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { carriedFields, pairFromRecord, parseFieldMap, type FieldMap, type PairRecord } from "../../src/core/records";
import { SHAPES as PUBLISHED } from "../support/publishedShapes";

const ok = (v: unknown, map?: FieldMap): PairRecord => {
  const r = pairFromRecord(v, map);
  assert.ok(r.ok, r.ok ? "" : r.reason);
  return r.record;
};
const reason = (v: unknown, map?: FieldMap): string => {
  const r = pairFromRecord(v, map);
  assert.ok(!r.ok, "expected the record to be rejected");
  return r.reason;
};
const user = (content: string) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });

describe("records: the published shapes", () => {
  for (const shape of PUBLISHED) {
    it(`${shape.name}: context, responses and label as the dataset means them`, () => {
      for (const c of shape.cases) {
        const r = ok(c.record, shape.map);
        assert.deepEqual(r.prompt, c.context, `${c.what}: context`);
        assert.deepEqual(r.responses, c.responses, `${c.what}: responses`);
        assert.equal(r.label, c.label, `${c.what}: label`);
        assert.deepEqual(carriedFields(c.record, shape.map), c.carried, `${c.what}: carried fields`);
      }
    });
  }

  it("no response ever reaches the context, for any published shape", () => {
    for (const shape of PUBLISHED)
      for (const c of shape.cases) {
        const r = ok(c.record, shape.map);
        const context = typeof r.prompt === "string" ? [r.prompt] : r.prompt.map((m) => m.content);
        for (const response of r.responses)
          assert.ok(!context.some((t) => t.includes(response)), `${shape.name}, ${c.what}: ${JSON.stringify(response)} is in the context`);
      }
  });
});

describe("records: rules", () => {
  it("plain pairs with a label and an id", () => {
    assert.deepEqual(ok({ id: 7, prompt: "p", response1: "a", response2: "b", label: 2 }), {
      prompt: "p", responses: ["a", "b"], label: 2, preference: false, id: "7",
    });
  });

  it("labels: 1/2, a/b, model_a/model_b, response_a/response_b, response1/response2 and ties, in numbers or strings", () => {
    const label = (v: unknown) => ok({ prompt: "p", response1: "a", response2: "b", label: v }).label;
    for (const v of [1, "1", "a", "A", "model_a", "response_a", "response1", "Response 1"]) assert.equal(label(v), 1, JSON.stringify(v));
    for (const v of [2, "2", "b", "B", "model_b", "response_b", "response2"]) assert.equal(label(v), 2, JSON.stringify(v));
    for (const v of ["tie", "tie (bothbad)", "Tie", 0, "0"]) assert.equal(label(v), "tie", JSON.stringify(v));
    assert.equal(ok({ prompt: "p", response1: "a", response2: "b", winner: "model_b" }).label, 2);
    assert.equal(ok({ prompt: "p", response1: "a", response2: "b" }).label, null);
    assert.match(reason({ prompt: "p", response1: "a", response2: "b", label: 3 }), /"label" must be 1 or 2 .*got 3/);
    assert.match(reason({ prompt: "p", response1: "a", response2: "b", label: true }), /"label" must be a label/);
    assert.match(reason({ prompt: "p", response_0: "a", response_1: "b", better_response_id: 2 }), /"better_response_id" must be 0 or 1/);
    assert.match(reason({ context: [user("q")], response1: "a", response2: "b", overall_preference: "-1" }), /"overall_preference" must be a number/);
  });

  it("a messages field that repeats one side is not context, with text or conversation responses", () => {
    const asText = ok({ prompt: "2+2?", chosen: "4", rejected: "5", messages: [user("2+2?"), assistant("4")] });
    assert.deepEqual([asText.prompt, asText.responses], [[user("2+2?")], ["4", "5"]]);
    const asLists = ok({ chosen: [user("2+2?"), assistant("4")], rejected: [user("2+2?"), assistant("5")], messages: [user("2+2?"), assistant("4")] });
    assert.deepEqual([asLists.prompt, asLists.responses], [[user("2+2?")], ["4", "5"]]);
  });

  it("the shared turns are the context; fields that disagree with them are an error, not a guess", () => {
    assert.match(
      reason({ prompt: "Another question?", chosen: [user("2+2?"), assistant("4")], rejected: [user("2+2?"), assistant("5")] }),
      /"prompt" does not match the turns "chosen" and "rejected" share/,
    );
    assert.match(
      reason({ messages: [user("other")], chosen: [user("2+2?"), assistant("4")], rejected: [user("2+2?"), assistant("5")] }),
      /"messages" does not match/,
    );
    assert.match(reason({ chosen: [user("q"), assistant("a")], rejected: [user("q"), assistant("a")] }), /"chosen" and "rejected" are the same conversation/);
    assert.match(reason({ chosen: [user("q"), assistant("a")], rejected: [user("q")] }), /"rejected" has nothing after the turns both responses share/);
    assert.match(reason({ chosen: [user("q"), assistant("a")], rejected: [user("q"), assistant(" ")] }), /"rejected" ends with an empty assistant message/);
    assert.match(reason({ chosen: [user("q"), assistant("a")], rejected: [user("r"), assistant("b")] }), /missing "prompt"/);
  });

  it("chat context from messages (OpenAI) or conversations (ShareGPT); a text `context` is a passage, carried, not the conversation", () => {
    const a = ok({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "2+2?" }], response1: "4", response2: "5" });
    assert.deepEqual(a.prompt, [user("hi"), assistant("hello"), user("2+2?")]);
    const b = ok({ conversations: [{ from: "human", value: "2+2?" }], chosen: "4", rejected: "5" });
    assert.deepEqual(b.prompt, [user("2+2?")]);
    const rag = { context: "Paris is the capital of France.", question: "Capital of France?", response_a: "Paris", response_b: "Lyon" };
    assert.equal(ok(rag).prompt, "Capital of France?");
    assert.deepEqual(carriedFields(rag), { context: "Paris is the capital of France." });
  });

  it("a transcript prompt (Human:/Assistant:) is read as turns", () => {
    const r = ok({ prompt: "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: 2+2?\n\nAssistant:", chosen: " 4", rejected: " 5" });
    assert.deepEqual(r.prompt, [user("Hi"), assistant("Hello!"), user("2+2?")]);
  });

  it("--map points the canonical parts at other fields; mapped fields are not carried", () => {
    const record = { uid: "x1", question: "2+2?", answer_a: "4", answer_b: "5", verdict: "A", extra: 1 };
    const map = { prompt: "question", response1: "answer_a", response2: "answer_b", label: "verdict", id: "uid" };
    assert.deepEqual(ok(record, map), { prompt: "2+2?", responses: ["4", "5"], label: 1, preference: false, id: "x1" });
    assert.deepEqual(carriedFields(record, map), { extra: 1 });
    assert.match(reason({ q: "x", answer_a: "4", answer_b: "5" }, { prompt: "question", response1: "answer_a", response2: "answer_b" }), /missing "question"/);
  });

  it("parses --map and says what is wrong with a bad one", () => {
    assert.deepEqual(parseFieldMap("prompt=question, response1=answer_a,response2=answer_b,label=winner,id=uid"), {
      prompt: "question", response1: "answer_a", response2: "answer_b", label: "winner", id: "uid",
    });
    assert.match(parseFieldMap("context=foo") as string, /"context" cannot be mapped; map any of prompt, response1, response2, label, id/);
    assert.match(parseFieldMap("prompt") as string, /not canonical=field/);
    assert.match(parseFieldMap("prompt=a,prompt=b") as string, /mapped twice/);
    assert.match(parseFieldMap("response1=a") as string, /map both response1 and response2/);
  });

  it("bad records name the problem and the expected shapes", () => {
    assert.match(reason({ prompt: "p", response1: "a" }), /missing "response2".*records need prompt\/response1\/response2/);
    assert.match(reason({ prompt: "p", response1: "a", response2: "  " }), /"response2" is empty/);
    assert.match(reason({ prompt: "p", response1: 3, response2: "b" }), /"response1" must be text or a list of messages, got number/);
    assert.match(reason({ prompt: "", response1: "a", response2: "b" }), /"prompt" is empty/);
    assert.match(reason([1, 2]), /expected a JSON object/);
    assert.match(reason({ messages: [{ role: "wizard", content: "x" }], response1: "a", response2: "b" }), /no known role/);
  });
});
