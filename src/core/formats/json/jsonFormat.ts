import type { Node } from 'jsonc-parser';
import type { Conversation, TextRange } from '../../transcript';
import type { DiagnosticSink } from '../diagnosticSink';
import type { FormatInput, TranscriptFormat } from '../types';
import { items } from './jsonNodes';
import type { JsonSource } from './jsonSource';

/** One record handed to a JSON format: the whole file, one JSONL line, or one element of a top-level array. */
export interface JsonRecord {
  readonly node: Node;
  readonly range: TextRange;
  readonly label?: string;
}

/** What a JSON format supplies; framing (JSON, JSONL, array of records) is handled for it. */
export interface JsonFormatSpec {
  readonly id: string;
  readonly label: string;
  readonly extensions: readonly string[];
  /** Confidence in [0, 1] that one value is a record of this format. */
  score(node: Node): number;
  /** The conversations in one record (usually one; Inspect logs hold many). */
  read?(record: JsonRecord, text: string, sink: DiagnosticSink): Conversation[];
  /**
   * For formats whose conversation spans records (a session log with one event per JSONL line):
   * every recognised record at once, in text order. Used instead of `read` when given.
   */
  readAll?(records: readonly JsonRecord[], text: string, sink: DiagnosticSink): Conversation[];
}

const SAMPLE = 8;

/** Makes a registry entry for a JSON-based format. */
export function defineJsonFormat(spec: JsonFormatSpec): TranscriptFormat {
  return {
    id: spec.id,
    label: spec.label,
    extensions: spec.extensions,
    detect(input: FormatInput): number {
      const source = input.json();
      if (!source) return 0;
      const { confidence } = chooseRecords(source, (n) => spec.score(n));
      // The extension only breaks ties between formats that read the content equally well.
      return confidence > 0 && spec.extensions.includes(input.extension) ? Math.min(1, confidence + 0.01) : confidence;
    },
    parse(input: FormatInput, sink: DiagnosticSink): Conversation[] {
      const source = input.json();
      if (!source) return [];
      const out: Conversation[] = [];
      const all: JsonRecord[] = [];
      for (const record of chooseRecords(source, (n) => spec.score(n)).records) {
        if (spec.score(record.node) === 0) {
          const where = record.label ? ` (${record.label})` : '';
          sink.warning('unrecognized-record', `Not a ${spec.label} record${where}; it is skipped.`, {
            start: record.range.start,
            end: Math.min(record.range.end, record.range.start + 1),
          });
          continue;
        }
        if (spec.readAll) all.push(record);
        else if (spec.read) out.push(...spec.read(record, input.text, sink));
      }
      if (spec.readAll) out.push(...spec.readAll(all, input.text, sink));
      // After the pass above, so that JSONL errors come from it rather than a second read.
      reportSyntaxErrors(source, sink);
      return out;
    },
  };
}

/** Reports every JSON syntax error of a source as an error diagnostic. */
export function reportSyntaxErrors(source: JsonSource, sink: DiagnosticSink): void {
  for (const e of source.errors()) sink.error('json-syntax', e.message, e.range);
}

/**
 * The records of a source for one format and how well they match: JSONL lines as they are; for a
 * whole-file value, either the value itself or, when that matches better, the elements of a
 * top-level array (datasets are often saved as a JSON array of records).
 */
function chooseRecords(source: JsonSource, score: (n: Node) => number): { records: Iterable<JsonRecord>; confidence: number } {
  if (source.framing === 'jsonl') {
    const sample = source.head;
    const confidence = sample.length === 0 ? 0 : sample.reduce((s, v) => s + score(v.node), 0) / sample.length;
    return { records: source.values(), confidence };
  }
  const root = source.head[0];
  if (!root) return { records: [], confidence: 0 };
  const own = score(root.node);
  const elements = items(root.node);
  if (root.node.type === 'array' && elements.length > 0) {
    const sample = elements.slice(0, SAMPLE);
    const asRecords = sample.reduce((s, e) => s + score(e), 0) / sample.length;
    if (asRecords > own) {
      const records = elements.map((node, i) => ({ node, range: { start: node.offset, end: node.offset + node.length }, label: `record ${i + 1}` }));
      return { records, confidence: asRecords };
    }
  }
  return { records: [root], confidence: own };
}
