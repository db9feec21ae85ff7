/**
 * How long computing an axis will take on this machine, from the engine's measured speed: each run of the
 * axis plan encodes its prompt and generates up to `maxTokens` tokens, then each floor run scores a prompt
 * and reply. Prompt tokens (one batched forward) and generated tokens (one decode step each) cost
 * differently, so the speed is measured as both rates.
 */
import { DEFAULT_PERSONA } from './axisBuilder';
import type { AxisRun } from './axisPlan';

/** Rates measured on this machine with the model in question (tokens per second). */
export interface MeasuredSpeed {
  readonly promptTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
}

/** The work an axis computation does (from its plan and battery). */
export interface AxisWork {
  /** Generation runs (roles x questions) still to do. */
  readonly runs: number;
  /** Mean prompt tokens per run (system prompt + question, chat markup included). */
  readonly promptTokens: number;
  /** Tokens generated per reply at most (replies stopping early make the estimate an upper bound). */
  readonly maxTokens: number;
  /** Scoring runs of the floors phase and the mean tokens each scores. */
  readonly floorRuns: number;
  readonly floorTokens: number;
}

/** Estimated milliseconds; a RangeError names an unusable input (a speed not measured, a negative count). */
export function estimateAxisMs(work: AxisWork, speed: MeasuredSpeed): number {
  for (const [name, x] of Object.entries(speed))
    if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`measured ${name} must be a positive number, got ${x}`);
  for (const [name, x] of Object.entries(work))
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`axis work ${name} must be a non-negative number, got ${x}`);
  const prompt = (work.runs * work.promptTokens + work.floorRuns * work.floorTokens) / speed.promptTokensPerSecond;
  const decode = (work.runs * work.maxTokens) / speed.decodeTokensPerSecond;
  return Math.round((prompt + decode) * 1000);
}

/** "under a minute", "about 7 min", "about 2 h 05 min": coarse, since the estimate is. */
export function formatEta(ms: number): string {
  if (!(ms >= 0)) return 'unknown';
  const minutes = Math.round(ms / 60000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * The work of a plan's runs: each run encodes its prompt, generates up to `maxTokens` and then has
 * prompt + reply encoded again for its activations (both at the prompt rate); the floors phase
 * scores every training default-Assistant run once more. `promptTokens` is a measured prompt's length,
 * standing in for the plan's mean.
 */
export function axisWork(runs: readonly Pick<AxisRun, 'persona' | 'heldOut'>[], promptTokens: number, maxTokens: number): AxisWork {
  return {
    runs: runs.length,
    promptTokens: 2 * promptTokens + maxTokens,
    maxTokens,
    floorRuns: runs.filter((r) => r.persona === DEFAULT_PERSONA && !r.heldOut).length,
    floorTokens: promptTokens + maxTokens,
  };
}
