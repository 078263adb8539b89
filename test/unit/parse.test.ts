import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boxedValues, judgmentFromTranscript, parseDimensions, parseIssues, parseJudgment, splitThinking } from "../../src/core/parse";
import { MARKDOWN_TURN1, MARKDOWN_TURN2 } from "../support/transcripts";

// A clean transcript in the model card's format, as BR-RM writes it.
const TURN1 = `<think>
The user asks for 2+2. Response 1 says 4, Response 2 says 5. Accuracy matters most.
A decoy inside thinking: [Quality Assessment Focus] Safety Awareness [End of Quality Assessment Focus]
</think>

[Quality Assessment Focus]
Computational Precision, Information Accuracy
[End of Quality Assessment Focus]

[Quality Analysis for Response 1]
- Critical Issues: None identified
[End of Quality Analysis for Response 1]

[Quality Analysis for Response 2]
- Critical Issues:
  - States that 2+2 equals 5, which is arithmetically wrong.
  - Gives no working to check.
[End of Quality Analysis for Response 2]`;

const TURN2 = `<think>
Accuracy-critical task. I might say \\boxed{2} here but no.
</think>

[The Begin of Analysis on Response 1]
Correct answer (4), stated plainly. Correctness > Process > Presentation is satisfied.
[The End of Analysis on Response 1]

[The Begin of Analysis on Response 2]
Incorrect: 2+2 is not 5.
[The End of Analysis on Response 2]

[The Begin of Ranking Score]
\\boxed{1}
[The End of Ranking Score]`;

const withTurn2 = (answer: string) => parseJudgment(TURN1, answer);

describe("parser: a clean model-card transcript", () => {
  const j = parseJudgment(TURN1, TURN2);
  it("gives the verdict, dimensions, issues and analysis with no warnings", () => {
    assert.equal(j.verdict, 1);
    assert.equal(j.error, null);
    assert.deepEqual(j.dimensions, ["Computational Precision", "Information Accuracy"]);
    assert.deepEqual(j.issues.response1, []);
    assert.deepEqual(j.issues.response2, ["States that 2+2 equals 5, which is arithmetically wrong.", "Gives no working to check."]);
    assert.match(j.analysis.response1, /^Correct answer \(4\)/);
    assert.equal(j.analysis.response2, "Incorrect: 2+2 is not 5.");
    assert.deepEqual(j.warnings, []);
  });
  it("keeps the thinking apart, decoys inside it ignored", () => {
    assert.match(j.thinking.turn1, /Accuracy matters most/);
    assert.ok(!j.dimensions.includes("Safety Awareness"));
    assert.match(j.thinking.turn2, /I might say/);
  });
  it("assembles the Judgment contract in its field order", () => {
    const full = judgmentFromTranscript({ raw: { turn1: TURN1, turn2: TURN2 } });
    assert.deepEqual(Object.keys(full), ["verdict", "dimensions", "issues", "analysis", "thinking", "raw", "warnings", "error", "usage", "model", "backend"]);
    assert.equal(full.raw.turn2, TURN2);
    assert.equal(full.backend, null);
  });
});

describe("parser: a transcript written in markdown", () => {
  const j = parseJudgment(MARKDOWN_TURN1, MARKDOWN_TURN2);
  it("keeps the markdown of issues and analyses whole for the views to render", () => {
    assert.deepEqual(j.dimensions, ["Computational Precision", "Information Accuracy"]);
    assert.deepEqual(j.issues.response2, ["**Wrong arithmetic**: states that 2+2=5.", "Gives *no* working, so the `5` cannot be checked."]);
    assert.match(j.analysis.response1, /^\*\*Accuracy-Critical\*\* hierarchy: .*\n1\. \*\*Correctness\*\*: 2\+2=4 is \*checked\* and right\.\n2\. /);
    assert.equal(j.verdict, 1);
    assert.deepEqual(j.warnings, []);
  });
});

describe("parser: thinking", () => {
  it("an unterminated <think> means everything after it is thinking", () => {
    const s = splitThinking("<think>\nlet me see [The Begin of Ranking Score] \\boxed{1}");
    assert.equal(s.answer, "");
    assert.equal(s.unterminated, true);
    assert.match(s.thinking, /let me see/);
  });
  it("a </think> without an opening tag closes thinking that the template opened", () => {
    const s = splitThinking("reasoning here\n</think>\n\nthe answer");
    assert.equal(s.thinking, "reasoning here");
    assert.equal(s.answer, "the answer");
  });
  it("turn 2 cut off inside its thinking has no verdict and says why", () => {
    const j = withTurn2("<think>\nWeighing both responses... \\boxed{1}");
    assert.equal(j.verdict, null);
    assert.equal(j.error?.code, "NO_VERDICT");
    assert.match(j.error!.message, /max-tokens/);
  });
  it("a verdict boxed only inside thinking is an error, not a verdict", () => {
    const j = withTurn2("<think>\nSo \\boxed{2}.\n</think>\n\nI prefer the second one.");
    assert.equal(j.verdict, null);
    assert.equal(j.error?.code, "VERDICT_ONLY_IN_THINKING");
  });
});

describe("parser: section headers", () => {
  it("accepts markdown emphasis and heading marks, CRLF, blank lines and text around", () => {
    const t1 = [
      "Here is my evaluation.",
      "",
      "## **[Quality Assessment Focus]**",
      "",
      "**Logical Reasoning**",
      "**[End of Quality Assessment Focus]**",
      "",
      "### [Quality Analysis for Response 2]",
      "- **Critical Issues:** The proof skips the base case.",
      "### [End of Quality Analysis for Response 2]",
      "**[quality analysis for response 1]**",
      "- critical issues: none identified.",
      "**[end of quality analysis for response 1]**",
      "That is all.",
    ].join("\r\n");
    const t2 = "Final:\r\n\r\n**[The Begin of Ranking Score]**\r\n\\boxed{Response 2}\r\n**[The End of Ranking Score]**\r\n";
    const j = parseJudgment(t1, t2);
    assert.deepEqual(j.dimensions, ["Logical Reasoning"]);
    assert.deepEqual(j.issues.response1, []);
    assert.deepEqual(j.issues.response2, ["The proof skips the base case."]);
    assert.equal(j.verdict, 2);
    assert.deepEqual(j.warnings, []);
  });
  it("a section without its end marker runs to the next header, with a warning", () => {
    const t1 = TURN1.replace("[End of Quality Analysis for Response 1]", "");
    const j = parseJudgment(t1, TURN2);
    assert.deepEqual(j.issues.response1, []);
    assert.equal(j.issues.response2.length, 2);
    assert.equal(j.warnings.length, 1);
    assert.match(j.warnings[0], /Quality Analysis for Response 1\] has no end marker/);
  });
  it("a section cut off at the end of the answer runs to the end, with a warning", () => {
    const j = withTurn2("[The Begin of Analysis on Response 1]\nGood.\n[The End of Analysis on Response 1]\n[The Begin of Ranking Score]\n\\boxed{1}");
    assert.equal(j.verdict, 1);
    assert.match(j.warnings.join("\n"), /Ranking Score\] has no end marker/);
  });
  it("where a section appears twice, the last one counts", () => {
    const t1 = `[Quality Assessment Focus]\nSafety Awareness\n[End of Quality Assessment Focus]\n\n${TURN1}`;
    assert.deepEqual(parseJudgment(t1, TURN2).dimensions, ["Computational Precision", "Information Accuracy"]);
    const t2 = `${TURN2}\n\nOn reflection:\n[The Begin of Ranking Score]\n\\boxed{2}\n[The End of Ranking Score]`;
    assert.equal(withTurn2(t2).verdict, 2);
  });
});

describe("parser: dimensions", () => {
  it("splits on commas and lines, strips bullets, numbers, emphasis, punctuation; canonical spelling; no duplicates", () => {
    const w: string[] = [];
    const dims = parseDimensions("1. **logical reasoning**;\n- INSTRUCTION ADHERENCE.\n* Logical Reasoning, communication clarity", w);
    assert.deepEqual(dims, ["Logical Reasoning", "Instruction Adherence", "Communication Clarity"]);
    assert.deepEqual(w, []);
  });
  it("drops unknown names with a warning", () => {
    const w: string[] = [];
    assert.deepEqual(parseDimensions("Creativity, Safety Awareness", w), ["Safety Awareness"]);
    assert.deepEqual(w, ['Unknown quality dimension dropped: "Creativity".']);
  });
  it("keeps more than three with a warning", () => {
    const w: string[] = [];
    const dims = parseDimensions("Information Accuracy, Computational Precision, Logical Reasoning, Response Completeness", w);
    assert.equal(dims.length, 4);
    assert.match(w[0], /4 dimensions/);
  });
  it("a missing focus section gives no dimensions and a warning", () => {
    const w: string[] = [];
    assert.deepEqual(parseDimensions(null, w), []);
    assert.match(w[0], /no \[Quality Assessment Focus\]/);
  });
});

describe("parser: critical issues", () => {
  for (const none of ["- Critical Issues: None identified", "- Critical Issues: none identified.", "- Critical Issues:\n  - None identified", 'Critical Issues: "None identified"'])
    it(`"${none.replace(/\n/g, "\\n")}" is an empty list`, () => assert.deepEqual(parseIssues(none), []));
  it("inline text and each bullet or numbered line are one entry each", () => {
    assert.deepEqual(parseIssues("- Critical Issues: Wrong total.\n  1. Uses 3.14 for pi\n  2) Rounds too early\n  - Ignores units"), [
      "Wrong total.",
      "Uses 3.14 for pi",
      "Rounds too early",
      "Ignores units",
    ]);
  });
  it("a wrapped line continues the issue above it", () => {
    assert.deepEqual(parseIssues("- Critical Issues:\n  - The loop never ends when\n    the list is empty."), ["The loop never ends when the list is empty."]);
  });
  it("keeps emphasis whole: an issue that starts in bold keeps both ** (the views render it)", () => {
    assert.deepEqual(parseIssues("- Critical Issues:\n  - **Wrong arithmetic**: states that 2+2=5.\n  - States *twice* that `x` is `y`."), [
      "**Wrong arithmetic**: states that 2+2=5.",
      "States *twice* that `x` is `y`.",
    ]);
    assert.deepEqual(parseIssues("- Critical Issues: **Wrong arithmetic**: 2+2=5 is **false**"), ["**Wrong arithmetic**: 2+2=5 is **false**"]);
  });
  it("drops emphasis that wraps a whole issue", () => {
    assert.deepEqual(parseIssues("- Critical Issues:\n  - **No working shown.**\n  - _Too terse_\n  - `rm -rf /` is unsafe"), ["No working shown.", "Too terse", "`rm -rf /` is unsafe"]);
  });
  it("keeps quotes inside an issue (diagnostics use them to find the span)", () => {
    assert.deepEqual(parseIssues('- Critical Issues: Claims "2+2=5".'), ['Claims "2+2=5".']);
  });
});

describe("parser: verdict", () => {
  const ranking = (inner: string) => `[The Begin of Ranking Score]\n${inner}\n[The End of Ranking Score]`;
  for (const [inner, verdict] of [["\\boxed{1}", 1], ["\\boxed{ 2 }", 2], ["\\boxed{Response 1}", 1], ["\\boxed{response 2}", 2], ["\\boxed{\\text{Response 2}}", 2]] as const)
    it(`${inner} gives ${verdict}`, () => {
      const j = withTurn2(ranking(inner));
      assert.equal(j.verdict, verdict);
      assert.equal(j.error, null);
    });
  it("the verdict is a JSON number", () => assert.equal(JSON.stringify({ v: withTurn2(ranking("\\boxed{2}")).verdict }), '{"v":2}'));
  for (const [inner, code] of [
    ["\\boxed{3}", "INVALID_VERDICT"],
    ["\\boxed{1 or 2}", "INVALID_VERDICT"],
    ["no box at all", "NO_VERDICT"],
    ["\\boxed{1} \\boxed{2}", "CONFLICTING_VERDICTS"],
  ] as const)
    it(`${inner} gives verdict null and ${code}`, () => {
      const j = withTurn2(ranking(inner));
      assert.equal(j.verdict, null);
      assert.equal(j.error?.code, code);
      assert.ok(j.error!.message.length > 10);
    });
  it("without a Ranking Score section, one boxed value outside thinking is accepted with a warning", () => {
    const j = withTurn2("Both are fine but the first is right. \\boxed{1} Final answer: \\boxed{1}");
    assert.equal(j.verdict, 1);
    assert.match(j.warnings.join("\n"), /no \[Ranking Score\] section/);
  });
  it("without a Ranking Score section, two different boxed values are an error", () => {
    assert.equal(withTurn2("\\boxed{1} ... actually \\boxed{2}").error?.code, "CONFLICTING_VERDICTS");
  });
  it("boxed values keep nested braces", () => assert.deepEqual(boxedValues("\\boxed{\\text{1}} and \\boxed{2}"), ["\\text{1}", "2"]));
});

describe("parser: reordered and truncated output", () => {
  it("the two response sections in either order", () => {
    const t2 = `[The Begin of Analysis on Response 2]\nWeak.\n[The End of Analysis on Response 2]\n[The Begin of Analysis on Response 1]\nStrong.\n[The End of Analysis on Response 1]\n[The Begin of Ranking Score]\n\\boxed{1}\n[The End of Ranking Score]`;
    const j = withTurn2(t2);
    assert.deepEqual(j.analysis, { response1: "Strong.", response2: "Weak." });
    assert.deepEqual(j.warnings, []);
  });
  it("turn 1 cut off mid-issue keeps what came, warns about what is missing", () => {
    const j = parseJudgment("[Quality Assessment Focus]\nLogical Reasoning\n[End of Quality Assessment Focus]\n\n[Quality Analysis for Response 1]\n- Critical Issues:\n  - The argument assumes", TURN2);
    assert.deepEqual(j.dimensions, ["Logical Reasoning"]);
    assert.deepEqual(j.issues.response1, ["The argument assumes"]);
    assert.match(j.warnings.join("\n"), /no end marker/);
    assert.match(j.warnings.join("\n"), /no \[Quality Analysis for Response 2\]/);
    assert.equal(j.verdict, 1);
  });
});
