/** `persona-lens continue FILE`: the next assistant turns without and with capping, side by side. */
import { parseArgs } from 'node:util';
import { continuationTranscript, startContinuation, type Continuation } from '../core/continuation';
import { printable } from '../core/report/format';
import { continueStep, type ContinueStep } from '../engine/continue';
import { RERUN_MAX_TOKENS } from '../engine/rerun';
import { openSession } from '../engine/session';
import { joinNegativeNumbers } from './args';
import { createClient, loadProgress } from './context';
import { ENGINE_OPTIONS, ENGINE_USAGE, integerOption, maxFileBytes, sessionOptions } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { Progress } from './progress';
import { DECODING_OPTIONS, samplingFrom, replySection } from './rerun';
import { namedBadRequest } from './scoring';
import { readTranscripts } from './transcripts';

export const CONTINUE_USAGE = `Usage: persona-lens continue FILE [--user TEXT]... [options]

Continues a conversation: generates the next assistant reply once without and once with
activation capping (same decoding for both), each column continuing its own replies, and prints
both with their values (measured like "score": uncapped model, monitor layer). Each --user adds one
more step: that user turn is given to both columns, then both reply.

Options:
  --user TEXT        a user turn to continue with (repeat for several steps); when the conversation
                     already ends with a user turn, the first step answers it
  --conversation C   which conversation of a multi-conversation file (1 = first, default)
  --seed S           seeded sampling (see "rerun --help"); without it, greedy decoding
  --temperature T    sampling temperature with --seed
  --top-p P          nucleus sampling mass with --seed
  --max-tokens K     tokens generated per reply (default ${RERUN_MAX_TOKENS})
  --format F         text (default), json (values and per-token values per step), or transcript
                     (the continued conversation as OpenAI chat JSONL: one line per column)
${ENGINE_USAGE}`;

/** Runs the continue command; resolves with the exit code. */
export async function runContinue(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    options: {
      ...ENGINE_OPTIONS,
      user: { type: 'string', multiple: true, default: [] },
      conversation: { type: 'string', default: '1' },
      ...DECODING_OPTIONS,
    },
  });
  if (positionals.length !== 1)
    throw new UsageError(`continue takes one transcript file, got ${positionals.length}\n\n${CONTINUE_USAGE}`);
  const conversationNumber = integerOption('conversation', values.conversation, 1) as number;
  const maxTokens = integerOption('max-tokens', values['max-tokens'], 1, 4096) as number;
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'transcript')
    throw new UsageError(`--format must be text, json or transcript, not "${format}"`);
  const sampling = samplingFrom(values);
  const users = values.user;
  if (users.some((u) => u.trim() === '')) throw new UsageError('--user needs a non-empty text');

  const file = positionals[0] as string;
  const { inputs, errors } = await readTranscripts([file], maxFileBytes(values));
  const input = inputs[0];
  if (!input || errors > 0) return ExitCode.badInput;
  const conversation = input.conversations[conversationNumber - 1];
  if (!conversation)
    throw new UsageError(`${file}: there is no conversation ${conversationNumber}; the file has ${input.conversations.length}`);
  const where = input.conversations.length > 1 ? `${file} #${conversationNumber}` : file;
  const endsWithUser = conversation.turns.at(-1)?.role === 'user';
  // One step per --user, plus one that answers the conversation's own last user turn.
  const steps: (string | undefined)[] = [...(endsWithUser ? [undefined] : []), ...users];
  if (steps.length === 0)
    throw new UsageError(`${where}: the conversation ends with a${conversation.turns.at(-1)?.role === 'assistant' ? 'n' : ''} ${conversation.turns.at(-1)?.role ?? 'empty'} turn; give --user TEXT to continue it`);

  const progress = new Progress(values.quiet);
  const client = createClient(values.verbose);
  try {
    progress.update(`loading model ${values.model}`);
    const session = await openSession(client, sessionOptions(values), loadProgress(progress), signal);
    let state: Continuation = startContinuation(conversation);
    const done: ContinueStep[] = [];
    const out: string[] = [];
    for (const [i, user] of steps.entries()) {
      let generated = 0;
      const next = await namedBadRequest(where, () =>
        continueStep(client, session, state, user, {
          sampling,
          maxTokens,
          onColumn: (c) => {
            generated = 0;
            progress.update(`step ${i + 1}/${steps.length}: generating the ${c} reply`, 0);
          },
          onToken: (c) => {
            generated++;
            progress.update(`step ${i + 1}/${steps.length}: generating the ${c} reply: ${generated} tokens`, generated / maxTokens);
          },
        }, signal),
      );
      state = next.state;
      done.push(next.step);
      if (format === 'text') {
        out.push(`step ${i + 1} — user: ${next.step.user === null ? '(the conversation\'s last user turn)' : printable(next.step.user, 400)}`);
        for (const r of next.step.replies) out.push(replySection(r.variant, r));
      }
    }
    progress.done();
    const model = session.ref.label;
    if (format === 'transcript') {
      process.stdout.write(continuationTranscript(state, { model, continuedAfter: state.base.length }));
    } else if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ file, conversation: conversationNumber - 1, model, axis: session.axisPath, sampling, maxTokens, steps: done }, null, 2)}\n`);
    } else {
      process.stdout.write(`${where} — model ${model}, continued after its last turn (uncapped | capped columns)\n\n${out.join('\n')}\n`);
    }
    return ExitCode.ok;
  } finally {
    progress.done();
    await client.dispose();
  }
}
