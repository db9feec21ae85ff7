import { parseDocument } from 'yaml';
import type { TextRange } from '../transcript';
import type { DiagnosticSink } from './diagnosticSink';

/** A YAML front matter block at the very start of a file ("---" ... "---"). */
export interface FrontMatter {
  /** From the opening "---" to the end of the closing delimiter line. */
  readonly range: TextRange;
  /** Where the body after the front matter begins. */
  readonly bodyStart: number;
  /** The parsed YAML when it is a mapping, else {}. */
  readonly data: Readonly<Record<string, unknown>>;
}

const OPEN = /^(?:\uFEFF)?---[ \t]*\r?\n/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;

/** Where the body starts after front matter (0 when there is none); finds the delimiters only, no YAML parsing. */
export function frontMatterEnd(text: string): number {
  return delimit(text)?.bodyStart ?? 0;
}

function delimit(text: string): { yamlStart: number; yamlEnd: number; bodyStart: number } | undefined {
  const open = OPEN.exec(text);
  if (!open) return undefined;
  const yamlStart = open[0].length;
  const close = CLOSE.exec(text.slice(yamlStart));
  if (!close) return undefined;
  const yamlEnd = yamlStart + close.index;
  return { yamlStart, yamlEnd, bodyStart: yamlEnd + close[0].length };
}

/**
 * Reads front matter if the text starts with "---". YAML errors are reported at their place when
 * `sink` is given; an unclosed block is reported and the whole text is treated as body.
 */
export function readFrontMatter(text: string, sink?: DiagnosticSink): FrontMatter | undefined {
  if (!OPEN.test(text)) return undefined;
  const span = delimit(text);
  if (!span) {
    sink?.error('front-matter', 'Front matter opened with "---" is never closed; add a "---" line after it.', { start: 0, end: 3 });
    return undefined;
  }
  const { yamlStart, yamlEnd, bodyStart } = span;
  let data: Record<string, unknown> = {};
  try {
    const doc = parseDocument(text.slice(yamlStart, yamlEnd), { prettyErrors: false });
    for (const e of doc.errors) {
      // Errors at the end of the YAML (unclosed brackets) point at its last character, not the "---".
      const start = Math.min(yamlStart + e.pos[0], Math.max(yamlStart, yamlEnd - 1));
      const end = Math.max(start, Math.min(yamlStart + e.pos[1], yamlEnd));
      sink?.error('front-matter', `Invalid YAML front matter: ${e.message.split('\n')[0] ?? e.code}`, { start, end });
    }
    const value: unknown = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
    if (value && typeof value === 'object' && !Array.isArray(value)) data = value as Record<string, unknown>;
  } catch (e) {
    // toJS throws on alias bombs and similar; the body is still readable.
    sink?.error('front-matter', `Unreadable YAML front matter: ${e instanceof Error ? e.message : String(e)}`, { start: yamlStart, end: yamlEnd });
  }
  return { range: { start: 0, end: bodyStart }, bodyStart, data };
}
