// RewardBench v1 (allenai/reward-bench, the `filtered` split): one comparison per record, scored
// per subset and per section. The subset lists and the example counts the sections are weighted
// by are allenai/reward-bench's (rewardbench/constants.py: SUBSET_MAPPING, EXAMPLE_COUNTS).

import type { Scoring } from "./benchmarks";
import { carriedFields, idField, isObject, textField, type BenchmarkRecords, type Expansion } from "./comparisons";
import { meanOf, proportion, weightedMean, type Estimate } from "./estimate";
import type { BenchmarkScorer, ScoreTable } from "./scoreTables";

export const REWARDBENCH_SECTIONS = ["Chat", "Chat Hard", "Safety", "Reasoning"] as const;
export type RewardBenchSection = (typeof REWARDBENCH_SECTIONS)[number];

/** Each subset's section and official example count. math-prm has 447 rows but counts 984, the six code subsets together. */
export const REWARDBENCH_SUBSETS: Readonly<Record<string, { section: RewardBenchSection; count: number }>> = {
  "alpacaeval-easy": { section: "Chat", count: 100 },
  "alpacaeval-length": { section: "Chat", count: 95 },
  "alpacaeval-hard": { section: "Chat", count: 95 },
  "mt-bench-easy": { section: "Chat", count: 28 },
  "mt-bench-med": { section: "Chat", count: 40 },
  "mt-bench-hard": { section: "Chat Hard", count: 37 },
  "llmbar-natural": { section: "Chat Hard", count: 100 },
  "llmbar-adver-neighbor": { section: "Chat Hard", count: 134 },
  "llmbar-adver-GPTInst": { section: "Chat Hard", count: 92 },
  "llmbar-adver-GPTOut": { section: "Chat Hard", count: 47 },
  "llmbar-adver-manual": { section: "Chat Hard", count: 46 },
  "refusals-dangerous": { section: "Safety", count: 100 },
  "refusals-offensive": { section: "Safety", count: 100 },
  "xstest-should-refuse": { section: "Safety", count: 154 },
  "xstest-should-respond": { section: "Safety", count: 250 },
  donotanswer: { section: "Safety", count: 136 },
  "math-prm": { section: "Reasoning", count: 984 },
  "hep-cpp": { section: "Reasoning", count: 164 },
  "hep-go": { section: "Reasoning", count: 164 },
  "hep-java": { section: "Reasoning", count: 164 },
  "hep-js": { section: "Reasoning", count: 164 },
  "hep-python": { section: "Reasoning", count: 164 },
  "hep-rust": { section: "Reasoning", count: 164 },
};

const CONSUMED = ["prompt", "chosen", "rejected"] as const;

export const rewardBenchRecords: BenchmarkRecords = {
  id: "rewardbench",
  expand(value): Expansion {
    if (!isObject(value)) return { ok: false, reason: "not a RewardBench record (an object with prompt, chosen, rejected, subset, id)" };
    const fields = { prompt: textField(value, "prompt"), chosen: textField(value, "chosen"), rejected: textField(value, "rejected"), subset: textField(value, "subset"), id: idField(value, "id") };
    for (const v of Object.values(fields)) if (typeof v !== "string") return { ok: false, reason: `${v.reason} (RewardBench records have prompt, chosen, rejected, subset, id)` };
    const { prompt, chosen, rejected, subset, id } = fields as Record<keyof typeof fields, string>;
    if (!(subset in REWARDBENCH_SUBSETS))
      return { ok: false, reason: `subset ${JSON.stringify(subset)} is not one of RewardBench v1's filtered subsets (${Object.keys(REWARDBENCH_SUBSETS).join(", ")})` };
    const key = `rewardbench:${subset}:${id}`;
    return {
      ok: true,
      item: key,
      comparisons: [{ key, id, prompt: [{ role: "user", content: prompt }], chosen, rejected, stratum: subset, unit: key, carried: carriedFields(value, CONSUMED) }],
    };
  },
};

export class RewardBenchScorer implements BenchmarkScorer {
  private readonly subsets = new Map<string, { sum: number; n: number }>();

  constructor(private readonly scoring: Scoring) {}

  add(tag: { stratum: string }, value: number): void {
    const s = this.subsets.get(tag.stratum) ?? { sum: 0, n: 0 };
    s.sum += value;
    s.n++;
    this.subsets.set(tag.stratum, s);
  }

  private section(section: RewardBenchSection): Estimate | null {
    const members = Object.entries(REWARDBENCH_SUBSETS).filter(([, v]) => v.section === section).map(([name, v]) => ({ name, count: v.count, acc: this.subsets.get(name) }));
    if (this.scoring === "paper") {
      const sum = members.reduce((t, m) => t + (m.acc?.sum ?? 0), 0);
      const n = members.reduce((t, m) => t + (m.acc?.n ?? 0), 0);
      return proportion(sum, n);
    }
    // As calculate_scores_per_section: only the subsets present, weighted by their official counts.
    return weightedMean(members.map((m) => ({ estimate: m.acc ? proportion(m.acc.sum, m.acc.n) : null, weight: m.count })));
  }

  tables(): ScoreTable[] {
    return [
      { key: "sections", title: "Sections", unit: "comparisons", rows: REWARDBENCH_SECTIONS.map((name) => ({ name, estimate: this.section(name) })) },
      {
        key: "subsets",
        title: "Subsets",
        unit: "comparisons",
        withCounts: true,
        rows: Object.keys(REWARDBENCH_SUBSETS)
          .filter((name) => this.subsets.has(name))
          .map((name) => ({ name, estimate: proportion(this.subsets.get(name)!.sum, this.subsets.get(name)!.n) })),
      },
    ];
  }

  score(): Estimate | null {
    return meanOf(REWARDBENCH_SECTIONS.map((s) => this.section(s)));
  }

  notes(): string[] {
    const missing = REWARDBENCH_SECTIONS.filter((s) => this.section(s) === null);
    const partial = REWARDBENCH_SECTIONS.filter((s) => !missing.includes(s) && Object.entries(REWARDBENCH_SUBSETS).some(([name, v]) => v.section === s && !this.subsets.has(name)));
    const notes: string[] = [];
    if (missing.length > 0) notes.push(`No comparisons of ${missing.join(", ")}: the score is the mean of the other sections.`);
    if (partial.length > 0) notes.push(`${partial.join(", ")}: not every subset is present; ${this.scoring === "official" ? "the section weights the subsets present by their official counts" : "the section is the mean over the comparisons present"}.`);
    return notes;
  }
}
