/** Reading transcript files for the CLI: every problem is reported on stderr before a model loads. */
import { parse } from '../core/formats';
import { printable } from '../core/report/format';
import { offsetToPosition } from '../core/textPosition';
import type { Conversation } from '../core/transcript';
import { readTextFile, UserFileError } from '../worker/files';

/** One readable transcript file with at least one conversation that has an assistant turn. */
export interface TranscriptInput {
  readonly file: string;
  readonly conversations: readonly Conversation[];
}

/** Default of --max-file-mb: the editor's persona-lens.maxFileSizeMB default. */
export const DEFAULT_MAX_FILE_MB = 10;

/**
 * Reads and parses each file; unreadable files, parse errors and files without an assistant turn
 * are written to stderr as `file:line:col: severity: message` and counted in `errors`. Each path is
 * stat'ed before it is opened: folders, FIFOs, devices and files over `maxBytes` are refused unread.
 */
export function readTranscripts(
  files: readonly string[],
  maxBytes = DEFAULT_MAX_FILE_MB * 1024 * 1024,
): { inputs: TranscriptInput[]; errors: number } {
  const inputs: TranscriptInput[] = [];
  let errors = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readTextFile(file, { maxBytes, what: 'transcript', hint: 'raise --max-file-mb to read it' });
    } catch (e) {
      if (!(e instanceof UserFileError)) throw e;
      process.stderr.write(`${printable(e.message)}\n`);
      errors++;
      continue;
    }
    const parsed = parse(text, file, { maxBytes });
    for (const d of parsed.diagnostics) {
      const p = offsetToPosition(text, d.range.start);
      process.stderr.write(printable(`${file}:${p.line + 1}:${p.column + 1}: ${d.severity}: ${d.message}`) + '\n');
      if (d.severity === 'error') errors++;
    }
    if (!parsed.conversations.some(hasAssistant)) {
      process.stderr.write(
        `${printable(file)}: no conversation with an assistant turn found (format: ${parsed.format})\n`,
      );
      errors++;
      continue;
    }
    inputs.push({ file, conversations: parsed.conversations });
  }
  return { inputs, errors };
}

/** True when the conversation has something to score. */
export function hasAssistant(c: Conversation): boolean {
  return c.turns.some((t) => t.role === 'assistant');
}

/** "file" for a one-conversation file, "file #2" for the second of several (as `score` prints them). */
export function conversationName(file: string, index: number, count: number): string {
  return count > 1 ? `${file} #${index + 1}` : file;
}
