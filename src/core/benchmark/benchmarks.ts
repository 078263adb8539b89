// The public reward-model benchmarks `brrm benchmark` reproduces, the prompts it can judge them
// with, and the two ways of scoring them: `official`, as each benchmark's authors publish it,
// and `paper`, as BR-RM's public evaluation code (YzjiaoNvd/BR-RM, print_evaluation_results.py)
// computes it, less that code's two RM-Bench mistakes (an inverted correctness test, and records
// grouped by id alone although ids repeat across domains).

export const BENCHMARK_IDS = ["rewardbench", "rm-bench", "rmb"] as const;
export type BenchmarkId = (typeof BENCHMARK_IDS)[number];

export const SCORINGS = ["official", "paper"] as const;
export type Scoring = (typeof SCORINGS)[number];

/** `card`: the model card's prompts (the default everywhere); `paper`: the paper's evaluation prompts. */
export const PROMPT_SETS = ["card", "paper"] as const;
/** What a run was judged with: one of the prompt sets, or the user's own templates. */
export type PromptSet = (typeof PROMPT_SETS)[number] | "custom";

export const BENCHMARK_TITLES: Record<BenchmarkId, string> = { rewardbench: "RewardBench", "rm-bench": "RM-Bench", rmb: "RMB" };

const isBenchmarkId = (v: unknown): v is BenchmarkId => typeof v === "string" && (BENCHMARK_IDS as readonly string[]).includes(v);

export interface SampleSpec {
  /** Comparisons asked for (--sample N). */
  size: number;
  /** Comparisons in the whole benchmark (as read from the files). */
  of: number;
  seed: number;
}

/**
 * What every comparison's result carries (under `fields.benchmark`): the run's settings, so a
 * results file says how it was made, and where the scoring files the comparison.
 */
export interface BenchmarkTag {
  name: BenchmarkId;
  prompts: PromptSet;
  scoring: Scoring;
  sample: SampleSpec | null;
  /** RewardBench: the subset; RM-Bench: the domain (every safety-* is safety); RMB: the section. */
  stratum: string;
  /** The unit a score is kept for: a RewardBench comparison, an RM-Bench (domain, id) record, an RMB item. */
  item: string;
  /** RM-Bench: the chosen and the rejected response's style (0 concise, 1 detailed plain, 2 detailed markdown). */
  chosenStyle?: number;
  rejectedStyle?: number;
  /** RMB best-of-N: how many losers the best response must beat. */
  losers?: number;
  /** Where the record is: the file (relative to the input folder) and its 1-based position there. */
  file: string;
  index: number;
}

/** The settings of a run, the part of a tag every comparison of the run shares. */
export type RunSettings = Pick<BenchmarkTag, "name" | "prompts" | "scoring" | "sample">;

export const TAG_FIELD = "benchmark";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The tag of a result's fields, or undefined for a result that is not from `brrm benchmark`. */
export function tagOf(fields: Record<string, unknown>): BenchmarkTag | undefined {
  const t = fields[TAG_FIELD];
  if (!isObject(t) || !isBenchmarkId(t.name) || typeof t.stratum !== "string" || typeof t.item !== "string") return undefined;
  return t as unknown as BenchmarkTag;
}

/**
 * What a comparison without a decision (no verdict, an even vote, or orders that disagree after
 * a swap) is worth. RewardBench's generative-judge script counts it as a tie, half right; RM-Bench
 * and RMB compare rewards with a strict ">", so it is not a win; the paper's code counts it wrong.
 */
export function undecidedValue(benchmark: BenchmarkId, scoring: Scoring): number {
  return benchmark === "rewardbench" && scoring === "official" ? 0.5 : 0;
}

/** The scoring rules in words: `--help` and the reports say the same. */
export const SCORING_TEXT: Record<BenchmarkId, Record<Scoring, string>> = {
  rewardbench: {
    official:
      "accuracy per subset; each section (Chat, Chat Hard, Safety, Reasoning) is the mean of its subsets weighted by allenai/reward-bench's example counts (math-prm weighted to equal the code subsets together); the score is the mean of the sections; a comparison without a decision counts 0.5",
    paper: "each section is the plain mean over its comparisons (math pooled with code); the score is the mean of the sections; a comparison without a decision counts 0",
  },
  "rm-bench": {
    official:
      "per (domain, id) record a 3x3 matrix of chosen style against rejected style: hard = the upper triangle (chosen plainer), normal = the diagonal, easy = the lower triangle; per domain (chat, math, code, safety) the mean over records; each level the mean over domains; the score is the mean of easy, normal and hard; a comparison without a decision counts 0",
    paper: "the same as official (the paper's code, once its inverted correctness test and its grouping by id alone are fixed, computes RM-Bench's own figures); a comparison without a decision counts 0",
  },
  rmb: {
    official:
      "a pairwise item is right when its comparison is; a best-of-N item only when the best response beats every loser; sections Pairwise Helpfulness, Pairwise Harmlessness, BoN Helpfulness, BoN Harmlessness (from category_path) are means over their items; the score is the mean of the sections; a comparison without a decision counts 0",
    paper: "the same as official (the paper's code groups RMB items by category and uid and averages the four sections); a comparison without a decision counts 0",
  },
};
