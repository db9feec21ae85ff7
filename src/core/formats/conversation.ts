import {
  hasAssistantTurn,
  PART_SEPARATOR,
  renderToolCall,
  type Conversation,
  type Role,
  type Severity,
  type TextRange,
  type Turn,
  type TurnKind,
  type TurnPart,
} from '../transcript';
import type { DiagnosticSink } from './diagnosticSink';

/** Fields every parser may set on a turn besides role, text and range. */
export interface TurnExtras {
  readonly kind?: TurnKind;
  readonly rawRole?: string;
  readonly name?: string;
  readonly toolCallId?: string;
}

/** A turn whose text is one span of the source ("verbatim" or "json-string"). */
export function spanTurn(
  role: Role,
  span: { readonly text: string; readonly range: TextRange },
  encoding: 'verbatim' | 'json-string',
  extras: TurnExtras = {},
): Turn {
  return { role, text: span.text, range: span.range, encoding, kind: extras.kind ?? 'message', ...optional(extras) };
}

/** A turn made of several parts (encoding "parts"); undefined when there are none. */
export function partsTurn(role: Role, parts: readonly TurnPart[], extras: TurnExtras = {}): Turn | undefined {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!first || !last) return undefined;
  return {
    role,
    text: parts.map((p) => p.text).join(PART_SEPARATOR),
    range: { start: first.range.start, end: last.range.end },
    encoding: 'parts',
    parts,
    kind: extras.kind ?? 'message',
    ...optional(extras),
  };
}

/** A placeholder part for a non-text block, reported as an info diagnostic so nothing is dropped silently. */
export function placeholderPart(type: string, range: TextRange, sink: DiagnosticSink): TurnPart {
  // The type comes from the file; keep brackets, newlines and long junk out of the turn text.
  const text = /^[A-Za-z0-9_.-]{1,40}$/.test(type) ? `[${type}]` : '[non-text]';
  sink.info('placeholder', `Non-text content "${type.slice(0, 40)}" is kept as the placeholder ${text}; only text is scored.`, range);
  return { text, range, encoding: 'placeholder', placeholderType: type };
}

/** A tool call as a part of the assistant turn that makes it: rendered text, range = the call in the source. */
export function toolCallPart(name: string | undefined, args: unknown, range: TextRange, id?: string): TurnPart {
  return {
    text: renderToolCall(name, args),
    range,
    encoding: 'toolCall',
    ...(name !== undefined ? { name } : {}),
    ...(id !== undefined ? { toolCallId: id } : {}),
  };
}

/**
 * The turn of one assistant (or other) message from its parts; kind "toolCall" when it only calls
 * tools. Whitespace-only text parts next to calls are dropped (models often emit "" or "\n\n" there).
 */
export function messageTurn(role: Role, parts: readonly TurnPart[], extras: TurnExtras = {}): Turn | undefined {
  const hasCall = parts.some((p) => p.encoding === 'toolCall');
  const kept = (hasCall ? parts.filter((p) => p.encoding === 'toolCall' || p.encoding === 'placeholder' || p.text.trim() !== '') : [...parts])
    // In the file's order (content is normally written before the calls), so the turn's range spans its parts.
    .sort((a, b) => a.range.start - b.range.start);
  const onlyCalls = hasCall && kept.every((p) => p.encoding === 'toolCall');
  return partsTurn(role, kept, { ...extras, kind: onlyCalls ? 'toolCall' : (extras.kind ?? 'message') });
}

/** Warns when a message turn holds only whitespace (tool calls and results may legitimately be empty). */
export function checkEmpty(turn: Turn, sink: DiagnosticSink): void {
  if ((turn.kind ?? 'message') !== 'message' || turn.text.trim() !== '') return;
  sink.warning('empty-turn', `Empty ${turn.role} turn: there is no text to score.`, turn.range);
}

/** What a parser knows about one conversation before checks. */
export interface ConversationDraft {
  readonly turns: readonly Turn[];
  readonly system?: Turn;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly range: TextRange;
  /** Where "no assistant turn" is reported (e.g. the "messages" key); defaults to the record's first character. */
  readonly anchor?: TextRange;
  readonly label?: string;
  readonly branch?: boolean;
  readonly recordedProjections?: readonly number[];
}

/** Checks a draft (empty turns, missing assistant turn) and returns the conversation. */
export function finishConversation(draft: ConversationDraft, sink: DiagnosticSink, missingAssistant: Severity = 'info'): Conversation {
  const anchor = draft.anchor ?? { start: draft.range.start, end: Math.min(draft.range.end, draft.range.start + 1) };
  const where = draft.label ? ` (${draft.label})` : '';
  if (draft.turns.length === 0 && !draft.system) {
    sink.warning('no-turns', `No conversation turns found${where}.`, anchor);
  } else if (!hasAssistantTurn(draft)) {
    sink.add(missingAssistant, 'no-assistant-turn', `No assistant turn${where}: there is nothing to score.`, anchor);
  }
  for (const t of draft.turns) checkEmpty(t, sink);
  if (draft.system) checkEmpty(draft.system, sink);
  return {
    turns: draft.turns,
    metadata: draft.metadata ?? {},
    range: draft.range,
    ...(draft.system ? { system: draft.system } : {}),
    ...(draft.label !== undefined ? { label: draft.label } : {}),
    ...(draft.branch ? { branch: true } : {}),
    ...(draft.recordedProjections ? { recordedProjections: draft.recordedProjections } : {}),
  };
}

function optional(e: TurnExtras): Partial<Turn> {
  const out: { rawRole?: string; name?: string; toolCallId?: string } = {};
  if (e.rawRole !== undefined) out.rawRole = e.rawRole;
  if (e.name !== undefined) out.name = e.name;
  if (e.toolCallId !== undefined) out.toolCallId = e.toolCallId;
  return out;
}
