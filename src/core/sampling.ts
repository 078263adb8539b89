// Sampling settings. Defaults are the model card's: temperature 1.0, top_p 0.95, top_k 20,
// at most 8192 new tokens per turn.

export interface Sampling {
  temperature: number;
  topP: number;
  topK: number;
  /** Most new tokens per turn (thinking included). */
  maxTokens: number;
  /** Fixed seed for reproducible sampling; undefined draws a random one. */
  seed?: number;
}

export const DEFAULT_SAMPLING: Readonly<Sampling> = Object.freeze({
  temperature: 1.0,
  topP: 0.95,
  topK: 20,
  maxTokens: 8192,
});

export function withSamplingDefaults(s: Partial<Sampling> = {}): Sampling {
  const out: Sampling = { ...DEFAULT_SAMPLING };
  for (const [k, v] of Object.entries(s)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}
