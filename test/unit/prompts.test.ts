import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPrompts, DEFAULT_TEMPLATES, fillTemplate, formatContext, validateTemplates } from "../../src/core/prompts";

describe("prompts", () => {
  it("turn 1 is the model card's prompt with the context and both responses in place", () => {
    const { turn1, turn2 } = buildPrompts({ prompt: "What is 2+2?", response1: "2+2=4", response2: "2+2=5" });
    assert.ok(turn1.startsWith("You are a response quality evaluator."));
    assert.ok(turn1.includes("**Context:** \nWhat is 2+2?\n\n**Responses:**\n[The Begin of Response 1]\n2+2=4\n[The End of Response 1]"));
    assert.ok(turn1.includes("[The Begin of Response 2]\n2+2=5\n[The End of Response 2]"));
    assert.ok(turn2.endsWith("[The Begin of Ranking Score]\n\\boxed{1 or 2}\n[The End of Ranking Score]"));
    assert.equal(turn2, DEFAULT_TEMPLATES.turn2);
  });
  it("a conversation as context is written as User: / Assistant: lines", () => {
    assert.equal(
      formatContext([
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Add 2 and 2." },
      ]),
      "User: Hi\nAssistant: Hello!\nUser: Add 2 and 2.",
    );
  });
  it("fills placeholders once: a response that contains {response2} stays as written", () => {
    const out = fillTemplate("A={response1} B={response2} C={context}", { prompt: "p", response1: "x {response2} {context}", response2: "y" });
    assert.equal(out, "A=x {response2} {context} B=y C=p");
  });
  it("a custom template that never shows the model a response is rejected with the fix", () => {
    const problems = validateTemplates({ turn1: "Judge {context}: {response1}", turn2: "Verdict?" });
    assert.deepEqual(problems, ["The prompt templates never use {response2}: the model would not see it. Add {response2} to the turn-1 template."]);
    assert.deepEqual(validateTemplates(DEFAULT_TEMPLATES), []);
  });
});
