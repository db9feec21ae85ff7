/**
 * Turns the engine's per-message, per-layer results into the per-turn scores the front-ends
 * show. The input types are structural so core needs nothing from the worker.
 */
import type { Conversation } from './transcript';
import type { CappingBand, ConversationScores, TokenValue, TurnScore, UnscoredTurn } from './scores';
import { withDeltas } from './scores';
import { isOutOfDomain, readReply, type Calibration } from './axis/calibration';

/** A chat message as the engine takes it. */
export interface EngineMessage {
  readonly role: string;
  readonly content: string;
}

/** The messages a conversation is scored as: its system prompt (if any) then its turns. */
export function toEngineMessages(c: Conversation): { messages: EngineMessage[]; turnOffset: number } {
  const messages: EngineMessage[] = [];
  if (c.system) messages.push({ role: 'system', content: c.system.text });
  for (const t of c.turns) messages.push({ role: t.role, content: t.text });
  return { messages, turnOffset: c.system ? 1 : 0 };
}

/** What the engine returns per message (structurally the worker's ScoreResult). */
export interface EngineScore {
  readonly layers: readonly number[];
  readonly monitorLayer: number;
  /** projections[k][i]: token i (content tokens, table order) at layers[k]. */
  readonly projections: readonly Float32Array[];
  /**
   * Content-token table: text and [start, end) offsets within each token's message, and each token's
   * log-probability given everything before it (NaN where undefined; absent from older engines).
   */
  readonly tokens: { readonly text: readonly string[]; readonly start: Int32Array; readonly end: Int32Array; readonly logProb?: Float32Array };
  /** Messages scored, the full length in tokens and the limit that cut it (null: nothing cut). */
  readonly scoredMessages: number;
  readonly fullTokens: number;
  readonly tokenLimit: number | null;
  readonly turns: readonly {
    readonly turn: number;
    readonly role: string;
    readonly tokenStart: number;
    readonly tokenEnd: number;
    readonly found: boolean;
    readonly means: Float32Array;
  }[];
}

/** What a conversation's scores are read with. */
export interface ScoringContext {
  /** Messages before the conversation's first turn (its system prompt). */
  readonly turnOffset: number;
  /** Capping floor at the monitor layer (shown where capping is used; never an alarm). */
  readonly tau: number | null;
  readonly model: string;
  readonly axis: string;
  readonly calibration: Calibration;
  /** The session's capping band, stored with the scores. */
  readonly capping?: CappingBand | null;
  /** Also alarm when an assistant turn falls more than this below the conversation's first assistant turn. */
  readonly dropAlarm?: number | null;
}

/** Per-turn scores of a conversation from an engine result; messages the template dropped are left out. */
export function toConversationScores(conversation: Conversation, result: EngineScore, ctx: ScoringContext): ConversationScores {
  const k = result.layers.indexOf(result.monitorLayer);
  if (k < 0) throw new RangeError(`the engine did not return the monitor layer ${result.monitorLayer}`);
  const projections = result.projections[k] ?? new Float32Array(0);
  const { calibration } = ctx;
  const scored = result.turns.flatMap((m) => {
    const turnIndex = m.turn - ctx.turnOffset;
    const turn = conversation.turns[turnIndex];
    if (turnIndex < 0 || !turn || !m.found || m.tokenEnd <= m.tokenStart) return [];
    const span = projections.subarray(m.tokenStart, m.tokenEnd);
    const value = m.means[k] as number;
    const surprise = turnSurprise(result.tokens.logProb, m.tokenStart, m.tokenEnd);
    // Zones read assistant turns only: the axis measures the assistant's persona, not the user's.
    const { zone, outOfDomain } = turn.role === 'assistant' ? readReply(value, surprise, calibration) : { zone: null, outOfDomain: isOutOfDomain(surprise, calibration.domain) };
    return [
      {
        turn: turnIndex,
        role: turn.role,
        value,
        zone,
        surprise,
        outOfDomain,
        alarm: zone === 'role',
        minToken: span.reduce((m, v) => Math.min(m, v), Infinity),
        maxToken: span.reduce((m, v) => Math.max(m, v), -Infinity),
        tokenCount: span.length,
        layerValues: layerValuesOf(result.layers, m.means),
        tokens: tokenValues(result.tokens, span, m.tokenStart),
      },
    ];
  });
  const turns: TurnScore[] = withDropAlarm(withDeltas(scored), ctx.dropAlarm ?? null);
  const truncated =
    result.tokenLimit === null
      ? null
      : { firstTurnLeftOut: Math.max(0, result.scoredMessages - ctx.turnOffset), tokenLimit: result.tokenLimit, fullTokens: result.fullTokens };
  const have = new Set(turns.map((t) => t.turn));
  const unscored: UnscoredTurn[] = conversation.turns.flatMap((t, i) =>
    t.role !== 'assistant' || have.has(i) ? [] : [{ turn: i, reason: truncated && i >= truncated.firstTurnLeftOut ? 'beyond-token-limit' : 'no-tokens' }],
  );
  return { turns, unscored, monitorLayer: result.monitorLayer, tau: ctx.tau, calibration, model: ctx.model, axis: ctx.axis, capping: ctx.capping ?? null, truncated };
}

/** Mean negative log-likelihood over tokens [start, end) of the table, skipping undefined ones; null when none is defined. */
export function turnSurprise(logProb: Float32Array | undefined, start: number, end: number): number | null {
  if (!logProb) return null;
  let sum = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const lp = logProb[i] as number;
    if (Number.isNaN(lp)) continue;
    sum -= lp;
    n++;
  }
  return n === 0 ? null : sum / n;
}

/** Raises the alarm on in-domain assistant turns that fall more than `drop` below the first in-domain assistant turn. */
function withDropAlarm<T extends TurnScore>(turns: T[], drop: number | null): T[] {
  if (drop === null) return turns;
  const first = turns.find((t) => t.role === 'assistant' && !t.outOfDomain);
  if (!first) return turns;
  return turns.map((t) => (t.role === 'assistant' && !t.outOfDomain && t !== first && first.value - t.value > drop ? { ...t, alarm: true } : t));
}

/** A message's means by layer number, from means over `layers`; layers the engine did not return are NaN. */
export function layerValuesOf(layers: readonly number[], means: Float32Array): number[] {
  return Array.from({ length: Math.max(...layers) + 1 }, (_, l) => {
    const j = layers.indexOf(l);
    return j < 0 ? NaN : (means[j] as number);
  });
}

/** The tokens of one message: `span` holds their projections, the first at table row `first`. */
export function tokenValues(table: EngineScore['tokens'], span: Float32Array, first: number): TokenValue[] {
  return Array.from(span, (value, i) => ({
    text: table.text[first + i] ?? '',
    start: table.start[first + i] ?? 0,
    end: table.end[first + i] ?? 0,
    value,
  }));
}
