// The Judgment: the JSON contract that every view (panel, diagnostics, notebook, CLI, results
// file) shares. Changing a field here is a breaking change for saved results.

export const DIMENSIONS = [
  "Information Accuracy",
  "Computational Precision",
  "Logical Reasoning",
  "Implementation Capability",
  "Safety Awareness",
  "Response Completeness",
  "Instruction Adherence",
  "Communication Clarity",
] as const;

export type Dimension = (typeof DIMENSIONS)[number];
export type Verdict = 1 | 2;
export type BackendKind = "local" | "openai";

export interface TurnUsage {
  /** Tokens of the whole conversation sent for this turn (re-used + evaluated). */
  promptTokens: number;
  /** Tokens the model generated in this turn (thinking included). */
  generatedTokens: number;
  /** Prompt tokens served from the KV cache instead of being evaluated again. */
  cachedTokens: number;
  /** Wall time of the turn, first request to last token. */
  ms: number;
  /** Why generation stopped: "eos", "maxTokens", "abort", "stop" or what the server said. */
  stopReason: string;
}

export interface JudgmentError {
  code: string;
  message: string;
}

export interface Judgment {
  verdict: Verdict | null;
  dimensions: Dimension[];
  issues: { response1: string[]; response2: string[] };
  analysis: { response1: string; response2: string };
  thinking: { turn1: string; turn2: string };
  raw: { turn1: string; turn2: string };
  warnings: string[];
  error: JudgmentError | null;
  usage: { turn1: TurnUsage | null; turn2: TurnUsage | null };
  model: string;
  /** null for transcripts parsed without a model (`brrm parse`). */
  backend: BackendKind | null;
  /**
   * The model's own probability that Response 1 (as shown in this judgment's order) is better:
   * p("1") / (p("1") + p("2")) at the verdict digit after `\boxed{`. null when the engine gave
   * no probabilities there (a warning says why); absent in results written before it existed.
   */
  p?: number | null;
}

/** The probability the judge gave to the response it preferred (0.5..1), when it gave one. */
export function judgmentConfidence(j: Pick<Judgment, "verdict" | "p">): number | undefined {
  if (j.verdict === null || j.p === null || j.p === undefined) return undefined;
  return j.verdict === 1 ? j.p : 1 - j.p;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What the judge compares: a context (one prompt or a conversation) and two responses. */
export interface Pair {
  prompt: string | ChatMessage[];
  response1: string;
  response2: string;
}
