/**
 * The records of `persona-lens score --format jsonl`: one JSON object per line, each a scored
 * conversation or a problem, so a pipeline can read a corpus run while it is still going
 * (docs: README, "Command line").
 */
import type { GateFailure } from '../gate';
import { conversationJson } from '../report/scoreExport';
import type { ConversationScores } from '../scores';

/** A problem with one input: unreadable or unparsable file, or a conversation the model cannot take. */
export interface ProblemRecord {
  readonly type: 'error' | 'warning' | 'info';
  readonly file: string;
  /** Zero-based conversation index in the file, or null for a problem with the file itself. */
  readonly conversation: number | null;
  /** 1-based position in the file, or null when the problem has none. */
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

/** The JSONL line of one scored conversation: `{"type":"conversation", ...score --format json's object}`. */
export function conversationRecord(file: string, conversation: number, scores: ConversationScores, gateFailures: readonly GateFailure[]): string {
  return `${JSON.stringify({ type: 'conversation', ...conversationJson({ file, conversation, scores, gateFailures }) })}\n`;
}

/** The JSONL line of a problem (fields in a fixed order, every field present). */
export function problemRecord(p: ProblemRecord): string {
  return `${JSON.stringify({ type: p.type, file: p.file, conversation: p.conversation, line: p.line, column: p.column, message: p.message })}\n`;
}

/**
 * How a problem reads on stderr: `file:line:col: error: conversation 2: message` in a file of several
 * conversations; `file: message` for a file's only conversation (as before corpora, where the file says it all).
 */
export function problemLine(p: ProblemRecord, severalInFile = true): string {
  if (!severalInFile && p.conversation !== null) return `${p.file}: ${p.message}`;
  const at = p.line === null ? '' : `:${p.line}:${p.column ?? 1}`;
  const which = p.conversation === null ? '' : `conversation ${p.conversation + 1}: `;
  return `${p.file}${at}: ${p.type}: ${which}${p.message}`;
}
