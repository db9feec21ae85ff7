/** Descriptive statistics used by the axis pipeline, the floors and the reports. */

/** Arithmetic mean (float64 accumulation); NaN for an empty list. */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}

/**
 * The p-th percentile (0..100) with linear interpolation between closest ranks
 * (numpy's default "linear" method), so floors match what a Python reference computes.
 */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = Float64Array.from(xs).sort();
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/** Percentiles 0, 1, ..., 100 of xs: a compact summary from which any floor can be read later. */
export function percentileTable(xs: ArrayLike<number>): number[] {
  return Array.from({ length: 101 }, (_, p) => percentile(xs, p));
}

/** Reads percentile p (0..100, fractional allowed) from a 101-entry percentile table. */
export function fromPercentileTable(table: readonly number[], p: number): number {
  if (table.length !== 101) throw new RangeError(`a percentile table has 101 entries, not ${table.length}`);
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const lo = Math.floor(p);
  const hi = Math.ceil(p);
  const a = table[lo] as number;
  return a + ((table[hi] as number) - a) * (p - lo);
}

/**
 * Share (0..1) of a population at or below x, read from its 101-entry percentile table by linear
 * interpolation (the inverse of fromPercentileTable): 0 below the minimum, 1 at or above the maximum.
 */
export function shareAtOrBelow(table: readonly number[], x: number): number {
  if (table.length !== 101) throw new RangeError(`a percentile table has 101 entries, not ${table.length}`);
  if (Number.isNaN(x)) return NaN;
  if (x < (table[0] as number)) return 0;
  if (x >= (table[100] as number)) return 1;
  // Last entry at or below x: ties (a flat run of the table) count as at or below.
  let p = 0;
  while (p < 100 && (table[p + 1] as number) <= x) p++;
  const a = table[p] as number;
  const b = table[p + 1] as number;
  return (p + (b > a ? (x - a) / (b - a) : 0)) / 100;
}
