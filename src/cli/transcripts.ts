/** Reading transcript files for the CLI: every problem is reported on stderr before a model loads. */
import { readFileSync } from 'node:fs';
import { parse } from '../core/formats';
import { offsetToPosition } from '../core/textPosition';
import type { Conversation } from '../core/transcript';

/** One readable transcript file with at least one conversation that has an assistant turn. */
export interface TranscriptInput {
  readonly file: string;
  readonly conversations: readonly Conversation[];
}

/**
 * Reads and parses each file; unreadable files, parse errors and files without an assistant turn
 * are written to stderr as `file:line:col: severity: message` and counted in `errors`.
 */
export function readTranscripts(files: readonly string[]): { inputs: TranscriptInput[]; errors: number } {
  const inputs: TranscriptInput[] = [];
  let errors = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(
        `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`,
      );
      errors++;
      continue;
    }
    const parsed = parse(text, file);
    for (const d of parsed.diagnostics) {
      const p = offsetToPosition(text, d.range.start);
      process.stderr.write(`${file}:${p.line + 1}:${p.column + 1}: ${d.severity}: ${d.message}\n`);
      if (d.severity === 'error') errors++;
    }
    if (!parsed.conversations.some(hasAssistant)) {
      process.stderr.write(
        `${file}: no conversation with an assistant turn found (format: ${parsed.format})\n`,
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
