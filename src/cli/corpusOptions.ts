/** --jobs and --shard, shared by `score` and `report`, and how --jobs splits the CPU threads. */
import { availableParallelism } from 'node:os';
import { parseShard, type Shard } from '../core/corpus/shard';
import type { SessionOptions } from '../engine/session';
import { integerOption } from './engineOptions';
import { UsageError } from './exitCodes';

/** More jobs than this only multiply memory (each holds the model). */
export const MAX_JOBS = 64;

export const CORPUS_OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  shard: { type: 'string' },
} as const;

export const CORPUS_USAGE = `  -j, --jobs N       score with N engine sessions side by side (worker threads, each with the model;
                     default 1); output order is the input order whatever finishes first; without
                     --threads each job gets max(1, floor(CPUs / N)) threads
  --shard i/n        only the i-th of n shares of the inputs: paths sorted, then every n-th from the i-th
                     (a CI matrix of n jobs covers every file once)`;

export const CORPUS_INPUTS_USAGE = `FILE may be a folder (every transcript file under it, dot-entries skipped) or a quoted glob
('logs/**/*.jsonl'); files are read in command-line order, or sorted with --shard.`;

export interface CorpusValues {
  readonly jobs?: string | undefined;
  readonly shard?: string | undefined;
}

export function corpusOptions(values: CorpusValues): { jobs: number; shard: Shard | null } {
  const jobs = integerOption('jobs', values.jobs, 1, MAX_JOBS) ?? 1;
  let shard: Shard | null = null;
  if (values.shard !== undefined) {
    try {
      shard = parseShard(values.shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return { jobs, shard };
}

/**
 * Intra-op threads per job: as given with --threads, else the CPUs shared out, max(1, floor(cores / jobs)),
 * so N sessions do not each start a thread per core and fight over them.
 */
export function threadsPerJob(threads: number | undefined, jobs: number, cores: number = availableParallelism()): number | undefined {
  if (threads !== undefined || jobs <= 1) return threads;
  return Math.max(1, Math.floor(cores / jobs));
}

/** SessionOptions with the per-job thread count. */
export function jobSessionOptions(options: SessionOptions, jobs: number): SessionOptions {
  // --threads 0 is "the default": with several jobs that is the shared-out count.
  const threads = threadsPerJob(options.threads === 0 ? undefined : options.threads, jobs);
  return threads === undefined ? options : { ...options, threads };
}
