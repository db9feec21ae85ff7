/**
 * "Re-run with capping": regenerate one assistant turn from the conversation before it, once
 * without and once with activation capping, under the same sampling (same seed), and score the
 * original and both new replies the same way the editor scores a transcript. Host side, over
 * EngineClient; the CLI `rerun`, the editor command and the panel's compare view all call this.
 */
import { readReply, type Zone } from '../core/axis/calibration';
import { steeringAmounts } from '../core/axis/steering';
import type { TokenValue } from '../core/scores';
import { rerunProblem, type Conversation, type Turn } from '../core/transcript';
import { layerValuesOf, tokenValues, toEngineMessages, turnSurprise, type EngineMessage } from '../core/turnScores';
import type { EngineClient, TokenEvent } from './client';
import type { Sampling } from '../protocol/messages';
import type { OpenSession } from './session';

/** The reply regenerated without intervention, with capping, or with additive steering along the axis. */
export type RerunVariant = 'uncapped' | 'capped' | 'steered';

/** Seeded re-run sampling, the same in the editor and the CLI: mild randomness, no top-k. */
export const RERUN_TEMPERATURE = 0.8;
export const RERUN_TOP_P = 0.95;
/** Tokens per regenerated reply (the editor setting persona-lens.generation.maxTokens defaults to it too). */
export const RERUN_MAX_TOKENS = 128;

export interface RerunOptions {
  /** Greedy decoding, or seeded sampling; both variants use the same. */
  readonly sampling: Sampling;
  readonly maxTokens: number;
  /** Which variants to generate (default uncapped then capped; 'steered' needs `steer`). */
  readonly variants?: readonly RerunVariant[];
  /** Steering for the 'steered' variant: alpha units of the default spread (steeringUnit) at `layers` (default: the capping band). */
  readonly steer?: { readonly alpha: number; readonly layers?: readonly number[] };
  /** Streams each new token as it is generated. */
  readonly onToken?: (variant: RerunVariant, token: TokenEvent) => void;
  /** Called when a variant starts, so a front-end can show which one is running. */
  readonly onVariant?: (variant: RerunVariant) => void;
}

/** One reply (original or regenerated) as it reads to the uncapped model. */
export interface ScoredReply {
  readonly text: string;
  /** Mean projection at the monitor layer over the reply's content tokens (NaN when it has none). */
  readonly value: number;
  /** Read like an editor turn (src/core/axis/calibration.ts); null zone when out of domain, without zones or without tokens. */
  readonly zone: Zone | null;
  readonly surprise: number | null;
  readonly outOfDomain: boolean;
  readonly tokens: readonly TokenValue[];
  /** Mean projection at every layer. */
  readonly layerValues: readonly number[];
}

export interface GeneratedReply extends ScoredReply {
  readonly variant: RerunVariant;
  readonly stopReason: 'eos' | 'maxTokens';
  readonly generatedTokens: number;
}

/** What a re-run was generated with, shown next to the texts so a result can be reproduced. */
export interface RerunSettings {
  readonly sampling: Sampling;
  readonly maxTokens: number;
  readonly monitorLayer: number;
  readonly capLayers: readonly number[];
  /** Floors applied at the cap layers, in capLayers order. */
  readonly capTaus: readonly number[];
  readonly percentile: number;
  readonly population: 'response' | 'token';
  /** Capping floor at the monitor layer (what capping holds the band's layers to is `capTaus`). */
  readonly monitorTau: number;
  /** The steered variant's steering: alpha, its layers and what was added at each (residual units); null without one. */
  readonly steering: { readonly alpha: number; readonly layers: readonly number[]; readonly amounts: readonly number[] } | null;
}

export interface RerunResult {
  /** Index of the re-run turn in `Conversation.turns`. */
  readonly turn: number;
  readonly original: ScoredReply;
  readonly replies: readonly GeneratedReply[];
  readonly settings: RerunSettings;
}

/** Raised when the turn cannot be re-run (not an assistant turn, or out of range). */
export class RerunError extends Error {
  override readonly name = 'RerunError';
}

/** A turn to regenerate and the messages before it; throws RerunError when it cannot be re-run. */
export function rerunContext(c: Conversation, turnIndex: number): { turn: Turn; prefix: EngineMessage[] } {
  const problem = rerunProblem(c, turnIndex);
  const turn = c.turns[turnIndex];
  if (problem !== null || !turn) throw new RerunError(problem ?? `there is no turn ${turnIndex}`);
  return { turn, prefix: toEngineMessages({ ...c, turns: c.turns.slice(0, turnIndex) }).messages };
}

/** Regenerates assistant turn `turnIndex` of `c` without and with capping; see the module comment. */
export async function rerunTurn(
  client: EngineClient,
  s: OpenSession,
  c: Conversation,
  turnIndex: number,
  o: RerunOptions,
  signal?: AbortSignal,
): Promise<RerunResult> {
  const { turn, prefix } = rerunContext(c, turnIndex);
  const original = await scoreReply(client, s, prefix, turn.text, signal);
  const replies: GeneratedReply[] = [];
  const variants = o.variants ?? ['uncapped', 'capped'];
  if (variants.includes('steered') && !o.steer) throw new RerunError('the steered variant needs a steering strength');
  const steering = o.steer ? steeringAmounts(s.axis, o.steer.layers ?? s.spec.capLayers, o.steer.alpha) : null;
  for (const variant of variants) {
    o.onVariant?.(variant);
    const capping = variant === 'capped';
    const steer = variant === 'steered' && steering ? { steer: steering } : {};
    const gen = await client.generate(
      prefix,
      { axis: s.spec, capping, ...steer, maxTokens: o.maxTokens, sampling: o.sampling },
      o.onToken ? (t) => o.onToken?.(variant, t) : undefined,
      signal,
    );
    const scored = await scoreReply(client, s, prefix, gen.text, signal);
    replies.push({ ...scored, variant, stopReason: gen.stopReason, generatedTokens: gen.tokens.text.length });
  }
  return {
    turn: turnIndex,
    original,
    replies,
    settings: {
      sampling: o.sampling,
      maxTokens: o.maxTokens,
      monitorLayer: s.spec.monitorLayer,
      capLayers: s.spec.capLayers,
      capTaus: Array.from(s.spec.taus),
      percentile: s.spec.percentile,
      population: s.spec.population,
      monitorTau: s.monitorTau,
      steering: steering && o.steer ? { alpha: o.steer.alpha, layers: steering.layers, amounts: steering.amounts } : null,
    },
  };
}

/**
 * Scores `text` as the assistant reply after `prefix`, without capping: every value shown for a
 * re-run is the same measurement as the editor's, so the original and the new replies compare.
 */
export async function scoreReply(
  client: EngineClient,
  s: OpenSession,
  prefix: readonly { role: string; content: string }[],
  text: string,
  signal?: AbortSignal,
): Promise<ScoredReply> {
  const result = await client.score(
    [...prefix, { role: 'assistant', content: text }],
    { axis: s.spec },
    signal,
  );
  const last = result.turns[prefix.length];
  const k = result.layers.indexOf(result.monitorLayer);
  const projections = result.projections[k];
  if (!last || !last.found || last.tokenEnd <= last.tokenStart || !projections) {
    return { text, value: NaN, zone: null, surprise: null, outOfDomain: false, tokens: [], layerValues: [] };
  }
  const value = last.means[k] as number;
  const tokens = tokenValues(
    result.tokens,
    projections.subarray(last.tokenStart, last.tokenEnd),
    last.tokenStart,
  );
  const layerValues = layerValuesOf(result.layers, last.means);
  const surprise = turnSurprise(result.tokens.logProb, last.tokenStart, last.tokenEnd);
  return { text, value, ...readReply(value, surprise, s.calibration), surprise, tokens, layerValues };
}
