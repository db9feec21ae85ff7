/**
 * The transcript model shared by every layer: what a parser finds in a file.
 * Offsets are UTF-16 code-unit offsets into the original file text (what VS Code's
 * `document.positionAt` and JavaScript string indices use), half-open [start, end).
 */

/** A half-open span [start, end) of UTF-16 code units in the original text. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** Conversation roles after normalisation ("human" -> user, "gpt" -> assistant, ...). */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** One message of a conversation. */
export interface Turn {
  readonly role: Role;
  /** The message text after the format's unescaping (JSON string escapes, etc.). */
  readonly text: string;
  /** Where the turn's content sits in the original text (for JSON: the content string's span). */
  readonly range: TextRange;
}

/** One conversation; JSONL and eval logs hold many per file. */
export interface Conversation {
  readonly turns: readonly Turn[];
  /** A system prompt given outside the turn list (Anthropic's top-level "system", Prompty front matter). */
  readonly system?: Turn;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem with a place in the text. */
export interface TranscriptDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: TextRange;
  /** Stable machine-readable code, e.g. "json-syntax", "unknown-role", "empty-turn". */
  readonly code: string;
}

/** What `parse` returns for one file. */
export interface ParseResult {
  /** Format id from the registry, or "unknown" when nothing matched. */
  readonly format: string;
  readonly conversations: readonly Conversation[];
  readonly diagnostics: readonly TranscriptDiagnostic[];
}
