// The parser under fuzzing: random text, and real-looking transcripts mutated the ways model
// output goes wrong (cut, duplicated, reordered, markers and thinking and verdicts dropped in
// anywhere). It must never throw, never take a verdict from thinking, and always return a
// Judgment that keeps the JSON contract.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DIMENSIONS, type Judgment } from "../../src/core/judgment";
import { boxedValues, judgmentFromTranscript, PARSED_MARKERS, verdictOf } from "../../src/core/parse";
import { MARKDOWN_TURN1 as TURN1, MARKDOWN_TURN2 as TURN2 } from "../support/transcripts";

/** Pieces real output is made of, to drop in anywhere. */
const FRAGMENTS = [
  ...PARSED_MARKERS,
  "<think>",
  "</think>",
  "\\boxed{1}",
  "\\boxed{2}",
  "\\boxed{Response 2}",
  "\\boxed{3}",
  "\\boxed{",
  "}",
  "{",
  "\r\n",
  "\n",
  "**",
  "## ",
  "- Critical Issues:",
  "- ",
  "None identified",
  "Logical Reasoning",
  "Safety Awareness, Creativity",
  "[",
  "]",
  "[The Begin of",
  "\u0000",
  "\uFFFD",
  "😀",
];

const fragment = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 20 }));

type Mutation = { kind: "insert" | "delete" | "duplicate" | "cut"; at: number; len: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("insert", "delete", "duplicate", "cut"),
  at: fc.nat(),
  len: fc.nat({ max: 120 }),
  text: fragment,
});

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === "insert") out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === "delete") out = out.slice(0, at) + out.slice(at + m.len);
    else if (m.kind === "duplicate") out = out.slice(0, at + m.len) + out.slice(at, at + m.len) + out.slice(at + m.len);
    else out = out.slice(0, at);
  }
  return out;
}

const transcript = (base: string) => fc.array(mutation, { maxLength: 8 }).map((ms) => mutate(base, ms));

/** The Judgment contract, checked field by field (what a results file or a view relies on). */
function assertValidJudgment(j: Judgment, raw: { turn1: string; turn2: string }): void {
  assert.deepEqual(Object.keys(j), ["verdict", "dimensions", "issues", "analysis", "thinking", "raw", "warnings", "error", "usage", "model", "backend"]);
  assert.ok(j.verdict === 1 || j.verdict === 2 || j.verdict === null, `verdict ${String(j.verdict)}`);
  assert.equal(j.verdict === null, j.error !== null, "a judgment has a verdict or an error, never both or neither");
  if (j.error) {
    assert.equal(typeof j.error.code, "string");
    assert.ok(j.error.message.length > 0);
  }
  assert.ok(Array.isArray(j.dimensions) && j.dimensions.length === new Set(j.dimensions).size);
  for (const d of j.dimensions) assert.ok((DIMENSIONS as readonly string[]).includes(d), d);
  for (const side of ["response1", "response2"] as const) {
    assert.ok(Array.isArray(j.issues[side]));
    for (const issue of j.issues[side]) assert.ok(typeof issue === "string" && issue.trim() === issue && issue.length > 0, JSON.stringify(issue));
    assert.equal(typeof j.analysis[side], "string");
  }
  assert.equal(typeof j.thinking.turn1, "string");
  assert.equal(typeof j.thinking.turn2, "string");
  assert.deepEqual(j.raw, raw);
  assert.ok(j.warnings.every((w) => typeof w === "string" && w.length > 0));
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j, "the judgment survives a JSON round trip");
}

function check(turn1: string, turn2: string): Judgment {
  const raw = { turn1, turn2 };
  const j = judgmentFromTranscript({ raw });
  assertValidJudgment(j, raw);
  return j;
}

describe("parser fuzzing", () => {
  it("random text in both turns: never throws, always a valid Judgment", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.string({ unit: "binary", maxLength: 3000 }), (a, b) => {
        check(a, b);
        check(b, a);
      }),
      { numRuns: 4000 },
    );
  });

  it("text made of the format's own pieces: never throws, always a valid Judgment", () => {
    const pieces = fc.array(fragment, { maxLength: 60 }).map((p) => p.join(""));
    fc.assert(fc.property(pieces, pieces, (a, b) => void check(a, b)), { numRuns: 5000 });
  });

  it("real transcripts mutated (cut, duplicated, pieces inserted): never throws, always a valid Judgment", () => {
    fc.assert(fc.property(transcript(TURN1), transcript(TURN2), (a, b) => void check(a, b)), { numRuns: 5000 });
  });

  it("never takes a verdict from thinking: a verdict is always a \\boxed{} outside every think block", () => {
    const clean = (s: string) => {
      let out = s;
      for (let prev = ""; prev !== out; ) [prev, out] = [out, out.replace(/<\/?think>/g, "")];
      return out;
    };
    const segment = fc.record({ thinking: fc.boolean(), text: fc.array(fragment, { maxLength: 12 }).map((p) => clean(p.join(""))) });
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), transcript(TURN2), (segments, base) => {
        // The turn as a model writes it: answer text with think blocks between (each closed).
        const answerOnly = segments.filter((s) => !s.thinking).map((s) => s.text);
        const turn2 = clean(base) + segments.map((s) => (s.thinking ? `<think>${s.text}</think>` : s.text)).join("");
        const j = check(TURN1, turn2);
        if (j.verdict === null) return;
        const answered = boxedValues(clean(base) + answerOnly.join("")).map(verdictOf);
        assert.ok(answered.includes(j.verdict), `verdict ${j.verdict} is not boxed in the answer: ${JSON.stringify(turn2)}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("a verdict boxed only inside thinking, with any answer around it that boxes none, gives no verdict", () => {
    const noBox = fc.string({ maxLength: 200 }).map((s) => s.replace(/\\boxed/g, "boxed").replace(/<\/?think>/g, ""));
    fc.assert(
      fc.property(noBox, fc.constantFrom("1", "2", "Response 1", "\\text{Response 2}"), noBox, (before, v, after) => {
        const j = check(TURN1, `${before}<think>so the verdict is \\boxed{${v}}</think>${after}`);
        assert.equal(j.verdict, null);
        assert.equal(j.error?.code, "VERDICT_ONLY_IN_THINKING");
      }),
      { numRuns: 3000 },
    );
  });
});
