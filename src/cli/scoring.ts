/** Scoring every conversation of every input in one session, as `score` and `report` do. */
import type { ConversationScores } from '../core/scores';
import type { Conversation } from '../core/transcript';
import type { EngineClient } from '../engine/client';
import { EngineError } from '../protocol/errors';
import { scoreConversation, type OpenSession } from '../engine/session';
import { UsageError } from './exitCodes';
import type { Progress } from './progress';
import { conversationName, type TranscriptInput } from './transcripts';
import { hasAssistantTurn } from '../core/transcript';

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

/** Scores the conversations that have an assistant turn, in file order; a cut conversation gets a warning on stderr. */
export async function scoreInputs(
  client: EngineClient,
  session: OpenSession,
  inputs: readonly TranscriptInput[],
  progress: Progress,
  signal: AbortSignal,
): Promise<ScoredConversation[]> {
  const total = inputs.reduce((n, i) => n + i.conversations.length, 0);
  const results: ScoredConversation[] = [];
  let done = 0;
  for (const { file, conversations } of inputs) {
    for (const [index, conversation] of conversations.entries()) {
      const name = conversationName(file, index, conversations.length);
      progress.update(`scoring ${name}`, done / total);
      if (hasAssistantTurn(conversation)) {
        const scores = await scoreNamed(client, session, conversation, name, signal);
        if (scores.truncated) {
          const t = scores.truncated;
          progress.clear();
          process.stderr.write(
            `${name}: warning: scored turns 0-${t.firstTurnLeftOut - 1} only; the conversation is ${t.fullTokens} tokens and the limit is ${t.tokenLimit}\n`,
          );
        }
        results.push({ file, index, count: conversations.length, conversation, scores });
      }
      done++;
    }
  }
  progress.update(`scored ${total} conversation${total === 1 ? '' : 's'}`, 1);
  return results;
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
