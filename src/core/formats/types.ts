import type { Conversation } from '../transcript';
import type { DiagnosticSink } from './diagnosticSink';
import type { JsonSource } from './json/jsonSource';

/** What every format sees of the file being parsed. */
export interface FormatInput {
  readonly text: string;
  readonly fileName: string;
  /** Lower-case extension with its dot (".jsonl"), or "" when the name has none. */
  readonly extension: string;
  /** The text read as JSON or JSONL (parsed once, on first call); undefined when the file is not JSON-like. */
  json(): JsonSource | undefined;
}

/**
 * One transcript format. To add a format, write one file exporting a TranscriptFormat
 * (JSON formats: `defineJsonFormat`) and list it in registry.ts.
 */
export interface TranscriptFormat {
  /** Stable id reported in ParseResult.format ("openai-chat"). */
  readonly id: string;
  readonly label: string;
  /** Extensions this format is usually saved with (with the dot); a hint for detection only. */
  readonly extensions: readonly string[];
  /** Confidence in [0, 1] that the input is in this format; 0 means "not this format". */
  detect(input: FormatInput): number;
  /** Every conversation found; problems go to `sink`. Must not throw on malformed input. */
  parse(input: FormatInput, sink: DiagnosticSink): Conversation[];
}

/** A registry entry as listed to callers. */
export interface FormatInfo {
  readonly id: string;
  readonly label: string;
  readonly extensions: readonly string[];
}
