// The pure helpers behind "Compare Responses" on JSON and diagnostics on quoted text. They run
// here with the rest of the extension's tests; they need no editor.

import assert from "node:assert/strict";
import { firstLineSpan, issueSpan, quotedPassages } from "../../../src/extension/issueSpans";
import { decodedOffsets, recordAt, type TextRegion } from "../../../src/extension/jsonRecords";

/** The document text a region's decoded-text span covers. */
function docText(text: string, r: TextRegion, start: number, end: number): string {
  const at = (i: number) => (r.offsets ? r.offsets[i] : r.start + i);
  return text.slice(at(start), at(end));
}

describe("jsonRecords", () => {
  it("decodedOffsets maps escapes back to the literal", () => {
    const literal = String.raw`"a\"b\n\u00e9c"`;
    const decoded = JSON.parse(literal) as string;
    const offsets = decodedOffsets(literal);
    assert.equal(offsets.length, decoded.length + 1);
    assert.equal(literal.slice(offsets[0], offsets[1]), "a");
    assert.equal(literal.slice(offsets[1], offsets[2]), String.raw`\"`);
    assert.equal(literal.slice(offsets[3], offsets[4]), String.raw`\n`);
    assert.equal(literal.slice(offsets[4], offsets[5]), String.raw`\u00e9`);
    assert.equal(literal.slice(offsets[5], offsets[6]), "c");
    assert.equal(offsets[6], literal.length - 1);
  });

  it("a lone JSON object: the record and the ranges of its strings", () => {
    const text = JSON.stringify({ prompt: "Q?", response1: 'He said "hi"\nthen left', response2: "Café" }, null, 2);
    const found = recordAt(text, text.indexOf("response2"), "json");
    assert.ok(found.ok, JSON.stringify(found));
    const { hit } = found;
    assert.deepEqual(hit.pair, { prompt: "Q?", response1: 'He said "hi"\nthen left', response2: "Café" });
    assert.equal(hit.where, "");
    assert.equal(text.slice(hit.regions.response1.start, hit.regions.response1.end), String.raw`He said \"hi\"\nthen left`);
    assert.equal(docText(text, hit.regions.response1, 9, 11), "hi");
    assert.equal(docText(text, hit.regions.response1, 13, 17), "then");
    assert.equal(text.slice(hit.regions.prompt!.start, hit.regions.prompt!.end), "Q?");
  });

  it("an array of records: the one around the cursor", () => {
    const records = [0, 1, 2].map((i) => ({ question: `q${i}`, response_a: `a${i}`, response_b: `b${i}`, winner: "model_b" }));
    const text = JSON.stringify(records, null, 2);
    const found = recordAt(text, text.indexOf('"a1"'), "json");
    assert.ok(found.ok);
    assert.equal(found.hit.where, "record 2");
    assert.deepEqual(found.hit.pair, { prompt: "q1", response1: "a1", response2: "b1" });
    assert.equal(found.hit.record.label, 2);
  });

  it("JSONL: the record of the cursor's line, preference data and chat context", () => {
    const lines = [
      JSON.stringify({ prompt: "p0", chosen: "good", rejected: "bad" }),
      JSON.stringify({ messages: [{ role: "user", content: "hello" }, { role: "assistant", content: "hi!" }, { role: "user", content: "2+2?" }], response1: "4", response2: "5" }),
      "",
    ];
    const text = lines.join("\n");
    const first = recordAt(text, 3, "jsonl");
    assert.ok(first.ok);
    assert.deepEqual(first.hit.pair, { prompt: "p0", response1: "good", response2: "bad" });
    assert.equal(first.hit.record.label, 1);
    assert.equal(first.hit.where, "line 1");
    const second = recordAt(text, lines[0].length + 5, "jsonl");
    assert.ok(second.ok);
    assert.equal(second.hit.where, "line 2");
    assert.equal(text.slice(second.hit.regions.prompt!.start, second.hit.regions.prompt!.end), "2+2?", "the prompt range is the last user message");
    assert.equal(text.slice(second.hit.regions.response2.start, second.hit.regions.response2.end), "5");
    const blank = recordAt(text, text.length, "jsonl");
    assert.ok(!blank.ok);
    assert.match(blank.reason, /line 3 is empty/);
  });

  it("says why there is no record", () => {
    const bad = recordAt('{"prompt": "x", "response1": ', 3, "json");
    assert.ok(!bad.ok);
    assert.match(bad.reason, /not valid JSON/);
    const wrong = recordAt('{"title": "x"}', 3, "json");
    assert.ok(!wrong.ok);
    assert.match(wrong.reason, /records need/);
  });
});

describe("issueSpans", () => {
  it("finds the quoted passage in the response, longest quote first, any quote style", () => {
    const response = "Paris is the capital of Germany. It has 2 million people.";
    assert.deepEqual(issueSpan('Claims "Paris is the capital of Germany", which is false.', response), { start: 0, end: 31 });
    assert.deepEqual(issueSpan("States “2 million people” without a source", response), { start: 40, end: 56 });
    assert.deepEqual(issueSpan("Says `capital of germany`", response), { start: 13, end: 31 });
    assert.equal(issueSpan("The response doesn't cite sources", response), undefined, "an apostrophe is no quote");
    assert.equal(issueSpan('Mentions "Berlin" but never explains', response), undefined);
    assert.deepEqual(quotedPassages(`Wrong: "a b" and "a longer one"`), ["a longer one", "a b"]);
  });

  it("the first non-blank line when nothing is quoted", () => {
    assert.deepEqual(firstLineSpan("\n\n  first line  \nsecond"), { start: 4, end: 14 });
    assert.deepEqual(firstLineSpan("one"), { start: 0, end: 3 });
  });
});
