/** Transcript formats: parse a file's text into conversations with exact turn ranges. */
export { parse, listFormats, detect, makeInput, tooLargeResult, type ParseOptions } from './parse';
export { DEFAULT_MAX_BYTES } from './encoding';
export { FORMATS } from './registry';
export { evalSampleDocument, evalSampleEntries, evalSampleLabel, type EvalSampleEntry } from './inspectEvalSample';
export { defineJsonFormat, type JsonFormatSpec, type JsonRecord } from './json/jsonFormat';
export { DiagnosticSink, type DiagnosticCode } from './diagnosticSink';
export type { FormatInfo, FormatInput, TranscriptFormat } from './types';
export {
  PART_SEPARATOR,
  renderToolCall,
  type Conversation,
  type ParseResult,
  type PartEncoding,
  type Role,
  type Severity,
  type TextRange,
  type TranscriptDiagnostic,
  type Turn,
  type TurnEncoding,
  type TurnKind,
  type TurnPart,
} from '../transcript';
