/**
 * Continues a conversation by one step: the next assistant reply generated once without and once
 * with capping, each after its own column's history (src/core/continuation.ts), under the same
 * decoding, and scored like a re-run's replies (uncapped model, monitor layer). Host side, over
 * EngineClient; the CLI `continue` calls it step by step.
 */
import {
  CONTINUATION_COLUMNS,
  columnMessages,
  withReplies,
  withUserTurn,
  type Continuation,
  type ContinuationColumn,
} from '../core/continuation';
import type { EngineClient, TokenEvent } from './client';
import { scoreReply, type GeneratedReply, type RerunOptions } from './rerun';
import type { OpenSession } from './session';

export interface ContinueStep {
  /** The user turn this step answered (null: the conversation already ended with one). */
  readonly user: string | null;
  /** One reply per column, uncapped first. */
  readonly replies: readonly (GeneratedReply & { readonly variant: ContinuationColumn })[];
}

export interface ContinueOptions extends Pick<RerunOptions, 'sampling' | 'maxTokens'> {
  readonly onColumn?: (column: ContinuationColumn) => void;
  readonly onToken?: (column: ContinuationColumn, token: TokenEvent) => void;
}

/** Generates the next reply in both columns; returns the step and the state after it. */
export async function continueStep(
  client: EngineClient,
  s: OpenSession,
  state: Continuation,
  userText: string | undefined,
  o: ContinueOptions,
  signal?: AbortSignal,
): Promise<{ step: ContinueStep; state: Continuation }> {
  const asked = withUserTurn(state, userText);
  const replies: (GeneratedReply & { variant: ContinuationColumn })[] = [];
  for (const column of CONTINUATION_COLUMNS) {
    o.onColumn?.(column);
    const prefix = columnMessages(asked, column);
    const gen = await client.generate(
      prefix,
      { axis: s.spec, capping: column === 'capped', maxTokens: o.maxTokens, sampling: o.sampling },
      o.onToken ? (t) => o.onToken?.(column, t) : undefined,
      signal,
    );
    const scored = await scoreReply(client, s, prefix, gen.text, signal);
    replies.push({ ...scored, variant: column, stopReason: gen.stopReason, generatedTokens: gen.tokens.text.length });
  }
  const byColumn = Object.fromEntries(replies.map((r) => [r.variant, r.text])) as Record<ContinuationColumn, string>;
  return { step: { user: userText ?? null, replies }, state: withReplies(asked, byColumn) };
}
