/** Reading transcript files for the CLI: every problem is reported on stderr before a model loads. */
import { readFileSync } from 'node:fs';
import { evalSampleLabel, parse } from '../core/formats';
import { listEvalSamples, readEvalSampleDocument } from '../io/evalArchive';
import { offsetToPosition } from '../core/textPosition';
import type { Conversation } from '../core/transcript';

/** One readable transcript file with at least one conversation that has an assistant turn. */
export interface TranscriptInput {
  readonly file: string;
  readonly conversations: readonly Conversation[];
}

/**
 * Reads and parses each file; unreadable files, parse errors and files without an assistant turn
 * are written to stderr as `file:line:col: severity: message` and counted in `errors`. An Inspect
 * `.eval` log is read sample by sample, each as its own input ("log.eval › sample 1, epoch 1";
 * positions are in the sample's document, as the editor shows it).
 */
export async function readTranscripts(files: readonly string[]): Promise<{ inputs: TranscriptInput[]; errors: number }> {
  const inputs: TranscriptInput[] = [];
  let errors = 0;
  for (const file of files) {
    if (file.toLowerCase().endsWith('.eval')) {
      errors += await readEvalLog(file, inputs);
      continue;
    }
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
    errors += parseInput(file, text, file, inputs);
  }
  return { inputs, errors };
}

/** Every sample of an Inspect `.eval` log as an input of its own; returns the errors found. */
async function readEvalLog(file: string, inputs: TranscriptInput[]): Promise<number> {
  let samples;
  try {
    ({ samples } = await listEvalSamples(file));
    if (samples.length === 0) throw new Error('the log has no samples (written without them, or still running)');
  } catch (e) {
    process.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
    return 1;
  }
  let errors = 0;
  for (const s of samples) {
    const name = `${file} › ${evalSampleLabel(s)}`;
    try {
      // Each sample's document is a one-sample Inspect JSON log.
      errors += parseInput(name, await readEvalSampleDocument(file, s), 'sample.json', inputs);
    } catch (e) {
      process.stderr.write(`${name}: cannot read: ${(e as Error).message}\n`);
      errors++;
    }
  }
  return errors;
}

/** Parses one text, reports its diagnostics and adds it to `inputs` when it has an assistant turn; returns the errors. */
function parseInput(file: string, text: string, parseAs: string, inputs: TranscriptInput[]): number {
  let errors = 0;
  const parsed = parse(text, parseAs);
  for (const d of parsed.diagnostics) {
    const p = offsetToPosition(text, d.range.start);
    process.stderr.write(`${file}:${p.line + 1}:${p.column + 1}: ${d.severity}: ${d.message}\n`);
    if (d.severity === 'error') errors++;
  }
  if (!parsed.conversations.some(hasAssistant)) {
    process.stderr.write(
      `${file}: no conversation with an assistant turn found (format: ${parsed.format})\n`,
    );
    return errors + 1;
  }
  inputs.push({ file, conversations: parsed.conversations });
  return errors;
}

/** True when the conversation has something to score. */
export function hasAssistant(c: Conversation): boolean {
  return c.turns.some((t) => t.role === 'assistant');
}

/** "file" for a one-conversation file, "file #2" for the second of several (as `score` prints them). */
export function conversationName(file: string, index: number, count: number): string {
  return count > 1 ? `${file} #${index + 1}` : file;
}
