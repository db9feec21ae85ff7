/**
 * The compare view's side of a re-run, as panel messages: the start (original text), the streamed
 * replies (batched, chunked within the protocol's limits), the variant being generated, and the
 * scored result or how it ended. It keeps what a page that (re)loads mid-run needs to catch up and
 * the last finished result. No vscode here, so the batching and replay are unit-tested in Node.
 */
import type { RerunResult } from '../engine/rerun';
import { LIMITS, type Compare, type ToPanelMessage, type Variant } from '../../webview/protocol';
import { toCompare } from './panelData';

/** A turn of a transcript, by URI string and zero-based indices. */
export interface RerunTarget {
  readonly uri: string;
  readonly conversation: number;
  readonly turn: number;
}

/** Where a running re-run reports to; reports of a superseded re-run are dropped. */
export interface RerunView {
  variant(variant: Variant): void;
  tokens(variant: Variant, text: string): void;
  done(result: RerunResult): void;
  ended(reason: 'cancelled' | 'failed', message: string): void;
}

/** Tokens are batched for this long, so a fast model does not flood the webview's message channel. */
export const STREAM_BATCH_MS = 40;

/** Longest failure message sent to the page (the protocol bounds it). */
const MAX_ENDED_MESSAGE = 2000;

const VARIANTS = ['uncapped', 'capped', 'steered'] as const;
const NONE: Record<Variant, string> = { uncapped: '', capped: '', steered: '' };

/** A re-run in progress. */
interface Running {
  readonly started: Extract<ToPanelMessage, { type: 'rerunStarted' }>;
  current: Variant | null;
  /** Text sent so far, per variant (bounded by LIMITS.replyText), replayed to a page that reloads. */
  readonly streamed: Record<Variant, string>;
  /** Text not sent yet (waiting for the batch timer). */
  readonly pending: Record<Variant, string>;
  timer: ReturnType<typeof setTimeout> | null;
}

/** One re-run at a time: `begin` supersedes the running one. Messages go to `send`. */
export class RerunFeed {
  private running: Running | null = null;
  private last: Compare | null = null;

  constructor(
    private readonly send: (msg: ToPanelMessage) => void,
    private readonly batchMs = STREAM_BATCH_MS,
  ) {}

  /** Starts showing a re-run of `target`, whose recorded reply is `originalText`; `steer` when a steered reply is made too. */
  begin(target: RerunTarget, originalText: string, steer: number | null = null): RerunView {
    if (this.running?.timer) clearTimeout(this.running.timer);
    const run: Running = {
      started: {
        type: 'rerunStarted',
        uri: target.uri,
        conversation: target.conversation,
        turn: target.turn,
        originalText: originalText.slice(0, LIMITS.replyText),
        steer,
      },
      current: null,
      streamed: { ...NONE },
      pending: { ...NONE },
      timer: null,
    };
    this.running = run;
    this.send(run.started);
    const live = (): boolean => this.running === run;
    const finish = (): void => {
      if (run.timer) clearTimeout(run.timer);
      this.flush(run);
      this.running = null;
    };
    return {
      variant: (variant) => {
        if (!live()) return;
        this.flush(run);
        run.current = variant;
        this.send({ type: 'rerunVariant', variant });
      },
      tokens: (variant, text) => {
        if (!live()) return;
        run.pending[variant] += text;
        run.timer ??= setTimeout(() => this.flush(run), this.batchMs);
      },
      done: (result) => {
        if (!live()) return;
        finish();
        this.last = toCompare(target, result);
        this.send({ type: 'rerunDone', compare: this.last });
      },
      ended: (reason, message) => {
        if (!live()) return;
        finish();
        this.send({ type: 'rerunEnded', reason, message: message.slice(0, MAX_ENDED_MESSAGE) });
      },
    };
  }

  /** True while a re-run is being shown. */
  get isRunning(): boolean {
    return this.running !== null;
  }

  /**
   * What a page that has just (re)loaded needs: the running re-run so far (start, streamed text,
   * current variant), else the last finished result, else nothing.
   */
  replay(): ToPanelMessage[] {
    const run = this.running;
    if (!run) return this.last ? [{ type: 'rerunDone', compare: this.last }] : [];
    this.flush(run);
    const msgs: ToPanelMessage[] = [run.started];
    for (const variant of VARIANTS) msgs.push(...chunks(variant, run.streamed[variant]));
    if (run.current) msgs.push({ type: 'rerunVariant', variant: run.current });
    return msgs;
  }

  /** The capped reply of the last finished re-run, or null. */
  lastCappedText(): string | null {
    return this.last?.capped?.text ?? null;
  }

  dispose(): void {
    if (this.running?.timer) clearTimeout(this.running.timer);
    this.running = null;
  }

  /** Sends what the run generated since the last flush. */
  private flush(run: Running): void {
    run.timer = null;
    // A superseded run's leftovers would land in the new run's text.
    if (run !== this.running) return;
    for (const variant of VARIANTS) {
      const text = run.pending[variant];
      run.pending[variant] = '';
      run.streamed[variant] = (run.streamed[variant] + text).slice(0, LIMITS.replyText);
      for (const msg of chunks(variant, text)) this.send(msg);
    }
  }
}

/** `text` as rerunTokens messages within the protocol's chunk limit. */
function chunks(variant: Variant, text: string): ToPanelMessage[] {
  const msgs: ToPanelMessage[] = [];
  for (let i = 0; i < text.length; i += LIMITS.chunkText)
    msgs.push({ type: 'rerunTokens', variant, text: text.slice(i, i + LIMITS.chunkText) });
  return msgs;
}
