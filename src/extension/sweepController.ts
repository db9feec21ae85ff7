/**
 * The drift panel's "Capping sweep": one assistant turn re-run uncapped and over the grid of floors x
 * bands in the persona-lens.sweep.* settings, under the re-run's seed and token limit, streamed into
 * the panel's Sweep tab (SweepFeed) with a notification that can cancel it. Finished cells are kept
 * (bounded, per model, context and decoding), so running the sweep again after a cancel, or with one
 * more floor, generates only what is new. The user's file is never touched.
 */
import * as vscode from 'vscode';
import { parseBands, parsePercentiles, type SweepBand } from '../core/interventions/sweepPlan';
import { RERUN_TEMPERATURE, RERUN_TOP_P } from '../engine/rerun';
import type { SweepCache, SweepCellReply, SweepOutcome } from '../engine/sweep';
import type { ToPanelMessage } from '../../webview/protocol';
import type { Config } from './config';
import type { EngineHost } from './engineHost';
import { LatestRun, type RunOutcome } from './latestRun';
import type { Log } from './log';
import type { ResultStore } from './resultStore';
import { checkTarget, type TurnTarget } from './rerunController';
import { SweepFeed } from './sweepFeed';

export interface SweepDeps {
  readonly store: ResultStore;
  readonly config: Config;
  readonly log: Log;
  readonly engine: Pick<EngineHost, 'sweep'>;
}

/** Finished cells kept across sweeps (a cell is one short reply and its token values). */
const CACHED_CELLS = 256;

export class SweepController implements vscode.Disposable {
  private readonly runs = new LatestRun();
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
    this.runs.cancel();
  }

  dispose(): void {
    this.runs.dispose();
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
    const sampling = { kind: 'sample', temperature: RERUN_TEMPERATURE, topK: 0, topP: RERUN_TOP_P, seed: cfg.generationSeed } as const;
    const view = this.feed.begin(
      { uri: target.uri.toString(), conversation: target.conversation, turn: target.turn },
      turn.text,
      { sampling, maxTokens: cfg.generationMaxTokens, population: cfg.cappingFloorPopulation },
    );
    const started = Date.now();
    let fromCache = 0;
    let outcome: RunOutcome<SweepOutcome>;
    try {
      outcome = await this.runs.run(`Persona Lens: capping sweep of turn ${target.turn}`, (token, progress) =>
        this.deps.engine.sweep(
          found.conversation,
          target.turn,
          grid,
          {
            sampling,
            maxTokens: cfg.generationMaxTokens,
            cache: this.cache,
            onPlan: (plan) => view.plan(plan),
            onOriginal: (reply) => view.original(reply),
            onCells: (indexes, done, total) => {
              progress(`${indexes.length} replies decoding together (${done}/${total} done)`);
              for (const k of indexes) view.cell(k);
            },
            onToken: (index, t) => view.tokens(index, t.text),
            onCellDone: (index, reply, cached) => {
              if (cached) fromCache++;
              view.cellDone(index, reply, cached);
            },
          },
          token,
          progress,
        ),
      );
    } catch (e) {
      view.ended('failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
    if (outcome.cancelled) {
      view.ended('cancelled', 'cancelled');
      this.deps.log.info(`Capping sweep of turn ${target.turn} cancelled; its finished cells are kept for the next sweep`);
      return;
    }
    const result = outcome.value;
    view.done();
    this.deps.log.info(
      `Capping sweep of turn ${target.turn} of ${target.uri.toString()}: ${result.cells.length} replies (${fromCache} from the cache) in ${Date.now() - started} ms; ${result.cells
        .map((c) => `${c.band ?? 'uncapped'}${c.percentile === null ? '' : ` p${c.percentile}`} ${c.value.toFixed(3)}`)
        .join(', ')}`,
    );
  }
}
