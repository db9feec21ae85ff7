/**
 * The drift panel's "Capping sweep": one assistant turn re-run uncapped and over the grid of floors x
 * bands in the persona-lens.sweep.* settings, under the re-run's seed and token limit, streamed into
 * the panel's Sweep tab (SweepFeed) with a notification that can cancel it. Finished cells are kept
 * (bounded, per model, context and decoding), so running the sweep again after a cancel, or with one
 * more floor, generates only what is new. The user's file is never touched.
 */
import * as vscode from 'vscode';
import { parseBands, parsePercentiles, type SweepBand, type SweepPlan } from '../core/interventions/sweepPlan';
import type { Conversation } from '../core/transcript';
import { isCancellation } from '../protocol/errors';
import { RERUN_TEMPERATURE, RERUN_TOP_P } from '../engine/rerun';
import type { SweepCache, SweepCellReply, SweepOptions, SweepOutcome } from '../engine/sweep';
import type { ToPanelMessage } from '../../webview/protocol';
import type { Config } from './config';
import type { Log } from './log';
import type { ResultStore } from './resultStore';
import { checkTarget, type TurnTarget } from './rerunController';
import { SweepFeed } from './sweepFeed';

export interface SweepDeps {
  readonly store: ResultStore;
  readonly config: Config;
  readonly log: Log;
  readonly engine: {
    sweep(
      conversation: Conversation,
      turn: number,
      grid: { readonly percentiles?: readonly number[]; readonly bands?: readonly SweepBand[] },
      options: SweepOptions & { readonly onPlan?: (plan: SweepPlan) => void },
      token: vscode.CancellationToken,
      progress: (message: string) => void,
    ): Promise<SweepOutcome>;
  };
}

/** Finished cells kept across sweeps (a cell is one short reply and its token values). */
const CACHED_CELLS = 256;

export class SweepController implements vscode.Disposable {
  private running: vscode.CancellationTokenSource | null = null;
  private readonly emitter = new vscode.EventEmitter<ToPanelMessage>();
  /** The sweep view's messages (`sweepState`); the panel opens on the first of a sweep. */
  readonly onMessage = this.emitter.event;
  private readonly feed = new SweepFeed((msg) => this.emitter.fire(msg));
  private readonly cells = new Map<string, SweepCellReply>();
  private readonly cache: SweepCache = {
    get: (key) => this.cells.get(key),
    set: (key, reply) => {
      this.cells.delete(key);
      this.cells.set(key, reply);
      // Maps iterate in insertion order: the first key is the oldest.
      if (this.cells.size > CACHED_CELLS) this.cells.delete(this.cells.keys().next().value as string);
    },
  };

  constructor(private readonly deps: SweepDeps) {}

  replay(): ToPanelMessage[] {
    return this.feed.replay();
  }

  cancel(): void {
    this.running?.cancel();
  }

  dispose(): void {
    this.cancel();
    this.feed.dispose();
    this.emitter.dispose();
  }

  /** Sweeps a turn of an analysed document (the panel's button). */
  async sweep(target: TurnTarget): Promise<void> {
    const parse = this.deps.store.get(target.uri)?.parse;
    if (!parse) return;
    const found = checkTarget(parse, target);
    if ('problem' in found) {
      void vscode.window.showInformationMessage(`Persona Lens: ${found.problem}`);
      return;
    }
    const cfg = this.deps.config.value;
    let grid: { percentiles: number[]; bands: SweepBand[] };
    try {
      grid = { percentiles: parsePercentiles(cfg.sweepPercentiles), bands: parseBands(cfg.sweepBands) };
    } catch (e) {
      void vscode.window.showErrorMessage(`Persona Lens: the sweep settings: ${(e as Error).message}.`);
      return;
    }
    const turn = found.conversation.turns[target.turn];
    if (!turn) return;
    this.running?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    const sampling = { kind: 'sample', temperature: RERUN_TEMPERATURE, topK: 0, topP: RERUN_TOP_P, seed: cfg.generationSeed } as const;
    const view = this.feed.begin(
      { uri: target.uri.toString(), conversation: target.conversation, turn: target.turn },
      turn.text,
      { sampling, maxTokens: cfg.generationMaxTokens, population: cfg.cappingFloorPopulation },
    );
    const started = Date.now();
    let fromCache = 0;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Persona Lens: capping sweep of turn ${target.turn}`, cancellable: true },
        async (progress, token) => {
          const forward = token.onCancellationRequested(() => cts.cancel());
          try {
            return await this.deps.engine.sweep(
              found.conversation,
              target.turn,
              grid,
              {
                sampling,
                maxTokens: cfg.generationMaxTokens,
                cache: this.cache,
                onPlan: (plan) => view.plan(plan),
                onOriginal: (reply) => view.original(reply),
                onCell: (done, total, cell) => {
                  if (done >= total) return;
                  progress.report({ message: `${done + 1}/${total}: ${cell ? `${cell.band} band, floor p${cell.percentile}` : 'without capping'}` });
                  view.cell(done);
                },
                onToken: (t) => view.tokens(t.text),
                onCellDone: (index, reply, cached) => {
                  if (cached) fromCache++;
                  view.cellDone(index, reply, cached);
                },
              },
              cts.token,
              (message) => progress.report({ message }),
            );
          } finally {
            forward.dispose();
          }
        },
      );
      view.done();
      this.deps.log.info(
        `Capping sweep of turn ${target.turn} of ${target.uri.toString()}: ${result.cells.length} replies (${fromCache} from the cache) in ${Date.now() - started} ms; ${result.cells
          .map((c) => `${c.band ?? 'uncapped'}${c.percentile === null ? '' : ` p${c.percentile}`} ${c.value.toFixed(3)}`)
          .join(', ')}`,
      );
    } catch (e) {
      if (isCancellation(e) || cts.token.isCancellationRequested) {
        view.ended('cancelled', 'cancelled');
        this.deps.log.info(`Capping sweep of turn ${target.turn} cancelled; its finished cells are kept for the next sweep`);
        return;
      }
      view.ended('failed', e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      if (this.running === cts) this.running = null;
      cts.dispose();
    }
  }
}
