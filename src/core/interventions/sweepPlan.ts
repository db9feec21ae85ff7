/**
 * The capping sweep (issue 29 item 1): one assistant turn re-run over a grid of floors x bands under
 * one seed, plus the uncapped reply, so a reader sees how the reply and its axis value respond to the
 * dose (the floor percentile) and to where the cap acts (the band). Pure: the plan, its cell keys
 * (each cell is cached on its own, so a cancelled sweep resumes where it stopped) and the
 * dose-response series the view plots.
 */
import { floorAt, type AxisFile, type FloorPopulation } from '../axis/axisFile';
import type { Zone } from '../axis/calibration';

export type SweepBand = 'axis' | 'wide' | 'all';
export const SWEEP_BANDS: readonly SweepBand[] = ['axis', 'wide', 'all'];
export const DEFAULT_SWEEP_PERCENTILES: readonly number[] = [5, 25, 50];
/** More floors than this make a grid nobody reads (and bound the panel's messages). */
export const MAX_SWEEP_PERCENTILES = 20;

/** One capped re-run of the sweep. */
export interface SweepCell {
  readonly percentile: number;
  readonly band: SweepBand;
  readonly layers: readonly number[];
  /** One floor per entry of `layers`, read from the floor population. */
  readonly taus: readonly number[];
  /** Stable identity of the cell within a sweep, for its cache entry. */
  readonly key: string;
}

export interface SweepPlan {
  readonly population: FloorPopulation;
  /** The uncapped reply is always re-run first: the zero-dose point every band starts from. */
  readonly baselineKey: string;
  readonly cells: readonly SweepCell[];
}

/**
 * The layers of a band. `axis`: the file's capping band. `wide`: that band widened by its own length
 * on each side (at least one layer), within the model. `all`: every layer.
 */
export function bandLayers(axis: AxisFile, band: SweepBand): number[] {
  const n = axis.layers.length;
  if (band === 'all') return Array.from({ length: n }, (_, i) => i);
  const core = [...axis.cappingLayers].sort((a, b) => a - b);
  if (band === 'axis' || core.length === 0) return core;
  const lo = core[0] as number;
  const hi = core[core.length - 1] as number;
  const grow = Math.max(1, hi - lo + 1);
  const from = Math.max(0, lo - grow);
  const to = Math.min(n - 1, hi + grow);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Parses "5,25,50" into distinct percentiles in 0..100, with the position of the first bad entry. */
export function parsePercentiles(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const [i, s] of parts.entries()) {
    const p = Number(s);
    if (s === '' || !Number.isFinite(p) || p < 0 || p > 100) {
      throw new RangeError(`percentile "${s}" (entry ${i + 1} of "${text}") is not a number in 0..100`);
    }
    if (out.includes(p)) throw new RangeError(`percentile ${p} is given twice (entry ${i + 1} of "${text}")`);
    out.push(p);
  }
  return out;
}

/** Parses "axis,wide,all" into distinct bands, with the position of the first bad entry. */
export function parseBands(text: string): SweepBand[] {
  const parts = text.split(',').map((s) => s.trim());
  const out: SweepBand[] = [];
  for (const [i, s] of parts.entries()) {
    if (!(SWEEP_BANDS as readonly string[]).includes(s)) {
      throw new RangeError(`band "${s}" (entry ${i + 1} of "${text}") is not one of ${SWEEP_BANDS.join(', ')}`);
    }
    const b = s as SweepBand;
    if (out.includes(b)) throw new RangeError(`band ${b} is given twice (entry ${i + 1} of "${text}")`);
    out.push(b);
  }
  return out;
}

/** The sweep's cells, bands outermost so each band's dose series runs in order of rising floor. */
export function sweepPlan(
  axis: AxisFile,
  o: { percentiles?: readonly number[]; bands?: readonly SweepBand[]; population?: FloorPopulation } = {},
): SweepPlan {
  const percentiles = [...(o.percentiles ?? DEFAULT_SWEEP_PERCENTILES)].sort((a, b) => a - b);
  const bands = o.bands ?? SWEEP_BANDS;
  const population = o.population ?? axis.defaults.floorPopulation;
  if (percentiles.length === 0) throw new RangeError('a sweep needs at least one floor percentile');
  if (percentiles.length > MAX_SWEEP_PERCENTILES)
    throw new RangeError(`a sweep takes at most ${MAX_SWEEP_PERCENTILES} floor percentiles (${percentiles.length} given)`);
  if (bands.length === 0) throw new RangeError('a sweep needs at least one band');
  const cells: SweepCell[] = [];
  for (const band of bands) {
    const layers = bandLayers(axis, band);
    if (layers.length === 0) throw new RangeError(`band ${band} has no layers (the axis file names no capping layers)`);
    for (const percentile of percentiles) {
      const taus = layers.map((l) => floorAt(axis, l, population, percentile));
      cells.push({ percentile, band, layers, taus, key: `cap:${population}:p${percentile}:${band}` });
    }
  }
  return { population, baselineKey: 'uncapped', cells };
}

/** A finished cell as the CLI prints it and the view shows it. */
export interface SweepResult {
  readonly percentile: number | null;
  readonly band: SweepBand | null;
  readonly text: string;
  readonly value: number;
  readonly zone: Zone | null;
}

/** One line of the dose-response plot: a band's values against its floor percentile, the uncapped value at dose 0. */
export interface DoseSeries {
  readonly band: SweepBand;
  readonly points: readonly { readonly percentile: number | null; readonly value: number }[];
}

/** Dose-response lines from finished cells (missing cells, e.g. after a cancel, are simply absent). */
export function doseSeries(results: readonly SweepResult[]): DoseSeries[] {
  const base = results.find((r) => r.band === null);
  const bands = SWEEP_BANDS.filter((b) => results.some((r) => r.band === b));
  return bands.map((band) => ({
    band,
    points: [
      ...(base ? [{ percentile: null, value: base.value }] : []),
      ...results
        .filter((r) => r.band === band && r.percentile !== null)
        .sort((a, b) => (a.percentile as number) - (b.percentile as number))
        .map((r) => ({ percentile: r.percentile, value: r.value })),
    ],
  }));
}
