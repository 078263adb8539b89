// The result cache: a judgment is reused only for an identical request, that is the same pair
// in the same order, the same model, the same prompt templates and the same sampling (the
// constrained grammar and the sample number included). Core owns the key; where the entries
// live (a folder, the extension's storage) is the caller's choice behind JudgmentCache.

import type { Judgment, Pair } from "./judgment";
import type { PromptTemplates } from "./prompts";
import type { Sampling } from "./sampling";
import type { ThinkingMode } from "./grammar";

export interface JudgmentCache {
  get(key: string): Promise<Judgment | undefined>;
  put(key: string, judgment: Judgment): Promise<void>;
}

export interface CacheRequest {
  /** The pair as shown to the judge: the order is part of the key. */
  pair: Pair;
  /** Identifies the weights behind the backend, e.g. `local:<file>:<size>:<mtime>` or an endpoint and model. */
  model: string;
  templates: PromptTemplates;
  sampling: Sampling;
  constrained: ThinkingMode | false;
  /** Which of the K samples this is: without a seed, sample 2 must not reuse sample 1. */
  sample: number;
}

/** Bump when a change to the flow makes older cached judgments wrong to reuse. */
const CACHE_VERSION = 1;

/** The cache key: a SHA-256 hex digest of the request written with a fixed field order. */
export async function cacheKey(r: CacheRequest): Promise<string> {
  const s = r.sampling;
  const material = JSON.stringify([
    CACHE_VERSION,
    r.model,
    r.templates.turn1,
    r.templates.turn2,
    [s.temperature, s.topP, s.topK, s.maxTokens, s.seed ?? null],
    r.constrained,
    r.sample,
    r.pair.prompt,
    r.pair.response1,
    r.pair.response2,
  ]);
  // Web Crypto: the same in Node, the extension host and a browser, and keeps core free of node: imports.
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
