/** Reading transcript files for the CLI: every problem is reported on stderr before a model loads. */
import { evalSampleLabel, parse } from '../core/formats';
import { printable } from '../core/report/format';
import { createLineIndex, offsetToPosition } from '../core/textPosition';
import { hasAssistantTurn, type Conversation } from '../core/transcript';
import { listEvalSamples, readEvalSampleDocument } from '../io/evalArchive';
import { checkRegularFile, readTextFile, UserFileError } from '../io/files';
import type { ProblemRecord } from '../core/corpus/record';

/** One readable transcript file with at least one conversation that has an assistant turn. */
export interface TranscriptInput {
  readonly file: string;
  readonly conversations: readonly Conversation[];
  /** 1-based line and column where each conversation starts, when the format records it. */
  readonly positions?: readonly ({ readonly line: number; readonly column: number } | null)[];
}

/** Default of --max-file-mb: the editor's persona-lens.maxFileSizeMB default. */
export const DEFAULT_MAX_FILE_MB = 10;

/**
 * Reads and parses each file; unreadable files, parse errors and files without an assistant turn
 * are written to stderr as `file:line:col: severity: message` and counted in `errors`. Each path is
 * stat'ed before it is opened: folders, FIFOs, devices and files over `maxBytes` are refused unread.
 * An Inspect `.eval` log (a zip archive, which may be far larger than `maxBytes`) is read sample by
 * sample, each as its own input ("log.eval › sample 1, epoch 1"; positions are in the sample's
 * document, as the editor shows it). Every problem also goes to `problems` when given (jsonl records).
 */
export async function readTranscripts(
  files: readonly string[],
  maxBytes = DEFAULT_MAX_FILE_MB * 1024 * 1024,
  problems?: ProblemRecord[],
): Promise<{ inputs: TranscriptInput[]; errors: number }> {
  const inputs: TranscriptInput[] = [];
  let errors = 0;
  const report = (p: ProblemRecord, line: string): void => {
    process.stderr.write(`${printable(line)}\n`);
    problems?.push(p);
  };
  for (const file of files) {
    if (file.toLowerCase().endsWith('.eval')) {
      errors += await readEvalLog(file, maxBytes, inputs, report);
      continue;
    }
    let text: string;
    try {
      text = readTextFile(file, { maxBytes, what: 'transcript', hint: 'raise --max-file-mb to read it' });
    } catch (e) {
      if (!(e instanceof UserFileError)) throw e;
      report(fileProblem(file, e.message), e.message);
      errors++;
      continue;
    }
    errors += parseInput(file, text, file, maxBytes, inputs, report);
  }
  return { inputs, errors };
}

type Report = (p: ProblemRecord, line: string) => void;

function fileProblem(file: string, message: string): ProblemRecord {
  return { type: 'error', file, conversation: null, line: null, column: null, message };
}

/** Every sample of an Inspect `.eval` log as an input of its own; returns the errors found. */
async function readEvalLog(file: string, maxBytes: number, inputs: TranscriptInput[], report: Report): Promise<number> {
  let samples;
  try {
    // Refuse folders, FIFOs and devices before the zip reader opens the path; the archive's size is no limit.
    checkRegularFile(file, { maxBytes: Number.POSITIVE_INFINITY });
    ({ samples } = await listEvalSamples(file));
    if (samples.length === 0) throw new Error('the log has no samples (written without them, or still running)');
  } catch (e) {
    // UserFileError messages name the file already.
    const message = e instanceof UserFileError ? e.message : `${file}: cannot read: ${(e as Error).message}`;
    report(fileProblem(file, message), message);
    return 1;
  }
  let errors = 0;
  for (const s of samples) {
    const name = `${file} › ${evalSampleLabel(s)}`;
    try {
      // Each sample's document is a one-sample Inspect JSON log.
      errors += parseInput(name, await readEvalSampleDocument(file, s), 'sample.json', maxBytes, inputs, report);
    } catch (e) {
      const message = `${name}: cannot read: ${(e as Error).message}`;
      report(fileProblem(name, message), message);
      errors++;
    }
  }
  return errors;
}

/** Parses one text, reports its diagnostics and adds it to `inputs` when it has an assistant turn; returns the errors. */
function parseInput(file: string, text: string, parseAs: string, maxBytes: number, inputs: TranscriptInput[], report: Report): number {
  let errors = 0;
  const parsed = parse(text, parseAs, { maxBytes });
  for (const d of parsed.diagnostics) {
    const p = offsetToPosition(text, d.range.start);
    report(
      { type: d.severity, file, conversation: null, line: p.line + 1, column: p.column + 1, message: d.message },
      `${file}:${p.line + 1}:${p.column + 1}: ${d.severity}: ${d.message}`,
    );
    if (d.severity === 'error') errors++;
  }
  if (!parsed.conversations.some(hasAssistantTurn)) {
    const message = `no conversation with an assistant turn found (format: ${parsed.format})`;
    report(fileProblem(file, message), `${file}: ${message}`);
    return errors + 1;
  }
  const lines = createLineIndex(text);
  const positions = parsed.conversations.map((c) => {
    if (!c.range) return null;
    const p = lines.positionAt(c.range.start);
    return { line: p.line + 1, column: p.column + 1 };
  });
  inputs.push({ file, conversations: parsed.conversations, positions });
  return errors;
}

/** "file" for a one-conversation file, "file #2" for the second of several (as `score` prints them). */
export function conversationName(file: string, index: number, count: number): string {
  return count > 1 ? `${file} #${index + 1}` : file;
}
