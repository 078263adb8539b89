// The turn-1 and turn-2 prompts, verbatim from the BR-RM model card (the model was trained on
// them), and the one place that fills their placeholders.

import type { ChatMessage, Pair } from "./judgment";

export interface PromptTemplates {
  turn1: string;
  turn2: string;
}

export const TURN1_TEMPLATE = `You are a response quality evaluator. Given the context and two responses, select the most important cognitive abilities and analyze critical issues.

**Context:** 
{context}

**Responses:**
[The Begin of Response 1]
{response1}
[The End of Response 1]

[The Begin of Response 2]
{response2}
[The End of Response 2]

**Output Format:**
[Quality Assessment Focus]
Choose 1-3 abilities: Information Accuracy, Computational Precision, Logical Reasoning, Implementation Capability, Safety Awareness, Response Completeness, Instruction Adherence, Communication Clarity.
[End of Quality Assessment Focus]

[Quality Analysis for Response 1]
- Critical Issues: [List specific issues or "None identified"]
[End of Quality Analysis for Response 1]

[Quality Analysis for Response 2]
- Critical Issues: [List specific issues or "None identified"]
[End of Quality Analysis for Response 2]`;

export const TURN2_TEMPLATE = `You are making final comparative judgments using established evaluation priorities.

**Evaluation Hierarchies:**
- **Accuracy-Critical**: Correctness > Process > Presentation 
- **Creative/Open-Ended**: User Intent > Content Quality > Creativity 
- **Instruction-Following**: Adherence > Content > Clarity

[The Begin of Analysis on Response 1]
[Apply appropriate evaluation hierarchy]
[The End of Analysis on Response 1]

[The Begin of Analysis on Response 2]
[Apply appropriate evaluation hierarchy]
[The End of Analysis on Response 2]

[The Begin of Ranking Score]
\\boxed{1 or 2}
[The End of Ranking Score]`;

export const DEFAULT_TEMPLATES: Readonly<PromptTemplates> = Object.freeze({
  turn1: TURN1_TEMPLATE,
  turn2: TURN2_TEMPLATE,
});

// The prompts of the paper's evaluation code (YzjiaoNvd/BR-RM,
// nemo_rl/environments/brrm_environment.py: UNIFIED_ANALYSIS_PROMPT with the context and the
// responses formatted as format_unified_analysis_prompt does, and SCORING_STAGE_PROMPT),
// verbatim, for reproducing the paper's benchmark figures (`brrm benchmark --prompts paper`).
export const PAPER_TURN1_TEMPLATE = `You are a response quality evaluator. Given the context of the conversation (the last turn is the User's query) and two responses from the Assistant, you should compare the difference of two model responses, select the most important cognitive abilities for this query, and analyze critical issues in each response.

**Context:** 
[The Begin of Context]
{context}
[The End of Context]


**Responses:**
[The Begin of Response 1]
{response1}
[The End of Response 1]

[The Begin of Response 2]
{response2}
[The End of Response 2]


**Output Format:**
[Quality Assessment Focus]
Choose 1-3 abilities: Information Accuracy, Computational Precision, Logical Reasoning, Implementation Capability, Safety Awareness, Response Completeness, Instruction Adherence, Communication Clarity.
[End of Quality Assessment Focus]

[Quality Analysis for Response 1]
- Critical Issues: [Focus on chosen abilities, list specific errors/concerns, or "None identified"]
  * Information Accuracy: factual errors, source reliability, misinformation
  * Computational Precision: calculation errors, formula mistakes, step validity
  * Logical Reasoning: conclusion correctness (CRITICAL), logical flaws, reasoning gaps
  * Implementation Capability: functional errors (CRITICAL), security issues, inefficiency
  * Safety Awareness: harmful content (CRITICAL), inappropriate refusals, bias
  * Instruction Adherence: constraint violations, format errors, requirement misses
  * Response Completeness: missing content, insufficient detail, incomplete coverage
[End of Quality Analysis for Response 1]

[Quality Analysis for Response 2]
- Critical Issues: [Same format as above]
[End of Quality Analysis for Response 2]`;

export const PAPER_TURN2_TEMPLATE = `You are making final comparative judgments using established evaluation priorities. You have the conversation context, two responses to compare, and a detailed quality analysis from a previous evaluation. 
Before scoring, analyze step by step. Different query types require different evaluation hierarchies. Please strictly follow the required output format.

**Evaluation Hierarchies:**
- **Accuracy-Critical** (factual, computational, technical): Correctness > Process > Presentation 
- **Creative/Open-Ended** (writing, discussion): User Intent > Content Quality > Creativity 
- **Instruction-Following** (constrained tasks): Adherence > Content > Clarity

#### Output Format Requirements ####
[The Begin of Analysis on Response 1]
[Apply appropriate evaluation hierarchy to the quality analysis findings]
[The End of Analysis on Response 1]

[The Begin of Analysis on Response 2]
[Apply appropriate evaluation hierarchy to the quality analysis findings]
[The End of Analysis on Response 2]

[The Begin of Ranking Score]
\\boxed{1 or 2} (response that better meets the appropriate evaluation hierarchy)
[The End of Ranking Score]
`;

export const PAPER_TEMPLATES: Readonly<PromptTemplates> = Object.freeze({
  turn1: PAPER_TURN1_TEMPLATE,
  turn2: PAPER_TURN2_TEMPLATE,
});

const PLACEHOLDERS = ["context", "response1", "response2"] as const;

/** A conversation as context is written as `User:` / `Assistant:` lines. */
export function formatContext(prompt: Pair["prompt"]): string {
  if (typeof prompt === "string") return prompt;
  return prompt.map((m) => `${roleLabel(m)}: ${m.content}`).join("\n");
}

function roleLabel(m: ChatMessage): string {
  return m.role === "user" ? "User" : m.role === "assistant" ? "Assistant" : "System";
}

/**
 * Fills `{context}`, `{response1}` and `{response2}` in one pass, so text inside a response
 * that looks like a placeholder is never substituted again.
 */
export function fillTemplate(template: string, pair: Pair): string {
  const values: Record<string, string> = {
    context: formatContext(pair.prompt),
    response1: pair.response1,
    response2: pair.response2,
  };
  return template.replace(/\{(context|response1|response2)\}/g, (_, name: string) => values[name]);
}

/**
 * Checks user-supplied templates: turn 1 must show the model the context and both responses,
 * or the judgment would be made blind.
 */
export function validateTemplates(t: PromptTemplates): string[] {
  return PLACEHOLDERS.filter((p) => !t.turn1.includes(`{${p}}`) && !t.turn2.includes(`{${p}}`)).map(
    (p) => `The prompt templates never use {${p}}: the model would not see it. Add {${p}} to the turn-1 template.`,
  );
}

export function buildPrompts(pair: Pair, templates: PromptTemplates = DEFAULT_TEMPLATES): { turn1: string; turn2: string } {
  return { turn1: fillTemplate(templates.turn1, pair), turn2: fillTemplate(templates.turn2, pair) };
}
