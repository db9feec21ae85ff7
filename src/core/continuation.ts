/**
 * "Continue the conversation" as data: two columns that start from the same conversation and then
 * each keep their own history — the uncapped model continues its own replies, the capped model its
 * own — while every user turn is given to both. Pure: generation lives in src/engine/continue.ts.
 */
import type { Conversation } from './transcript';
import { toEngineMessages, type EngineMessage } from './turnScores';

export type ContinuationColumn = 'uncapped' | 'capped';
export const CONTINUATION_COLUMNS: readonly ContinuationColumn[] = ['uncapped', 'capped'];

export interface Continuation {
  /** The conversation's own messages (system prompt first when it has one), shared by both columns. */
  readonly base: readonly EngineMessage[];
  /** Messages added after `base`, per column: user turns (the same in both) and each column's replies. */
  readonly added: Readonly<Record<ContinuationColumn, readonly EngineMessage[]>>;
}

export class ContinuationError extends Error {
  override readonly name = 'ContinuationError';
}

export function startContinuation(c: Conversation): Continuation {
  return { base: toEngineMessages(c).messages, added: { uncapped: [], capped: [] } };
}

/** The messages a column's next reply is generated after. */
export function columnMessages(s: Continuation, column: ContinuationColumn): EngineMessage[] {
  return [...s.base, ...s.added[column]];
}

/**
 * Adds the user turn of the next step (or none, when the conversation already ends with a user turn)
 * to both columns. A reply follows a user turn: without one, after an assistant turn, it is refused
 * with a message that says what to type.
 */
export function withUserTurn(s: Continuation, userText: string | undefined): Continuation {
  if (userText !== undefined) {
    if (userText.trim() === '') throw new ContinuationError('the user turn is empty');
    const user: EngineMessage = { role: 'user', content: userText };
    return { base: s.base, added: { uncapped: [...s.added.uncapped, user], capped: [...s.added.capped, user] } };
  }
  for (const column of CONTINUATION_COLUMNS) {
    const last = columnMessages(s, column).at(-1);
    if (!last) throw new ContinuationError('the conversation is empty: type a user turn to start it');
    if (last.role !== 'user')
      throw new ContinuationError(`the conversation ends with a${last.role === 'assistant' ? 'n' : ''} ${last.role} turn: type a user turn to continue it`);
  }
  return s;
}

/** Appends each column's new reply. */
export function withReplies(s: Continuation, replies: Readonly<Record<ContinuationColumn, string>>): Continuation {
  return {
    base: s.base,
    added: {
      uncapped: [...s.added.uncapped, { role: 'assistant', content: replies.uncapped }],
      capped: [...s.added.capped, { role: 'assistant', content: replies.capped }],
    },
  };
}

/**
 * The continued conversation as an OpenAI chat JSONL transcript: one line per column, each with its
 * whole history, so it opens in Persona Lens like any other file (each line is one conversation).
 */
export function continuationTranscript(s: Continuation, meta: { readonly model: string; readonly continuedAfter: number }): string {
  return CONTINUATION_COLUMNS.map((column) =>
    JSON.stringify({
      messages: columnMessages(s, column).map((m) => ({ role: m.role, content: m.content })),
      metadata: { persona_lens: { column, model: meta.model, continued_after_message: meta.continuedAfter } },
    }),
  ).join('\n') + '\n';
}
