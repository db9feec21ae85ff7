/** What every engine-backed CLI command shares: paths, the worker client, the session options. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { printable } from '../core/report/format';
import { EngineClient } from '../engine/client';
import type { LoadProgress } from '../engine/client';
import type { Progress } from './progress';

/** The package root: out/cli.js lives in <root>/out. */
export const PACKAGE_ROOT = join(__dirname, '..');
export const WORKER_PATH = join(__dirname, 'worker.js');
/** The tree-sitter runtime and grammars prompt detection parses with (copied by esbuild.mjs). */
export const GRAMMAR_DIR = join(__dirname, 'tree-sitter');

/** Cache folder: $PERSONA_LENS_CACHE, else $XDG_CACHE_HOME/persona-lens, else ~/.cache/persona-lens. */
export function defaultCacheDir(): string {
  return process.env.PERSONA_LENS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'persona-lens');
}

/**
 * A worker client whose log lines go to stderr when --verbose is given. Errors are shown always,
 * by their first line only (the stack with --verbose or PERSONA_LENS_DEBUG): the command's own
 * message says what failed.
 */
export function createClient(verbose: boolean): EngineClient {
  const full = verbose || Boolean(process.env.PERSONA_LENS_DEBUG);
  return new EngineClient(WORKER_PATH, {
    log: (level, message) => {
      if (full) process.stderr.write(`[worker ${level}] ${printable(message, 20_000)}\n`);
      else if (level === 'error') process.stderr.write(`[worker error] ${printable(message.split('\n', 1)[0] ?? '', 2000)}\n`);
    },
  });
}

/** Turns load progress events into progress lines. */
export function loadProgress(progress: Progress): (p: LoadProgress) => void {
  return (p) => {
    const file = p.file ? ` ${p.file}` : '';
    const fraction = p.total ? (p.loaded ?? 0) / p.total : null;
    const phase = { download: 'downloading', check: 'checking files', instrument: 'instrumenting graph', session: 'starting session' }[p.phase];
    progress.update(`${phase}${file}`, fraction);
  };
}
