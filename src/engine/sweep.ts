/**
 * The capping sweep: one assistant turn re-run uncapped and then under every cell of a sweep plan
 * (floor percentile x band; src/core/interventions/sweepPlan.ts), all under the same decoding, each
 * reply scored like an editor turn and checked for broken chat format. The session must have capping
 * nodes at every layer the plan's bands use (`sweepLayers`); the CLI and the editor open it so. Each
 * finished cell can go to a cache, so a sweep run again (after a cancel, or with one more floor)
 * generates only the cells it has not seen under the same model, context and decoding.
 */
import { createHash } from 'node:crypto';
import { replyProblems } from '../core/interventions/replySanity';
import type { SweepCell, SweepPlan } from '../core/interventions/sweepPlan';
import { rerunProblem, type Conversation } from '../core/transcript';
import { toEngineMessages } from '../core/turnScores';
import type { EngineClient, TokenEvent } from './client';
import { RerunError, scoreReply, type GeneratedReply, type RerunOptions, type ScoredReply } from './rerun';
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
  /** Cell `done` of `total` starts (null cell: the uncapped reply); called with done = total at the end. */
  readonly onCell?: (done: number, total: number, cell: SweepCell | null) => void;
  readonly onToken?: (t: TokenEvent) => void;
  /** The original reply, scored, before any cell runs. */
  readonly onOriginal?: (original: ScoredReply) => void;
  /** Cell `index` (0: uncapped, k: plan.cells[k - 1]) finished, generated or from the cache. */
  readonly onCellDone?: (index: number, reply: SweepCellReply, cached: boolean) => void;
  readonly cache?: SweepCache;
}

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
  const problem = rerunProblem(c, turnIndex);
  const turn = c.turns[turnIndex];
  if (problem !== null || !turn) throw new RerunError(problem ?? `there is no turn ${turnIndex}`);
  const missing = sweepLayers(plan).filter((l) => !s.info.capLayers.includes(l));
  if (missing.length > 0) throw new RerunError(`the session has no capping nodes at layers ${missing.join(', ')}; open it with them`);
  const prefix = toEngineMessages({ ...c, turns: c.turns.slice(0, turnIndex) }).messages;
  const original = await scoreReply(client, s, prefix, turn.text, signal);
  o.onOriginal?.(original);
  const context = sweepContextKey(s, prefix, o);
  const runs: (SweepCell | null)[] = [null, ...plan.cells];
  const cells: SweepCellReply[] = [];
  for (const [k, cell] of runs.entries()) {
    o.onCell?.(k, runs.length, cell);
    const key = `${context}|${cell ? `${cell.key}:${cell.layers.join(',')}:${cell.taus.join(',')}` : plan.baselineKey}`;
    const hit = o.cache?.get(key);
    if (hit) {
      cells.push(hit);
      o.onCellDone?.(k, hit, true);
      continue;
    }
    const axis = cell ? { ...s.spec, capLayers: [...cell.layers], taus: Float32Array.from(cell.taus) } : s.spec;
    const gen = await client.generate(prefix, { axis, capping: cell !== null, maxTokens: o.maxTokens, sampling: o.sampling }, o.onToken, signal);
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
    o.cache?.set(key, reply);
    cells.push(reply);
    o.onCellDone?.(k, reply, false);
  }
  o.onCell?.(runs.length, runs.length, null);
  return { original, cells };
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
