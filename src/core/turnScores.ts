/**
 * Turns the engine's per-message, per-layer results into the per-turn scores the front-ends
 * show. The input types are structural so core needs nothing from the worker.
 */
import type { Conversation } from './transcript';
import type { ConversationScores, TokenValue, TurnScore } from './scores';
import { withDeltas } from './scores';

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
  /** Content-token table: text and [start, end) offsets within each token's message. */
  readonly tokens: { readonly text: readonly string[]; readonly start: Int32Array; readonly end: Int32Array };
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

/** Per-turn scores of a conversation from an engine result; messages the template dropped are left out. */
export function toConversationScores(
  conversation: Conversation,
  result: EngineScore,
  ctx: { readonly turnOffset: number; readonly tau: number | null; readonly model: string; readonly axis: string },
): ConversationScores {
  const k = result.layers.indexOf(result.monitorLayer);
  if (k < 0) throw new RangeError(`the engine did not return the monitor layer ${result.monitorLayer}`);
  const projections = result.projections[k] ?? new Float32Array(0);
  const scored = result.turns.flatMap((m) => {
    const turnIndex = m.turn - ctx.turnOffset;
    const turn = conversation.turns[turnIndex];
    if (turnIndex < 0 || !turn || !m.found || m.tokenEnd <= m.tokenStart) return [];
    const span = projections.subarray(m.tokenStart, m.tokenEnd);
    const value = m.means[k] as number;
    return [
      {
        turn: turnIndex,
        role: turn.role,
        value,
        belowFloor: ctx.tau !== null && value < ctx.tau,
        minToken: span.reduce((m, v) => Math.min(m, v), Infinity),
        maxToken: span.reduce((m, v) => Math.max(m, v), -Infinity),
        tokenCount: span.length,
        layerValues: layerValuesOf(result.layers, m.means),
        tokens: tokenValues(result.tokens, span, m.tokenStart),
      },
    ];
  });
  const turns: TurnScore[] = withDeltas(scored);
  const truncated =
    result.tokenLimit === null
      ? null
      : { firstTurnLeftOut: Math.max(0, result.scoredMessages - ctx.turnOffset), tokenLimit: result.tokenLimit, fullTokens: result.fullTokens };
  return { turns, monitorLayer: result.monitorLayer, tau: ctx.tau, model: ctx.model, axis: ctx.axis, truncated };
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
