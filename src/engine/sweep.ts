/**
 * The capping sweep: one assistant turn re-run uncapped and then under every cell of a sweep plan
 * (floor percentile x band; src/core/interventions/sweepPlan.ts), all under the same decoding, each
 * reply scored like an editor turn. The session must have capping nodes at every layer the plan's
 * bands use (`sweepLayers`); the CLI opens it so.
 */
import type { SweepCell, SweepPlan } from '../core/interventions/sweepPlan';
import { rerunProblem, type Conversation } from '../core/transcript';
import { toEngineMessages } from '../core/turnScores';
import type { EngineClient, TokenEvent } from './client';
import { RerunError, scoreReply, type GeneratedReply, type RerunOptions } from './rerun';
import type { OpenSession } from './session';

/** A finished cell (null percentile and band: the uncapped reply). */
export interface SweepCellReply extends Omit<GeneratedReply, 'variant'> {
  readonly percentile: number | null;
  readonly band: SweepCell['band'] | null;
  readonly layers: readonly number[];
  readonly taus: readonly number[];
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
  o: Pick<RerunOptions, 'sampling' | 'maxTokens'> & {
    readonly onCell?: (done: number, total: number, cell: SweepCell | null) => void;
    readonly onToken?: (t: TokenEvent) => void;
  },
  signal?: AbortSignal,
): Promise<{ original: Awaited<ReturnType<typeof scoreReply>>; cells: SweepCellReply[] }> {
  const problem = rerunProblem(c, turnIndex);
  const turn = c.turns[turnIndex];
  if (problem !== null || !turn) throw new RerunError(problem ?? `there is no turn ${turnIndex}`);
  const missing = sweepLayers(plan).filter((l) => !s.info.capLayers.includes(l));
  if (missing.length > 0) throw new RerunError(`the session has no capping nodes at layers ${missing.join(', ')}; open it with them`);
  const prefix = toEngineMessages({ ...c, turns: c.turns.slice(0, turnIndex) }).messages;
  const original = await scoreReply(client, s, prefix, turn.text, signal);
  const runs: (SweepCell | null)[] = [null, ...plan.cells];
  const cells: SweepCellReply[] = [];
  for (const [k, cell] of runs.entries()) {
    o.onCell?.(k, runs.length, cell);
    const axis = cell ? { ...s.spec, capLayers: [...cell.layers], taus: Float32Array.from(cell.taus) } : s.spec;
    const gen = await client.generate(prefix, { axis, capping: cell !== null, maxTokens: o.maxTokens, sampling: o.sampling }, o.onToken, signal);
    const scored = await scoreReply(client, s, prefix, gen.text, signal);
    cells.push({
      ...scored,
      stopReason: gen.stopReason,
      generatedTokens: gen.tokens.text.length,
      percentile: cell?.percentile ?? null,
      band: cell?.band ?? null,
      layers: cell?.layers ?? [],
      taus: cell?.taus ?? [],
    });
  }
  o.onCell?.(runs.length, runs.length, null);
  return { original, cells };
}
