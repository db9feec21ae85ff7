/**
 * Where a file keeps system prompts: string literals in TypeScript/JavaScript and Python passed as
 * a system message (jsPrompts.ts, pyPrompts.ts), or the file itself when it is a prompt file:
 * Prompty (`.prompty`: its system section), `*.prompt.md` and `*.system.md` (the body after any
 * front matter), `*.system.txt`, and files matching the user's globs (the whole text).
 */
import { basename, extname } from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { minimatch } from 'minimatch';
import { parse } from '../formats';
import { frontMatterEnd } from '../formats/frontMatter';
import { findJsPrompts } from './jsPrompts';
import type { Grammar, PromptParsers } from './parsers';
import { findPyPrompts } from './pyPrompts';
import type { FoundPrompt, PromptScan } from './types';

/** Globs (matched against the file's path, or its name when the glob has no slash) whose files are prompts. */
export const DEFAULT_PROMPT_GLOBS: readonly string[] = ['*.prompt.md', '*.system.md', '*.system.txt'];

const GRAMMAR_BY_EXTENSION: Readonly<Record<string, Grammar>> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
};

/** How a file is read for prompts: parsed as code, as a Prompty file, as a whole prompt file, or not at all. */
export type PromptFileKind = { readonly kind: 'code'; readonly grammar: Grammar } | { readonly kind: 'prompty' } | { readonly kind: 'prompt-file'; readonly glob: string } | null;

/** The kind of `path` for prompt detection; `globs` are the prompt-file globs (DEFAULT_PROMPT_GLOBS plus the user's). */
export function promptFileKind(path: string, globs: readonly string[] = DEFAULT_PROMPT_GLOBS): PromptFileKind {
  const normalized = path.replace(/\\/g, '/');
  const glob = globs.find((g) => minimatch(normalized, g, { dot: true, matchBase: !g.includes('/'), nocase: true }));
  if (glob) return { kind: 'prompt-file', glob };
  const ext = extname(normalized).toLowerCase();
  if (ext === '.prompty') return { kind: 'prompty' };
  const grammar = GRAMMAR_BY_EXTENSION[ext];
  return grammar ? { kind: 'code', grammar } : null;
}

/** Finds the system prompts in one file's text; `path` decides how it is read (see promptFileKind). */
export async function findPrompts(text: string, path: string, parsers: PromptParsers, globs: readonly string[] = DEFAULT_PROMPT_GLOBS): Promise<PromptScan> {
  const kind = promptFileKind(path, globs);
  if (kind === null) return { prompts: [], notes: [`${basename(path)} is not a TypeScript, JavaScript, Python, Prompty or prompt file`] };
  if (kind.kind === 'prompt-file') return { prompts: wholeFile(text, kind.glob), notes: [] };
  if (kind.kind === 'prompty') return promptySystem(text, path);
  const tree = await parsers.parse(kind.grammar, text);
  try {
    const prompts = kind.grammar === 'python' ? findPyPrompts(tree, text) : findJsPrompts(tree, text, kind.grammar === 'javascript' ? 'javascript' : 'typescript');
    const notes: string[] = [];
    if (tree.rootNode.hasError) {
      const at = firstError(tree.rootNode);
      notes.push(`syntax error${at === null ? '' : ` near offset ${at}`}: prompts in the broken part may be missed`);
    }
    return { prompts, notes };
  } finally {
    tree.delete();
  }
}

/** A prompt file's text after any front matter, trimmed; empty files hold no prompt. */
function wholeFile(text: string, glob: string): FoundPrompt[] {
  const bodyStart = frontMatterEnd(text);
  const body = text.slice(bodyStart);
  const lead = body.length - body.trimStart().length;
  const start = bodyStart + lead;
  const end = bodyStart + body.trimEnd().length;
  if (end <= start) return [];
  const range = { start, end };
  const value = text.slice(start, end);
  return [{ language: 'prompt-file', via: glob, text: value, range, literalRange: range, parts: [{ kind: 'text', range, text: value }], static: true }];
}

/** Prompty: the system section (text before the first role line, or after `system:`); its {{inputs}} make it not static. */
function promptySystem(text: string, path: string): PromptScan {
  const parsed = parse(text, path);
  const prompts: FoundPrompt[] = [];
  for (const c of parsed.conversations) {
    for (const t of [c.system, ...c.turns]) {
      if (!t || t.role !== 'system') continue;
      const dynamic = /\{\{[^}]*\}\}/.test(t.text);
      prompts.push({ language: 'prompt-file', via: '.prompty system section', text: t.text, range: t.range, literalRange: t.range, parts: [{ kind: 'text', range: t.range, text: t.text }], static: !dynamic });
    }
  }
  const notes = parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  return { prompts, notes };
}

function firstError(n: Node): number | null {
  if (n.isError || n.isMissing) return n.startIndex;
  for (const c of n.children) if (c && (c.hasError || c.isError || c.isMissing)) return firstError(c);
  return null;
}
