// Benchmark figures with their 95% intervals. A rate over comparisons or items gets a Wilson
// interval (it behaves near 0% and 100% and for small n); a mean of such rates (a section of
// subsets, a level over domains, a score over sections) gets a normal interval from their
// standard errors, treating the parts as independent.

import { wilson, type Interval } from "../stats";

const Z = 1.96;

export interface Estimate extends Interval {
  /** Standard error of `rate`, so means of estimates keep an interval. */
  se: number;
}

/** `sum` of per-unit values in [0, 1] over `n` units; null when there are none. */
export function proportion(sum: number, n: number): Estimate | null {
  const w = wilson(sum, n);
  if (!w) return null;
  return { ...w, se: (w.high - w.low) / (2 * Z) };
}

/** The mean of estimates weighted by `weight`; the missing ones are left out. Null when all are missing. */
export function weightedMean(parts: { estimate: Estimate | null; weight: number }[]): Estimate | null {
  const present = parts.filter((p): p is { estimate: Estimate; weight: number } => p.estimate !== null && p.weight > 0);
  const total = present.reduce((t, p) => t + p.weight, 0);
  if (total === 0) return null;
  const rate = present.reduce((t, p) => t + p.estimate.rate * p.weight, 0) / total;
  const se = Math.sqrt(present.reduce((t, p) => t + (p.weight / total) ** 2 * p.estimate.se ** 2, 0));
  const n = present.reduce((t, p) => t + p.estimate.n, 0);
  return { rate, se, n, low: Math.max(0, rate - Z * se), high: Math.min(1, rate + Z * se) };
}

/** The plain mean of the estimates present. */
export const meanOf = (estimates: (Estimate | null)[]): Estimate | null => weightedMean(estimates.map((estimate) => ({ estimate, weight: 1 })));

/**
 * A rate as a percentage rounded half up to `digits` decimals, as the benchmarks publish them.
 * The product is first cut to 6 decimals so float noise (92.05 stored as 92.04999...) does not
 * round a published half down.
 */
export function percent(rate: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(Number((rate * 100 * scale).toFixed(6))) / scale;
}

/**
 * How far a score estimated from a random sample of `size` of `of` comparisons can be from the
 * whole benchmark's, at 95%: the interval's half-width with the finite-population correction.
 */
export function sampleMargin(score: Estimate, size: number, of: number): number {
  const fpc = of > 1 ? Math.sqrt(Math.max(0, of - size) / (of - 1)) : 0;
  return Z * score.se * fpc;
}
