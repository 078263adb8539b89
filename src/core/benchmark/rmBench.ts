// RM-Bench (THU-KEG/RM-Bench): each record has three chosen and three rejected responses in
// three styles (0 concise, 1 detailed plain text, 2 detailed markdown), judged every chosen
// against every rejected: 9 comparisons, the cells of the record's 3x3 matrix (rows: chosen
// style, columns: rejected style). Hard is the upper triangle (the chosen response plainer than
// the rejected one), normal the diagonal, easy the lower triangle. A record is (domain, id): ids
// repeat across domains.

import { carriedFields, idField, isObject, textField, type BenchmarkRecords, type Comparison, type Expansion } from "./comparisons";
import { meanOf, proportion, type Estimate } from "./estimate";
import type { BenchmarkScorer, ScoreTable } from "./scoreTables";

export const RMBENCH_LEVELS = ["easy", "normal", "hard"] as const;
export type RmBenchLevel = (typeof RMBENCH_LEVELS)[number];
export const RMBENCH_DOMAINS = ["chat", "math", "code", "safety"] as const;

/** The level of the cell (chosen style i, rejected style j). */
function rmBenchLevel(i: number, j: number): RmBenchLevel {
  return i < j ? "hard" : i === j ? "normal" : "easy";
}

/** The scored domain of a published one: safety-refuse and safety-response are safety. */
function rmBenchDomain(domain: string): string | undefined {
  if (domain.startsWith("safety")) return "safety";
  return (RMBENCH_DOMAINS as readonly string[]).includes(domain) ? domain : undefined;
}

function styleTexts(record: Record<string, unknown>, field: string): string[] | { reason: string } {
  const v = record[field];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === "string"))
    return { reason: `"${field}" must be an array of 3 texts (concise, detailed plain, detailed markdown)` };
  return v as string[];
}

export const rmBenchRecords: BenchmarkRecords = {
  id: "rm-bench",
  expand(value): Expansion {
    if (!isObject(value)) return { ok: false, reason: "not an RM-Bench record (an object with id, prompt, chosen[3], rejected[3], domain)" };
    const id = idField(value, "id");
    const prompt = textField(value, "prompt");
    const domain = textField(value, "domain");
    const chosen = styleTexts(value, "chosen");
    const rejected = styleTexts(value, "rejected");
    for (const v of [id, prompt, domain, chosen, rejected])
      if (!Array.isArray(v) && typeof v !== "string") return { ok: false, reason: `${v.reason} (RM-Bench records have id, prompt, chosen[3], rejected[3], domain)` };
    const scored = rmBenchDomain(domain as string);
    if (scored === undefined) return { ok: false, reason: `domain ${JSON.stringify(domain)} is not one of RM-Bench's (chat, code, math, safety-refuse, safety-response)` };
    const item = `rm-bench:${domain as string}:${id as string}`;
    const carried = carriedFields(value, ["prompt", "chosen", "rejected"]);
    const comparisons: Comparison[] = [];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const key = `${item}:${i}x${j}`;
        comparisons.push({
          key,
          id: id as string,
          prompt: [{ role: "user", content: prompt as string }],
          chosen: (chosen as string[])[i],
          rejected: (rejected as string[])[j],
          stratum: scored,
          unit: key,
          extra: { chosenStyle: i, rejectedStyle: j },
          carried,
        });
      }
    return { ok: true, item, comparisons };
  },
};

/**
 * Per domain and level, the cells' mean. With every record complete that is exactly the mean over
 * the domain's records of their level accuracy (each record has three cells per level), and a
 * sample of cells estimates it without bias.
 */
export class RmBenchScorer implements BenchmarkScorer {
  private readonly cells = new Map<string, { sum: number; n: number }>();
  private readonly records = new Map<string, Map<string, number>>();

  add(tag: { stratum: string; item: string; chosenStyle?: number; rejectedStyle?: number }, value: number): void {
    const cellKey = `${tag.stratum}/${rmBenchLevel(tag.chosenStyle ?? 0, tag.rejectedStyle ?? 0)}`;
    const c = this.cells.get(cellKey) ?? { sum: 0, n: 0 };
    c.sum += value;
    c.n++;
    this.cells.set(cellKey, c);
    const records = this.records.get(tag.stratum) ?? new Map<string, number>();
    records.set(tag.item, (records.get(tag.item) ?? 0) + 1);
    this.records.set(tag.stratum, records);
  }

  private cell(domain: string, level: RmBenchLevel): Estimate | null {
    const c = this.cells.get(`${domain}/${level}`);
    return c ? proportion(c.sum, c.n) : null;
  }

  private domain(domain: string): Estimate | null {
    return meanOf(RMBENCH_LEVELS.map((l) => this.cell(domain, l)));
  }

  private level(level: RmBenchLevel): Estimate | null {
    return meanOf(RMBENCH_DOMAINS.map((d) => this.cell(d, level)));
  }

  tables(): ScoreTable[] {
    return [
      { key: "levels", title: "Levels", unit: "comparisons", rows: RMBENCH_LEVELS.map((name) => ({ name, estimate: this.level(name) })) },
      { key: "domains", title: "Domains", unit: "comparisons", rows: RMBENCH_DOMAINS.map((name) => ({ name, estimate: this.domain(name) })) },
      {
        key: "grid",
        title: "Domain by level",
        unit: "comparisons",
        withCounts: true,
        rows: RMBENCH_DOMAINS.flatMap((d) => RMBENCH_LEVELS.map((l) => ({ name: `${d} ${l}`, estimate: this.cell(d, l) }))).filter((r) => r.estimate !== null),
      },
    ];
  }

  score(): Estimate | null {
    return meanOf(RMBENCH_LEVELS.map((l) => this.level(l)));
  }

  notes(): string[] {
    const notes: string[] = [];
    const missing = RMBENCH_DOMAINS.filter((d) => this.domain(d) === null);
    if (missing.length > 0) notes.push(`No comparisons of ${missing.join(", ")}: each level is the mean over the other domains.`);
    const counts = [...this.records].map(([d, r]) => `${d} ${r.size}`);
    const partial = [...this.records.values()].reduce((t, r) => t + [...r.values()].filter((n) => n < 9).length, 0);
    if (counts.length > 0) notes.push(`Records (domain, id): ${counts.join(", ")}${partial > 0 ? `; ${partial} of them with fewer than their 9 comparisons judged` : ""}.`);
    return notes;
  }
}
