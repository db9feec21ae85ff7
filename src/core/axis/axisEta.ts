/**
 * How long computing an axis will take on this machine: the speed probe (src/engine/speedProbe.ts) times
 * one batch of real plan runs the way axis computation runs them (batched sampled decoding, the replies'
 * activations) and one floors-phase scoring pass, and the plan's runs are counted at those times. An
 * earlier estimate from one short greedy single-stream reply missed batching and sampling costs and was
 * 2-3.8x off (docs/axis-file.md, "Quick and full plans").
 */
import { DEFAULT_PERSONA } from './axisBuilder';
import type { AxisRun } from './axisPlan';

/** Seconds per run measured on this machine with the model in question. */
export interface MeasuredRunTimes {
  /** One generation run: its share of a batch's decoding plus reading its activations. */
  readonly secondsPerRun: number;
  /** One scoring pass of the floors phase (prompt + reply of a default-Assistant run). */
  readonly secondsPerFloorRun: number;
}

/** The work an axis computation does (from its plan). */
export interface AxisWork {
  /** Generation runs (roles x questions) still to do. */
  readonly runs: number;
  /** Scoring runs of the floors phase: the training default-Assistant runs. */
  readonly floorRuns: number;
}

/** Estimated milliseconds; a RangeError names an unusable input (a time not measured, a negative count). */
export function estimateAxisMs(work: AxisWork, times: MeasuredRunTimes): number {
  for (const [name, x] of Object.entries(times))
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`measured ${name} must be a non-negative number, got ${x}`);
  if (!(times.secondsPerRun > 0)) throw new RangeError(`measured secondsPerRun must be positive, got ${times.secondsPerRun}`);
  for (const [name, x] of Object.entries(work))
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`axis work ${name} must be a non-negative number, got ${x}`);
  return Math.round((work.runs * times.secondsPerRun + work.floorRuns * times.secondsPerFloorRun) * 1000);
}

/** "under a minute", "about 7 min", "about 2 h 05 min": coarse, since the estimate is. */
export function formatEta(ms: number): string {
  if (!(ms >= 0)) return 'unknown';
  const minutes = Math.round(ms / 60000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The work of a plan's runs: every run generates; the floors phase scores every training default-Assistant run once more. */
export function axisWork(runs: readonly Pick<AxisRun, 'persona' | 'heldOut'>[]): AxisWork {
  return { runs: runs.length, floorRuns: runs.filter((r) => r.persona === DEFAULT_PERSONA && !r.heldOut).length };
}

/**
 * `n` runs spread evenly over a plan (roles with and without long system prompts, every kind of
 * question), so timing them stands for the plan's mean; the whole plan when it has no more.
 */
export function spreadRuns<T>(plan: readonly T[], n: number): T[] {
  if (n >= plan.length) return [...plan];
  return Array.from({ length: n }, (_, i) => plan[Math.floor((i * plan.length) / n)] as T);
}
