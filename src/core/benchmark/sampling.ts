// --sample N: a stratified random sample of about N comparisons, proportional per stratum
// (RewardBench subset, RM-Bench domain, RMB section), drawn from a seed so a resumed run draws
// the same. Units are ranked by a hash of the seed and their key, and each stratum takes its
// lowest-ranked units: no randomness kept, only a rank threshold per stratum. RMB's best-of-N
// items are drawn whole (an item is scored only complete), so a stratum may take a few more.

import { fnv1a } from "../dataset";

/** A uniform rank in [0, 1) from the seed and a key: 53 bits from two differently salted hashes. */
function seededRank(key: string, seed: number): number {
  const hi = fnv1a(`${seed}\u0000a\u0000${key}`) >>> 11;
  const lo = fnv1a(`${seed}\u0000b\u0000${key}`);
  return (hi * 2 ** 32 + lo) / 2 ** 53;
}

export interface StratumDraw {
  name: string;
  /** Comparisons drawn, and in the stratum. */
  drawn: number;
  of: number;
}

export interface SampleDraw {
  /** Whether a unit was drawn. */
  has(unit: string, stratum: string): boolean;
  /** Comparisons drawn in all. */
  size: number;
  of: number;
  strata: StratumDraw[];
}

/** Collects the units of a benchmark (one pass over its files), then draws the sample. */
export class SamplePlanner {
  private readonly strata = new Map<string, Map<string, number>>();

  /** A unit of `comparisons` comparisons in `stratum` (adding a unit again adds to its size). */
  add(unit: string, stratum: string, comparisons = 1): void {
    const units = this.strata.get(stratum) ?? new Map<string, number>();
    units.set(unit, (units.get(unit) ?? 0) + comparisons);
    this.strata.set(stratum, units);
  }

  get total(): number {
    let t = 0;
    for (const units of this.strata.values()) for (const n of units.values()) t += n;
    return t;
  }

  /** About `size` comparisons, split over the strata in proportion to their size (largest remainders). */
  draw(size: number, seed: number): SampleDraw {
    const total = this.total;
    const names = [...this.strata.keys()].sort();
    const sizes = names.map((n) => [...this.strata.get(n)!.values()].reduce((t, x) => t + x, 0));
    const exact = sizes.map((s) => (total > 0 ? (size * s) / total : 0));
    const quotas = exact.map(Math.floor);
    let left = Math.min(size, total) - quotas.reduce((t, q) => t + q, 0);
    for (const i of exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i)) {
      if (left <= 0) break;
      quotas[i]++;
      left--;
    }
    const thresholds = new Map<string, number>();
    const strata: StratumDraw[] = [];
    names.forEach((name, i) => {
      const ranked = [...this.strata.get(name)!].map(([unit, n]) => ({ rank: seededRank(unit, seed), n })).sort((a, b) => a.rank - b.rank);
      let drawn = 0;
      let threshold = -1;
      for (const u of ranked) {
        if (drawn >= quotas[i]) break;
        drawn += u.n;
        threshold = u.rank;
      }
      thresholds.set(name, threshold);
      strata.push({ name, drawn, of: sizes[i] });
    });
    return {
      has: (unit, stratum) => seededRank(unit, seed) <= (thresholds.get(stratum) ?? -1),
      size: strata.reduce((t, s) => t + s.drawn, 0),
      of: total,
      strata,
    };
  }
}
