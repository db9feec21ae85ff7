/**
 * Command-line inputs to transcript paths: a file as given, a folder as every transcript file
 * under it, a quoted glob as the files it matches (the same on every shell, and on Windows).
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, parse, relative, resolve, sep } from 'node:path';
import { FORMATS } from '../core/formats';
import { globBase, globToRegExp, hasGlobMagic } from '../core/corpus/glob';
import { comparePaths, shardPaths, type Shard } from '../core/corpus/shard';
import { UsageError } from './exitCodes';

/** Extensions a folder is searched for: every transcript format's, and Inspect `.eval` logs. */
export const TRANSCRIPT_EXTENSIONS: ReadonlySet<string> = new Set([...FORMATS.flatMap((f) => f.extensions), '.eval']);

/**
 * A folder walk stops after this many entries: `score /` or a home folder is a mistake to say, not
 * minutes of reading the whole disk.
 */
export const MAX_WALK_ENTRIES = 100_000;

/**
 * Regular files under `dir`, sorted by name; dot-entries and node_modules left out, symbolic links to
 * folders not followed (as ripgrep and fd do: no loops, no walking out of the tree), subfolders that
 * cannot be read skipped. The folder itself must be readable.
 */
function walk(top: string): string[] {
  const out: string[] = [];
  let entries = 0;
  const visit = (dir: string): void => {
    let list;
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if (dir === top) throw new UsageError(`${top}: cannot read the folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    for (const e of list.sort((a, b) => comparePaths(a.name, b.name))) {
      if (++entries > MAX_WALK_ENTRIES)
        throw new UsageError(`${top}: more than ${MAX_WALK_ENTRIES} entries under the folder; name a smaller folder or a glob`);
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) out.push(p);
      else if (e.isSymbolicLink()) {
        try {
          if (statSync(p).isFile()) out.push(p);
        } catch {
          // A dangling link is no transcript.
        }
      }
    }
  };
  visit(top);
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
      if (parse(resolve(arg)).root === resolve(arg)) throw new UsageError(`${arg}: the file system's root is not a corpus; name a folder under it or a glob`);
      const found = walk(arg).filter((p) => TRANSCRIPT_EXTENSIONS.has(extname(p).toLowerCase()));
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
  // No base folder: nothing matches.
  const files = exists(base) && statSync(base).isDirectory() ? walk(base) : [];
  const matched = files.filter((f) => {
    // Match in the pattern's own spelling: "logs/*.json" against "logs/a.json", "./x/*" against "./x/a".
    const rel = relative(base, f).split(sep).join('/');
    const candidate = base === '.' && !slashed.startsWith('./') ? rel : `${base.replace(/\/$/, '')}/${rel}`;
    return re.test(candidate);
  });
  if (matched.length === 0) throw new UsageError(`${pattern}: no file matches the pattern`);
  return matched;
}
