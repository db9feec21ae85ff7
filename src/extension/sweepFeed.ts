/**
 * The sweep view's side of a capping sweep: the whole grid as one `sweepState` message, re-sent
 * (throttled) as the original is scored, cells start, text streams in and cells finish, and sent at
 * once when the sweep ends. A page that (re)loads gets the last state. The grid is small (at most
 * LIMITS.sweepCells short replies without token strips), so whole states keep the page stateless.
 * No vscode here: unit-tested in Node.
 */
import type { SweepPlan } from '../core/interventions/sweepPlan';
import type { ScoredReply } from '../engine/rerun';
import type { SweepCellReply } from '../engine/sweep';
import type { Sampling } from '../protocol/messages';
import { LIMITS, toWireValue, type SweepCellView, type SweepState, type ToPanelMessage } from '../../webview/protocol';
import { samplingLabel } from './panelData';
import type { RerunTarget } from './rerunFeed';
import { STREAM_BATCH_MS } from './rerunFeed';

/** Where a running sweep reports to; reports of a superseded sweep are dropped. */
export interface SweepView {
  plan(plan: SweepPlan): void;
  original(reply: ScoredReply): void;
  /** Cell `index` starts (several run at once: a sweep decodes its cells together). */
  cell(index: number): void;
  tokens(index: number, text: string): void;
  cellDone(index: number, reply: SweepCellReply, cached: boolean): void;
  done(): void;
  ended(reason: 'cancelled' | 'failed', message: string): void;
}

const MAX_MESSAGE = 2000;

export class SweepFeed {
  private state: SweepState | null = null;
  /** The sweep that may still change `state`. */
  private live: object | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (msg: ToPanelMessage) => void,
    private readonly batchMs = STREAM_BATCH_MS,
  ) {}

  /** Starts showing a sweep of `target`, whose recorded reply is `originalText`. */
  begin(
    target: RerunTarget,
    originalText: string,
    decoding: { readonly sampling: Sampling; readonly maxTokens: number; readonly population: 'response' | 'token' },
  ): SweepView {
    this.cancelTimer();
    const run = {};
    this.live = run;
    this.state = {
      type: 'sweepState',
      uri: target.uri,
      conversation: target.conversation,
      turn: target.turn,
      phase: 'running',
      message: '',
      original: { text: originalText.slice(0, LIMITS.replyText), value: null, zone: null, outOfDomain: false },
      population: decoding.population,
      sampling: samplingLabel(decoding.sampling),
      seed: decoding.sampling.kind === 'sample' ? decoding.sampling.seed : null,
      maxTokens: decoding.maxTokens,
      cells: [],
    };
    this.flush();
    const update = (change: (s: SweepState) => SweepState, now = false): void => {
      if (this.live !== run || !this.state) return;
      this.state = change(this.state);
      if (now) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.batchMs);
    };
    const setCell = (index: number, change: (c: SweepCellView) => SweepCellView) =>
      update((s) => ({ ...s, cells: s.cells.map((c, i) => (i === index ? change(c) : c)) }));
    return {
      plan: (plan) =>
        update(
          (s) => ({
            ...s,
            population: plan.population,
            cells: [
              pendingCell(null, null, []),
              ...plan.cells.map((c) => pendingCell(c.band, c.percentile, c.layers)),
            ].slice(0, LIMITS.sweepCells),
          }),
          true,
        ),
      original: (reply) =>
        update((s) => ({
          ...s,
          original: { ...s.original, value: toWireValue(reply.value), zone: reply.zone, outOfDomain: reply.outOfDomain },
        })),
      cell: (index) => setCell(index, (c) => ({ ...c, status: 'running', text: '' })),
      tokens: (index, text) => setCell(index, (c) => ({ ...c, text: (c.text + text).slice(0, LIMITS.replyText) })),
      cellDone: (index, reply, cached) =>
        setCell(index, (c) => ({
          ...c,
          status: 'done',
          cached,
          text: reply.text.slice(0, LIMITS.replyText),
          value: toWireValue(reply.value),
          zone: reply.zone,
          outOfDomain: reply.outOfDomain,
          stopReason: reply.stopReason,
          problems: reply.problems.slice(0, 16).map((p) => p.slice(0, 200)),
        })),
      done: () => {
        update((s) => ({ ...s, phase: 'done' }), true);
        if (this.live === run) this.live = null;
      },
      ended: (reason, message) => {
        update(
          (s) => ({
            ...s,
            phase: reason,
            message: reason === 'failed' ? message.slice(0, MAX_MESSAGE) : '',
            cells: s.cells.map((c) => (c.status === 'running' ? { ...c, status: 'pending' } : c)),
          }),
          true,
        );
        if (this.live === run) this.live = null;
      },
    };
  }

  /** True while a sweep is being shown. */
  get isRunning(): boolean {
    return this.live !== null;
  }

  /** What a page that has just (re)loaded needs: the sweep as it stands, or nothing. */
  replay(): ToPanelMessage[] {
    return this.state ? [this.state] : [];
  }

  dispose(): void {
    this.cancelTimer();
    this.live = null;
  }

  private flush(): void {
    this.cancelTimer();
    if (this.state) this.send(this.state);
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function pendingCell(band: SweepCellView['band'], percentile: number | null, layers: readonly number[]): SweepCellView {
  return {
    band,
    percentile,
    layers: [...layers],
    status: 'pending',
    cached: false,
    text: '',
    value: null,
    zone: null,
    outOfDomain: false,
    stopReason: null,
    problems: [],
  };
}
