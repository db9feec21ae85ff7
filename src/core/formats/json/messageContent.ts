import type { Node } from 'jsonc-parser';
import type { Role, Turn, TurnPart } from '../../transcript';
import { partsTurn, placeholderPart, spanTurn, toolCallPart, type TurnExtras } from '../conversation';
import type { DiagnosticSink } from '../diagnosticSink';
import { items, plain, prop, spanOf, str, stringSpan, type StringSpan } from './jsonNodes';

/** A message's "content" as read: absent/null, a malformed string, one string, or a list of parts. */
export type ContentRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'string'; readonly span: StringSpan }
  | { readonly kind: 'parts'; readonly parts: readonly TurnPart[] };

// Part types whose text is scored, and the key that holds it. OpenAI chat: text, refusal;
// OpenAI Responses: input_text, output_text; Anthropic and Inspect: text.
const TEXT_KEYS: Readonly<Record<string, string>> = {
  text: 'text',
  // ChatGPT exports: a voice message's transcript.
  audio_transcription: 'text',
  input_text: 'text',
  output_text: 'text',
  refusal: 'refusal',
};

/** Reports a string literal that cannot be decoded, so its turn is skipped with a reason. */
export function reportInvalidString(node: Node, sink: DiagnosticSink): void {
  sink.error(
    'invalid-string',
    'This string is not valid JSON (unterminated, a bad escape, or a raw control character); its turn is skipped.',
    spanOf(node),
  );
}

/** A string node as a span, reporting it when malformed. */
export function readString(text: string, node: Node, sink: DiagnosticSink): StringSpan | undefined {
  const span = stringSpan(text, node);
  if (!span) reportInvalidString(node, sink);
  return span;
}

/** One element of a parts list: a text part, a placeholder, or nothing (malformed, reported). */
export function readPart(text: string, el: Node, sink: DiagnosticSink): TurnPart | undefined {
  if (el.type === 'string') {
    const span = readString(text, el, sink);
    return span ? { ...span, encoding: 'json-string' } : undefined;
  }
  // ChatGPT exports name a part's type "content_type".
  const type = str(prop(el, 'type')) ?? str(prop(el, 'content_type'));
  const key = type !== undefined && Object.hasOwn(TEXT_KEYS, type) ? TEXT_KEYS[type] : undefined;
  const textNode = key ? prop(el, key) : undefined;
  if (textNode?.type === 'string') {
    const span = readString(text, textNode, sink);
    return span ? { ...span, encoding: 'json-string' } : undefined;
  }
  return placeholderPart(type ?? (el.type === 'object' ? 'unknown' : el.type), spanOf(el), sink);
}

/** Reads a "content" value: a string, a list of parts, or null/absent. */
export function readContent(text: string, node: Node | undefined, sink: DiagnosticSink): ContentRead {
  if (!node || node.type === 'null') return { kind: 'none' };
  if (node.type === 'string') {
    const span = readString(text, node, sink);
    return span ? { kind: 'string', span } : { kind: 'invalid' };
  }
  if (node.type === 'array') {
    const parts = items(node).flatMap((el) => readPart(text, el, sink) ?? []);
    return { kind: 'parts', parts };
  }
  // A lone object (some exporters write one part without the list) is read as a one-part list.
  if (node.type === 'object') {
    const part = readPart(text, node, sink);
    return part ? { kind: 'parts', parts: [part] } : { kind: 'invalid' };
  }
  return { kind: 'parts', parts: [placeholderPart(node.type, spanOf(node), sink)] };
}

/** The turn for read content, or undefined when there is none. */
export function contentTurn(role: Role, content: ContentRead, extras: TurnExtras = {}): Turn | undefined {
  if (content.kind === 'string') return spanTurn(role, content.span, 'json-string', extras);
  if (content.kind === 'parts') return partsTurn(role, content.parts, extras);
  return undefined;
}

/** The parts a content read contributes to a multi-part turn (a string becomes one json-string part). */
export function contentParts(content: ContentRead): TurnPart[] {
  if (content.kind === 'string') return [{ ...content.span, encoding: 'json-string' }];
  if (content.kind === 'parts') return [...content.parts];
  return [];
}

/**
 * A tool call as a part. `args` is the arguments node: a JSON string (OpenAI) is decoded when it
 * holds JSON, an object (Inspect, Anthropic "input") is taken as is.
 */
export function callPart(name: string | undefined, args: Node | undefined, call: Node, id?: string): TurnPart {
  return toolCallPart(name, argumentsValue(args), spanOf(call), id);
}

function argumentsValue(node: Node | undefined): unknown {
  if (!node) return {};
  if (node.type === 'string' && typeof node.value === 'string') {
    try {
      return JSON.parse(node.value) as unknown;
    } catch {
      return node.value;
    }
  }
  return plain(node);
}
