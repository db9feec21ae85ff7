/** Scoring one conversation of a named input (ab), and the scored conversation `score` and `report` hand on. */
import type { ConversationScores } from '../core/scores';
import type { Conversation } from '../core/transcript';
import type { EngineClient } from '../engine/client';
import { EngineError } from '../protocol/errors';
import { scoreConversation, type OpenSession } from '../engine/session';
import { UsageError } from './exitCodes';

/** One scored conversation and where it came from. */
export interface ScoredConversation {
  readonly file: string;
  /** Zero-based index of the conversation in its file. */
  readonly index: number;
  /** Number of conversations in the file (for names like "file #2"). */
  readonly count: number;
  readonly conversation: Conversation;
  readonly scores: ConversationScores;
}

/**
 * Runs an engine request for the input named `where`; a request the model cannot take (a first
 * message or prompt longer than its context, say) is the user's input problem: a UsageError
 * (exit 2) that names the input.
 */
export async function namedBadRequest<T>(where: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError && e.code === 'bad-request') throw new UsageError(`${where}: ${e.message}`);
    throw e;
  }
}

/** Scores one conversation of the input named `name` (see namedBadRequest). */
export function scoreNamed(
  client: EngineClient,
  session: OpenSession,
  conversation: Conversation,
  name: string,
  signal: AbortSignal,
): Promise<ConversationScores> {
  return namedBadRequest(name, () => scoreConversation(client, session, conversation, signal));
}
