/**
 * System prompts given on the command line: as text, or as a file. A file that holds prompts in
 * code (TypeScript, JavaScript, Python), a Prompty file or a prompt file (*.prompt.md, *.system.txt,
 * ...) is read with prompt detection (src/core/prompts); `FILE#N` picks its N-th prompt as
 * `persona-lens prompts FILE` numbers them. Any other file is the prompt itself.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { findPrompts, PromptParsers, promptFileKind, type FoundPrompt } from '../core/prompts';
import { firstWords } from '../core/report/format';
import { offsetToPosition } from '../core/textPosition';
import { GRAMMAR_DIR } from './context';
import { UsageError } from './exitCodes';

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

/** Reads `--<name> TEXT` or `--<name>-file FILE[#N]`; exactly one of them must be given. */
export async function readSystemPrompt(name: string, text: string | undefined, file: string | undefined, usage: string): Promise<PromptInput> {
  if ((text === undefined) === (file === undefined)) throw new UsageError(`give one of --${name} TEXT or --${name}-file FILE\n\n${usage}`);
  if (text !== undefined) {
    if (text.trim() === '') throw new UsageError(`--${name} is empty`);
    return { text, source: 'text', static: true };
  }
  return readPromptFile(`--${name}-file`, file as string);
}

/**
 * A prompt option as `ab` takes it: a value naming an existing file (FILE, or FILE#N for a file
 * with several prompts) is read from it, with prompt detection; any other value is the prompt text.
 */
export async function readPromptValue(name: string, value: string | undefined, usage: string): Promise<PromptInput> {
  if (value === undefined) throw new UsageError(`--${name} is required\n\n${usage}`);
  const path = value.replace(/#\d+$/, '');
  if (value.length < 4096 && existsSync(path) && statSync(path).isFile()) return readPromptFile(`--${name}`, value);
  return readSystemPrompt(name, value, undefined, usage);
}

async function readPromptFile(option: string, spec: string): Promise<PromptInput> {
  const hash = /#(\d+)$/.exec(spec);
  const path = hash ? spec.slice(0, hash.index) : spec;
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${option}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (promptFileKind(path) === null) {
    if (hash) throw new UsageError(`${option} ${spec}: #N picks a prompt inside code, Prompty or prompt files; ${path} is read whole`);
    // A trailing newline is how editors end files, not part of the prompt.
    const whole = content.replace(/\r?\n$/, '');
    if (whole.trim() === '') throw new UsageError(`${option} ${path} is empty`);
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
