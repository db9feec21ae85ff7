/**
 * The capping sweep: one assistant turn re-run uncapped and then under every cell of a sweep plan
 * (floor percentile x band; src/core/interventions/sweepPlan.ts), all under the same decoding, each
 * reply scored like an editor turn and checked for broken chat format. The cells decode together, in
 * batches of SWEEP_BATCH, each row of the batch under its own floors. The session must have capping
 * nodes at every layer the plan's bands use (`sweepLayers`); the CLI and the editor open it so. Each
 * finished cell can go to a cache, so a sweep run again (after a cancel, or with one more floor)
 * generates only the cells it has not seen under the same model, context and decoding.
 */
import { createHash } from 'node:crypto';
import { replyProblems } from '../core/interventions/replySanity';
import type { SweepCell, SweepPlan } from '../core/interventions/sweepPlan';
import type { Conversation } from '../core/transcript';
import type { EngineClient, TokenEvent } from './client';
import { RerunError, rerunContext, scoreReply, type GeneratedReply, type RerunOptions, type ScoredReply } from './rerun';
import type { OpenSession } from './session';

/** A finished cell (null percentile and band: the uncapped reply). */
export interface SweepCellReply extends Omit<GeneratedReply, 'variant'> {
  readonly percentile: number | null;
  readonly band: SweepCell['band'] | null;
  readonly layers: readonly number[];
  readonly taus: readonly number[];
  /** What looks broken in the reply (src/core/interventions/replySanity.ts); empty when nothing does. */
  readonly problems: readonly string[];
}

export interface SweepOutcome {
  readonly original: ScoredReply;
  /** The uncapped reply first, then the plan's cells in order. */
  readonly cells: readonly SweepCellReply[];
}

/** Where finished cells are kept between sweeps (the editor keeps a bounded map). */
export interface SweepCache {
  get(key: string): SweepCellReply | undefined;
  set(key: string, reply: SweepCellReply): void;
}

export interface SweepOptions extends Pick<RerunOptions, 'sampling' | 'maxTokens'> {
  /** Cells `indexes` (0: uncapped, k: plan.cells[k - 1]) start decoding together; `done` of `total` are finished. */
  readonly onCells?: (indexes: readonly number[], done: number, total: number) => void;
  /** A token of cell `index`'s reply as it is generated. */
  readonly onToken?: (index: number, t: TokenEvent) => void;
  /** The original reply, scored, before any cell runs. */
  readonly onOriginal?: (original: ScoredReply) => void;
  /** Cell `index` finished, generated or from the cache. */
  readonly onCellDone?: (index: number, reply: SweepCellReply, cached: boolean) => void;
  readonly cache?: SweepCache;
}

/**
 * Cells decoded in one batch (one forward per step for all of them: decoding is memory-bound, so a
 * batch costs about what one reply does). Bounded because each row keeps its own KV cache.
 */
export const SWEEP_BATCH = 16;

/** Every layer a plan caps at: the session has to be loaded with capping nodes there. */
export function sweepLayers(plan: SweepPlan): number[] {
  return [...new Set(plan.cells.flatMap((c) => c.layers))].sort((a, b) => a - b);
}

export async function sweepTurn(
  client: EngineClient,
  s: OpenSession,
  c: Conversation,
  turnIndex: number,
  plan: SweepPlan,
  o: SweepOptions,
  signal?: AbortSignal,
): Promise<SweepOutcome> {
  const { turn, prefix } = rerunContext(c, turnIndex);
  const missing = sweepLayers(plan).filter((l) => !s.info.capLayers.includes(l));
  if (missing.length > 0) throw new RerunError(`the session has no capping nodes at layers ${missing.join(', ')}; open it with them`);
  const original = await scoreReply(client, s, prefix, turn.text, signal);
  o.onOriginal?.(original);
  const context = sweepContextKey(s, prefix, o);
  const runs: (SweepCell | null)[] = [null, ...plan.cells];
  const keyOf = (cell: SweepCell | null): string =>
    `${context}|${cell ? `${cell.key}:${cell.layers.join(',')}:${cell.taus.join(',')}` : plan.baselineKey}`;
  const cells: (SweepCellReply | undefined)[] = runs.map(() => undefined);
  let done = 0;
  const finish = (k: number, reply: SweepCellReply, cached: boolean): void => {
    cells[k] = reply;
    done++;
    o.onCellDone?.(k, reply, cached);
  };
  const todo: number[] = [];
  runs.forEach((cell, k) => {
    const hit = o.cache?.get(keyOf(cell));
    if (hit) finish(k, hit, true);
    else todo.push(k);
  });
  for (let at = 0; at < todo.length; at += SWEEP_BATCH) {
    const group = todo.slice(at, at + SWEEP_BATCH);
    o.onCells?.(group, done, runs.length);
    // Every row starts from the same seed, as single re-runs do: cells differ only by their floors.
    const gens = await client.generateBatch(
      group.map((k) => {
        const cell = runs[k];
        return { messages: prefix, sampling: o.sampling, ...(cell ? { floors: { layers: cell.layers, taus: cell.taus } } : {}) };
      }),
      { axis: s.spec, capping: false, maxTokens: o.maxTokens },
      signal,
      o.onToken ? (row, t) => o.onToken?.(group[row] as number, t) : undefined,
    );
    for (const [row, k] of group.entries()) {
      const cell = runs[k] ?? null;
      const gen = gens[row];
      if (!gen) throw new Error(`the batch returned no reply for cell ${k}`);
      const scored = await scoreReply(client, s, prefix, gen.text, signal);
      const reply: SweepCellReply = {
        ...scored,
        stopReason: gen.stopReason,
        generatedTokens: gen.tokens.text.length,
        percentile: cell?.percentile ?? null,
        band: cell?.band ?? null,
        layers: cell?.layers ?? [],
        taus: cell?.taus ?? [],
        problems: replyProblems(gen.text, gen.stopReason),
      };
      o.cache?.set(keyOf(cell), reply);
      finish(k, reply, false);
    }
  }
  return { original, cells: cells.map((c, k) => c ?? fail(k)) };
}

function fail(k: number): never {
  throw new Error(`sweep cell ${k} has no reply`);
}

/**
 * What a cell's reply depends on besides the cell: the model graph, the scoring spec it is read with,
 * the conversation before the turn and the decoding. Hashed, so the key stays short.
 */
function sweepContextKey(s: OpenSession, prefix: readonly { role: string; content: string }[], o: SweepOptions): string {
  const what = {
    graph: s.fileHash,
    dtype: s.dtype,
    axis: s.axisPath,
    monitor: s.spec.monitorLayer,
    prefix,
    sampling: o.sampling,
    maxTokens: o.maxTokens,
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 32);
}
