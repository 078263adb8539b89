// The port the flow needs from an engine: a conversation that takes turns, streams, and stops
// when asked. backends/ implement it; core never imports an engine.

import type { ComputeChoice } from "./gpuChoice";
import type { BackendKind, TurnUsage } from "./judgment";
import type { Sampling } from "./sampling";

export type ChunkKind = "thought" | "answer";

export interface TurnRequest {
  /** The next user message of the conversation. */
  user: string;
  sampling: Sampling;
  /** A GBNF grammar the whole reply must follow (constrained mode). */
  grammar?: string;
  signal?: AbortSignal;
  /** Streamed text as it is generated; `tokens` is how many tokens it took (1 where unknown). */
  onChunk?: (kind: ChunkKind, text: string, tokens: number) => void;
}

export interface TurnResult {
  /** The model's thinking, when the engine reports it apart from the answer. */
  thought: string;
  /** The reply as the model wrote it (it may still hold inline `<think>` blocks). */
  answer: string;
  usage: TurnUsage;
  /** What the engine noticed that a reader of the judgment should know (e.g. a grammar ignored). */
  warnings?: string[];
}

/**
 * One judge conversation. Each turn sees the previous turns: the backend keeps the history
 * (and, where it can, the KV cache) between them.
 */
export interface Conversation {
  turn(request: TurnRequest): Promise<TurnResult>;
  dispose(): void;
}

export interface JudgeBackend {
  readonly kind: BackendKind;
  /** The model identity shown to users and stored with results. */
  readonly modelName: string;
  /** The llama.cpp build a local model runs on, and why no better one (absent for endpoints). */
  readonly compute?: ComputeChoice;
  startConversation(signal?: AbortSignal): Promise<Conversation>;
  dispose(): Promise<void>;
}
