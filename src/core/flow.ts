// The Branch-and-Rethink flow: turn 1 picks the dimensions and lists the issues, turn 2 (the
// next user message of the same conversation) rethinks and gives the verdict.

import type { ChunkKind, JudgeBackend, TurnResult } from "./backend";
import { defuseDelimiters } from "./delimiters";
import { CancelledError } from "./errors";
import { turn1Grammar, turn2Grammar, type ThinkingMode } from "./grammar";
import type { Judgment, Pair, TurnUsage } from "./judgment";
import { judgmentFromTranscript } from "./parse";
import { buildPrompts, DEFAULT_TEMPLATES, type PromptTemplates } from "./prompts";
import { withSamplingDefaults, type Sampling } from "./sampling";

export type Turn = 1 | 2;

export type FlowEvent =
  | { type: "turnStarted"; turn: Turn }
  | { type: "chunk"; turn: Turn; kind: ChunkKind; text: string; tokens: number }
  | { type: "turnFinished"; turn: Turn; usage: TurnUsage }
  | { type: "judgment"; judgment: Judgment };

export interface JudgeOptions {
  sampling?: Partial<Sampling>;
  /** Force the output format with a grammar; `thinking` says whether a think block may come first. */
  constrained?: boolean | { thinking: ThinkingMode };
  templates?: PromptTemplates;
  signal?: AbortSignal;
  onEvent?: (event: FlowEvent) => void;
}

/** The text of a turn as the model produced it, thinking written back inline. */
export function rawTurnText(r: TurnResult): string {
  return r.thought ? `<think>\n${r.thought.trim()}\n</think>\n\n${r.answer.trimStart()}` : r.answer;
}

export async function judge(pair: Pair, backend: JudgeBackend, options: JudgeOptions = {}): Promise<Judgment> {
  const { signal, onEvent } = options;
  const sampling = withSamplingDefaults(options.sampling);
  const templates = options.templates ?? DEFAULT_TEMPLATES;
  const defused = defuseDelimiters(pair, templates);
  const prompts = buildPrompts(defused.pair, templates);
  const constrained = options.constrained
    ? { thinking: typeof options.constrained === "object" ? options.constrained.thinking : ("optional" as const) }
    : undefined;
  const grammars = constrained && { 1: turn1Grammar(constrained), 2: turn2Grammar(constrained) };

  const throwIfCancelled = () => {
    if (signal?.aborted) throw new CancelledError();
  };
  throwIfCancelled();
  const conversation = await backend.startConversation(signal);
  try {
    const results: TurnResult[] = [];
    for (const turn of [1, 2] as const) {
      throwIfCancelled();
      onEvent?.({ type: "turnStarted", turn });
      const result = await conversation.turn({
        user: turn === 1 ? prompts.turn1 : prompts.turn2,
        sampling,
        grammar: grammars ? grammars[turn] : undefined,
        signal,
        onChunk: (kind, text, tokens) => onEvent?.({ type: "chunk", turn, kind, text, tokens }),
      });
      throwIfCancelled();
      onEvent?.({ type: "turnFinished", turn, usage: result.usage });
      results.push(result);
    }
    const [r1, r2] = results;
    const raw = { turn1: rawTurnText(r1), turn2: rawTurnText(r2) };
    const judgment = judgmentFromTranscript({
      raw,
      usage: { turn1: r1.usage, turn2: r2.usage },
      model: backend.modelName,
      backend: backend.kind,
    });
    const cutOff = results.flatMap((r, i) =>
      r.usage.stopReason === "maxTokens" ? [`Turn ${i + 1} stopped at the max-tokens limit (${sampling.maxTokens}); its answer may be cut off.`] : [],
    );
    const fromEngine = [...new Set(results.flatMap((r) => r.warnings ?? []))];
    judgment.warnings.unshift(...defused.warnings, ...fromEngine, ...cutOff);
    onEvent?.({ type: "judgment", judgment });
    return judgment;
  } finally {
    conversation.dispose();
  }
}
