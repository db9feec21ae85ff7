import type { ParseResult } from '../transcript';
import { DiagnosticSink } from './diagnosticSink';
import { checkEncoding, DEFAULT_MAX_BYTES, utf8Length } from './encoding';
import { reportSyntaxErrors } from './json/jsonFormat';
import { baseName, makeInput } from './input';
import { FORMATS } from './registry';
import { formatBytes } from '../report/format';
import type { FormatInfo, FormatInput, TranscriptFormat } from './types';

export { makeInput };

/** Options for `parse`. */
export interface ParseOptions {
  /** Refuse files larger than this many UTF-8 bytes (default 10 MB), with a diagnostic instead of a freeze. */
  readonly maxBytes?: number;
  /** Skip detection and read the file as this format id. */
  readonly format?: string;
  /** Formats to choose from (defaults to the registry); for tests and embedders. */
  readonly formats?: readonly TranscriptFormat[];
}

/** Finds the conversations, their turns and exact turn ranges in one file's text. Never throws. */
export function parse(text: string, fileName: string, options: ParseOptions = {}): ParseResult {
  const sink = new DiagnosticSink(text.length);
  const formats = options.formats ?? FORMATS;
  const name = baseName(fileName);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const bytes = utf8Length(text, maxBytes);
  if (bytes > maxBytes) return tooLargeResult(fileName, maxBytes, bytes, text.length > maxBytes);
  const encoding = checkEncoding(text);
  if (encoding.kind === 'binary') {
    sink.error('binary', `${name} does not look like a text file (${encoding.reason}); it is not parsed.`, { start: encoding.first, end: encoding.first + 1 });
    return { format: 'unknown', conversations: [], diagnostics: sink.result() };
  }
  if (encoding.kind === 'replacement') {
    sink.warning(
      'invalid-utf8',
      `${name} is not valid UTF-8: ${encoding.count} character(s) could not be decoded and show as \uFFFD. Re-save the file as UTF-8.`,
      { start: encoding.first, end: encoding.first + 1 },
    );
  }

  const input = makeInput(text, fileName);
  let chosen: TranscriptFormat | undefined;
  try {
    chosen = options.format !== undefined ? formats.find((f) => f.id === options.format) : detect(input, formats);
  } catch (e) {
    sink.error('internal-error', `Persona Lens could not detect the format of ${name}: ${e instanceof Error ? e.message : String(e)}`, { start: 0, end: 0 });
    return { format: 'unknown', conversations: [], diagnostics: sink.result() };
  }
  if (!chosen) {
    if (options.format !== undefined) {
      sink.error('unknown-format', `Unknown format "${options.format}"; known: ${formats.map((f) => f.id).join(', ')}.`, { start: 0, end: 0 });
    } else {
      // input.json() was computed by detection already; reading its errors cannot throw.
      const json = input.json();
      if (json) reportSyntaxErrors(json, sink);
      sink.info('unknown-format', `No transcript format recognised in ${name} (tried ${formats.map((f) => f.label).join(', ')}).`, { start: 0, end: 0 });
    }
    return { format: 'unknown', conversations: [], diagnostics: sink.result() };
  }
  try {
    const conversations = chosen.parse(input, sink);
    return { format: chosen.id, conversations, diagnostics: sink.result() };
  } catch (e) {
    // A parser bug must not take the editor down; the fuzz tests look for this code.
    sink.error('internal-error', `Persona Lens could not read ${name} as ${chosen.label}: ${e instanceof Error ? e.message : String(e)}`, { start: 0, end: 0 });
    return { format: chosen.id, conversations: [], diagnostics: sink.result() };
  }
}

/**
 * The result for a file over the size limit, without its text: lets a caller that knows the size
 * (a stat, an editor document's length) refuse it before reading or copying the text.
 * `atLeast`: `bytes` is a lower bound of the size.
 */
export function tooLargeResult(fileName: string, maxBytes: number, bytes: number, atLeast: boolean): ParseResult {
  const sink = new DiagnosticSink(0);
  sink.error(
    'too-large',
    `${baseName(fileName)} is larger than the ${formatBytes(maxBytes)} limit for transcripts (${atLeast ? 'at least ' : ''}${formatBytes(bytes)}); it is not parsed. Raise the limit to read it.`,
    { start: 0, end: 0 },
  );
  return { format: 'unknown', conversations: [], diagnostics: sink.result() };
}

/** The registered formats, in detection priority order. */
export function listFormats(): FormatInfo[] {
  return FORMATS.map((f) => ({ id: f.id, label: f.label, extensions: [...f.extensions] }));
}

/** The best-scoring format for an input, or undefined when none scores above zero. */
export function detect(input: FormatInput, formats: readonly TranscriptFormat[] = FORMATS): TranscriptFormat | undefined {
  let best: TranscriptFormat | undefined;
  let bestScore = 0;
  for (const f of formats) {
    const score = f.detect(input);
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}
