/**
 * Scoring a corpus with N jobs: each job is a worker thread with its own engine session, taking the
 * next conversation from one shared queue. Outcomes are handed on in input order however the jobs
 * finish, so every --jobs value prints the same output, and a conversation the model cannot take
 * becomes a problem record without stopping the others.
 */
import { InOrder } from '../core/corpus/ordered';
import type { ProblemRecord } from '../core/corpus/record';
import { hasAssistantTurn } from '../core/transcript';
import type { EngineClient } from '../engine/client';
import { openSession, scoreConversation, type OpenSession, type SessionOptions } from '../engine/session';
import { EngineError } from '../protocol/errors';
import { createClient, loadProgress } from './context';
import { corpusProgress } from './corpusProgress';
import type { Progress } from './progress';
import type { ScoredConversation } from './scoring';
import { conversationName, type TranscriptInput } from './transcripts';

/** A scored conversation, or the problem that kept it from a value. */
export type CorpusOutcome =
  | { readonly ok: true; readonly result: ScoredConversation }
  | { readonly ok: false; readonly problem: ProblemRecord; /** Conversations in the problem's file. */ readonly count: number };

export interface CorpusRun {
  readonly inputs: readonly TranscriptInput[];
  readonly jobs: number;
  readonly options: SessionOptions;
  readonly verbose: boolean;
  readonly progress: Progress;
  readonly signal: AbortSignal;
  /** Called once per conversation with an assistant turn, in input order. */
  readonly onOutcome: (outcome: CorpusOutcome) => void;
  /** Called with the first job's session once it is open (its model and axis are every job's). */
  readonly onSession?: (session: OpenSession) => void;
  /** Milliseconds clock, for the ETA. */
  readonly now?: () => number;
}

interface Task {
  readonly input: TranscriptInput;
  readonly fileIndex: number;
  readonly index: number;
}

/**
 * Runs the corpus; resolves when every conversation has an outcome. An engine failure other than a
 * request the model cannot take (a crashed worker, a model that will not load) stops every job and rejects.
 */
export async function scoreCorpus(run: CorpusRun): Promise<void> {
  const { progress, signal } = run;
  const now = run.now ?? Date.now;
  const tasks: Task[] = run.inputs.flatMap((input, fileIndex) =>
    input.conversations.flatMap((c, index) => (hasAssistantTurn(c) ? [{ input, fileIndex, index }] : [])),
  );
  if (tasks.length === 0) return;
  const leftInFile = run.inputs.map((_, f) => tasks.filter((t) => t.fileIndex === f).length);
  const files = leftInFile.filter((n) => n > 0).length;
  let filesDone = 0;
  let conversationsDone = 0;
  let started = 0;
  const ordered = new InOrder<CorpusOutcome>(run.onOutcome);

  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const jobs = Math.max(1, Math.min(run.jobs, tasks.length));
  const clients: EngineClient[] = [];
  let next = 0;

  /** Files and conversations done, the ETA, and what a job has just started. */
  const report = (doing?: string): void => {
    const p = corpusProgress({ filesDone, files, conversationsDone, conversations: tasks.length, elapsedMs: now() - started });
    progress.update(`${p.text}${jobs > 1 ? ` (${jobs} jobs)` : ''}${doing ? `; ${doing}` : ''}`, p.fraction);
  };

  const job = async (session: OpenSession, client: EngineClient): Promise<void> => {
    while (next < tasks.length && !stop.signal.aborted) {
      const k = next++;
      const t = tasks[k] as Task;
      const count = t.input.conversations.length;
      const name = conversationName(t.input.file, t.index, count);
      const conversation = t.input.conversations[t.index]!;
      report(`scoring ${name}`);
      let outcome: CorpusOutcome;
      try {
        const scores = await scoreConversation(client, session, conversation, stop.signal);
        if (scores.truncated) {
          const c = scores.truncated;
          progress.clear();
          process.stderr.write(
            `${name}: warning: scored turns 0-${c.firstTurnLeftOut - 1} only; the conversation is ${c.fullTokens} tokens and the limit is ${c.tokenLimit}\n`,
          );
        }
        outcome = { ok: true, result: { file: t.input.file, index: t.index, count, conversation, scores } };
      } catch (e) {
        // The model cannot take this conversation (a first message longer than its context, say): the
        // input's problem, reported with its position; the other conversations go on.
        if (!(e instanceof EngineError && e.code === 'bad-request')) throw e;
        const at = t.input.positions?.[t.index] ?? null;
        outcome = {
          ok: false,
          problem: { type: 'error', file: t.input.file, conversation: t.index, line: at?.line ?? null, column: at?.column ?? null, message: e.message },
          count,
        };
      }
      conversationsDone++;
      const left = (leftInFile[t.fileIndex] as number) - 1;
      leftInFile[t.fileIndex] = left;
      if (left === 0) filesDone++;
      report();
      ordered.put(k, outcome);
    }
  };

  try {
    // The first job loads alone: it downloads, instruments and caches the graph the others then reuse.
    progress.update(`loading model ${run.options.model}`);
    const first = createClient(run.verbose);
    clients.push(first);
    const firstSession = await openSession(first, run.options, loadProgress(progress), stop.signal);
    run.onSession?.(firstSession);
    const rest = Array.from({ length: jobs - 1 }, () => createClient(run.verbose));
    clients.push(...rest);
    if (rest.length > 0) progress.update(`starting ${rest.length} more job${rest.length === 1 ? '' : 's'}`);
    started = now();
    // The first job starts scoring while the others load.
    const loops: Promise<void>[] = [job(firstSession, first)];
    for (const c of rest) loops.push(openSession(c, run.options, undefined, stop.signal).then((s) => job(s, c)));
    // The first failure is the cause; the cancellations it sets off in the other jobs are not.
    let failed: { cause: unknown } | null = null;
    await Promise.all(
      loops.map((l) =>
        l.catch((e: unknown) => {
          if (failed) return;
          failed = { cause: e };
          stop.abort(e);
        }),
      ),
    );
    if (failed) throw (failed as { cause: unknown }).cause;
    if (signal.aborted) throw signal.reason;
    progress.update(`scored ${tasks.length} conversation${tasks.length === 1 ? '' : 's'}`, 1);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(clients.map((c) => c.dispose()));
  }
}
