// The paper's evaluation prompts (YzjiaoNvd/BR-RM, brrm_environment.py) as `--prompts paper`
// fills them: the context between its markers, the responses as format_unified_analysis_prompt
// writes them, turn 2 as SCORING_STAGE_PROMPT; and an answer in that format parses.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJudgment } from "../../src/core/parse";
import { buildPrompts, PAPER_TEMPLATES, validateTemplates } from "../../src/core/prompts";

describe("the paper's prompts", () => {
  it("fill the context and responses as the paper's code formats them", () => {
    const { turn1, turn2 } = buildPrompts({ prompt: [{ role: "user", content: "Hi?" }, { role: "assistant", content: "Hello." }, { role: "user", content: "2+2?" }], response1: "4", response2: "5" }, PAPER_TEMPLATES);
    assert.deepEqual(validateTemplates(PAPER_TEMPLATES), []);
    assert.ok(turn1.startsWith("You are a response quality evaluator. Given the context of the conversation (the last turn is the User's query) and two responses from the Assistant,"));
    // context = f"[The Begin of Context]\n{context}\n[The End of Context]\n", then "\n\n**Responses:**\n{responses}\n\n**Output Format:**"
    assert.ok(turn1.includes("**Context:** \n[The Begin of Context]\nUser: Hi?\nAssistant: Hello.\nUser: 2+2?\n[The End of Context]\n\n\n**Responses:**\n[The Begin of Response 1]\n4\n[The End of Response 1]\n\n[The Begin of Response 2]\n5\n[The End of Response 2]\n\n\n**Output Format:**\n"));
    assert.ok(turn1.endsWith("- Critical Issues: [Same format as above]\n[End of Quality Analysis for Response 2]"));
    assert.ok(turn2.startsWith("You are making final comparative judgments using established evaluation priorities. You have the conversation context, two responses to compare, and a detailed quality analysis from a previous evaluation. \nBefore scoring, analyze step by step."));
    assert.ok(turn2.endsWith("[The Begin of Ranking Score]\n\\boxed{1 or 2} (response that better meets the appropriate evaluation hierarchy)\n[The End of Ranking Score]\n"));
    assert.ok(!turn2.includes("{context}") && !turn2.includes("4\n"), "turn 2 does not repeat the responses");
  });

  it("an answer in the paper's format parses into dimensions, issues and a verdict", () => {
    const t1 = "[Quality Assessment Focus]\nComputational Precision\n[End of Quality Assessment Focus]\n\n[Quality Analysis for Response 1]\n- Critical Issues: None identified\n[End of Quality Analysis for Response 1]\n\n[Quality Analysis for Response 2]\n- Critical Issues:\n  * Computational Precision: 2+2 is 4, not 5\n[End of Quality Analysis for Response 2]";
    const t2 = "[The Begin of Analysis on Response 1]\nCorrect.\n[The End of Analysis on Response 1]\n\n[The Begin of Analysis on Response 2]\nWrong sum.\n[The End of Analysis on Response 2]\n\n[The Begin of Ranking Score]\n\\boxed{1}\n[The End of Ranking Score]";
    const j = parseJudgment(t1, t2);
    assert.equal(j.verdict, 1);
    assert.deepEqual(j.dimensions, ["Computational Precision"]);
    assert.equal(j.issues.response1.length, 0);
    assert.match(j.issues.response2.join(" "), /2\+2 is 4, not 5/);
  });
});
