/**
 * Command-line inputs to transcript paths: a file as given, a folder as every transcript file
 * under it, a quoted glob as the files it matches (the same on every shell, and on Windows).
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { FORMATS } from '../core/formats';
import { globBase, globToRegExp, hasGlobMagic } from '../core/corpus/glob';
import { comparePaths, shardPaths, type Shard } from '../core/corpus/shard';
import { UsageError } from './exitCodes';

/** Extensions a folder is searched for: every transcript format's, and Inspect `.eval` logs. */
export const TRANSCRIPT_EXTENSIONS: ReadonlySet<string> = new Set([...FORMATS.flatMap((f) => f.extensions), '.eval']);

/** Files under `dir`, sorted, dot-entries left out; a folder reached twice by symlinks is walked once. */
function walk(dir: string, seen: Set<string>): string[] {
  const real = statSync(dir);
  const key = `${real.dev}:${real.ino}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => comparePaths(a.name, b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
    }
    if (isDir) out.push(...walk(p, seen));
    else out.push(p);
  }
  return out;
}

/**
 * The transcript paths named by `args`, in command-line order (folders and globs expanded in sorted
 * order, each path once); with a shard, sorted and every n-th. A path that does not exist is kept,
 * so reading it reports the problem with the others; a glob or folder that finds nothing is a usage error.
 */
export function resolveCorpus(args: readonly string[], shard: Shard | null): string[] {
  const paths: string[] = [];
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      // Missing files are reported when read; a glob is handled below.
    }
    if (isDir) {
      const found = walk(arg, new Set()).filter((p) => TRANSCRIPT_EXTENSIONS.has(extname(p).toLowerCase()));
      if (found.length === 0) throw new UsageError(`${arg}: the folder holds no transcript files (${[...TRANSCRIPT_EXTENSIONS].join(', ')})`);
      paths.push(...found);
    } else if (hasGlobMagic(arg) && !exists(arg)) {
      paths.push(...expandGlob(arg));
    } else paths.push(arg);
  }
  return shard ? shardPaths(paths, shard) : [...new Set(paths)];
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function expandGlob(pattern: string): string[] {
  const slashed = pattern.split(sep).join('/');
  let re: RegExp;
  try {
    re = globToRegExp(slashed);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const base = globBase(slashed);
  let files: string[] = [];
  try {
    if (statSync(base).isDirectory()) files = walk(base, new Set());
  } catch {
    // No base folder: nothing matches.
  }
  const matched = files.filter((f) => {
    // Match in the pattern's own spelling: "logs/*.json" against "logs/a.json", "./x/*" against "./x/a".
    const rel = relative(base, f).split(sep).join('/');
    const candidate = base === '.' && !slashed.startsWith('./') ? rel : `${base.replace(/\/$/, '')}/${rel}`;
    return re.test(candidate);
  });
  if (matched.length === 0) throw new UsageError(`${pattern}: no file matches the pattern`);
  return matched;
}
