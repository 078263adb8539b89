// BR-RM's published benchmark figures, shown beside a run's own. Source: the model cards of
// nvidia/Qwen3-Nemotron-14B-BRRM and nvidia/Qwen3-Nemotron-8B-BRRM on Hugging Face and the paper
// (arXiv 2510.23596). The 8B model's per-section figures are not published: only its overall
// scores are. Percentages.

import type { BenchmarkId } from "./benchmarks";

export const PUBLISHED_SOURCE = "BR-RM model cards (nvidia/Qwen3-Nemotron-8B-BRRM, nvidia/Qwen3-Nemotron-14B-BRRM) and arXiv 2510.23596";

export const PUBLISHED_MODELS = ["8B", "14B"] as const;
export type PublishedModel = (typeof PUBLISHED_MODELS)[number];

export interface PublishedFigures {
  score: number;
  /** Figures by row name: RewardBench and RMB sections, RM-Bench levels and domains. */
  rows: Record<string, number>;
}

export const PUBLISHED: Record<BenchmarkId, Record<PublishedModel, PublishedFigures>> = {
  rewardbench: {
    "8B": { score: 91.0, rows: {} },
    "14B": { score: 92.1, rows: { Chat: 97.0, "Chat Hard": 82.4, Safety: 90.0, Reasoning: 98.8 } },
  },
  "rm-bench": {
    "8B": { score: 85.0, rows: {} },
    "14B": { score: 85.9, rows: { easy: 92.0, normal: 88.1, hard: 77.6, chat: 77.3, math: 92.6, code: 79.8, safety: 93.7 } },
  },
  rmb: {
    "8B": { score: 71.8, rows: {} },
    "14B": { score: 74.7, rows: { "BoN Helpfulness": 67.0, "Pairwise Helpfulness": 81.0, "BoN Harmlessness": 69.3, "Pairwise Harmlessness": 81.6 } },
  },
};
