/**
 * `--shard i/n`: a CI matrix of n jobs splits a corpus so that every file is scored by exactly one
 * job, whatever order the shell or the file system listed them in.
 */

export interface Shard {
  /** 1-based, as written on the command line. */
  readonly index: number;
  readonly count: number;
}

/** Parses "i/n" (1 <= i <= n); throws an Error whose message says what is wrong. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`--shard needs i/n, e.g. 1/4, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count || !Number.isSafeInteger(count))
    throw new Error(`--shard ${text}: i must be from 1 to n (n at least 1)`);
  return { index, count };
}

/**
 * Compares paths by UTF-16 code units: the same order on every machine and locale (localeCompare
 * would let two CI runners disagree on which shard a file is in).
 */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The paths sorted stably and without duplicates, then every n-th starting at the i-th. */
export function shardPaths(paths: readonly string[], shard: Shard | null): string[] {
  const sorted = [...new Set(paths)].sort(comparePaths);
  if (!shard) return sorted;
  return sorted.filter((_, k) => k % shard.count === shard.index - 1);
}
