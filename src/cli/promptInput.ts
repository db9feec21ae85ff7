/**
 * System prompts given on the command line (`probe --system`, `ab --system-a/-b`): the prompt's text,
 * or a file named explicitly with `@FILE` or `--<name>-file FILE`. A value that only looks like a
 * path is refused, so a mistyped path is never scored (and gated on) as the prompt. A file that holds
 * prompts in code (TypeScript, JavaScript, Python), a Prompty file or a prompt file (*.prompt.md,
 * *.system.txt, ...) is read with prompt detection (src/core/prompts); `FILE#N` picks its N-th prompt
 * as `persona-lens prompts FILE` numbers them. Any other file is the prompt itself.
 */
import { existsSync } from 'node:fs';
import { findPrompts, PromptParsers, promptFileKind, type FoundPrompt } from '../core/prompts';
import { firstWords } from '../core/report/format';
import { offsetToPosition } from '../core/textPosition';
import { GRAMMAR_DIR } from './context';
import { UsageError } from './exitCodes';
import { readTextFile } from '../io/files';

/** --help paragraph on how prompt options are given. */
export const PROMPT_OPTION_NOTE = `A prompt is its text, or @FILE (or --<option>-file FILE) to read it from a file; a file with
several prompts in code or a prompt file takes FILE#N (see "persona-lens prompts FILE"). A value
that looks like a file path (prompts/current.txt, ./a, ~/b) without the @ is refused, so a
mistyped path is never scored as the prompt.`;

/**
 * Whether an option value reads as a file path rather than prompt text: one line that names an
 * existing path, starts like a path (/, ./, ../, ~/), or is one word with a slash or a file
 * extension (prompts/current.txt, system.md, app.py#2).
 */
export function looksLikePath(value: string): boolean {
  if (value.includes('\n') || value.length > 4096) return false;
  if (existsSync(value) || existsSync(value.replace(/#\d+$/, ''))) return true;
  if (/^(~|\.{1,2})?[\\/]/.test(value)) return true;
  return !/\s/.test(value) && (/[\\/]/.test(value) || /\.[A-Za-z][A-Za-z0-9]{0,7}(#\d+)?$/.test(value));
}

/** A prompt read from the command line. */
export interface PromptInput {
  readonly text: string;
  /** "text", a file, or FILE#N with the prompt's line. */
  readonly source: string;
  /** False when the prompt has run-time substitutions: its text stands in for them as written. */
  readonly static: boolean;
}

let parsers: PromptParsers | null = null;

/** The process's prompt parsers over the bundled grammars. */
export function promptParsers(): PromptParsers {
  parsers ??= new PromptParsers(GRAMMAR_DIR);
  return parsers;
}

/** The prompts of a file, numbered from 1, with a `file:line:column` place each. */
export async function promptsOfFile(path: string, text: string, globs?: readonly string[]): Promise<{ prompts: readonly FoundPrompt[]; notes: readonly string[] }> {
  return findPrompts(text, path, promptParsers(), globs);
}

/** `file:line:column` (1-based) of a prompt's text. */
export function promptPlace(path: string, text: string, p: FoundPrompt): string {
  const pos = offsetToPosition(text, p.range.start);
  return `${path}:${pos.line + 1}:${pos.column + 1}`;
}

/**
 * Reads `--<name> TEXT`, `--<name> @FILE[#N]` or `--<name>-file FILE[#N]`; exactly one must be given.
 * Files are read under `maxBytes` (stat first: folders, FIFOs and devices are refused unread).
 */
export async function readSystemPrompt(name: string, value: string | undefined, file: string | undefined, usage: string, maxBytes: number): Promise<PromptInput> {
  if (value !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
  if (value === undefined && file === undefined) throw new UsageError(`--${name} is required (the prompt's text, or @FILE)\n\n${usage}`);
  const spec = file ?? (value?.startsWith('@') ? value.slice(1) : undefined);
  if (spec !== undefined) {
    if (spec.trim() === '') throw new UsageError(`--${name}${file === undefined ? ' @' : '-file'} needs a file name`);
    return readPromptFile(`--${name}`, spec, maxBytes);
  }
  const text = value as string;
  if (looksLikePath(text)) {
    const exists = existsSync(text.replace(/#\d+$/, ''));
    throw new UsageError(
      `--${name} "${text}" looks like a file path${exists ? '' : ', and there is no such file'}; ` +
        `write --${name} @${text} (or --${name}-file ${text}) to read the prompt from a file, or give the prompt's text`,
    );
  }
  if (text.trim() === '') throw new UsageError(`--${name} is empty`);
  return { text, source: 'text', static: true };
}

async function readPromptFile(option: string, spec: string, maxBytes: number): Promise<PromptInput> {
  const hash = /#(\d+)$/.exec(spec);
  const path = hash ? spec.slice(0, hash.index) : spec;
  const content = readTextFile(path, { maxBytes, what: 'prompt file', hint: 'raise --max-file-mb to read it' });
  if (promptFileKind(path) === null) {
    if (hash) throw new UsageError(`${option} ${spec}: #N picks a prompt inside code, Prompty or prompt files; ${path} is read whole`);
    // A trailing newline is how editors end files, not part of the prompt.
    const whole = content.replace(/\r?\n$/, '');
    if (whole.trim() === '') throw new UsageError(`${option} is empty (file ${path})`);
    return { text: whole, source: path, static: true };
  }
  const { prompts, notes } = await promptsOfFile(path, content);
  const list = (): string => prompts.map((p, i) => `  ${path}#${i + 1}  ${promptPlace(path, content, p)}  ${p.via}  ${JSON.stringify(firstWords(p.text, 50))}`).join('\n');
  if (prompts.length === 0) throw new UsageError(`${option}: no system prompt found in ${path}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
  let index = 0;
  if (hash) {
    index = Number(hash[1]) - 1;
    if (!prompts[index]) throw new UsageError(`${option} ${spec}: ${path} has ${prompts.length} system prompt${prompts.length === 1 ? '' : 's'}:\n${list()}`);
  } else if (prompts.length > 1) {
    throw new UsageError(`${option}: ${path} has ${prompts.length} system prompts; pick one with ${path}#N:\n${list()}`);
  }
  const p = prompts[index] as FoundPrompt;
  if (p.text.trim() === '') throw new UsageError(`${option} ${spec}: the prompt at ${promptPlace(path, content, p)} is empty`);
  return { text: p.text, source: `${path}#${index + 1} (${promptPlace(path, content, p)})`, static: p.static };
}
