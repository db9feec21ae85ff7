/**
 * Per-turn Assistant-Axis results as every front-end (editor, panel, CLI, report) sees them.
 * A turn's value is the mean projection of its content tokens on the unit axis at the monitor
 * layer (chat-template markup excluded); higher = more Assistant-like (design.md, "Monitoring").
 * Its reading (zone, domain, alarm) comes from the axis's calibration (src/core/axis/calibration.ts).
 */
import type { Calibration, Zone } from './axis/calibration';

/** One scored turn of one conversation. */
export interface TurnScore {
  /** Index of the turn in `Conversation.turns`. */
  readonly turn: number;
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  /** Mean projection over the turn's content tokens at the monitor layer. */
  readonly value: number;
  /** Change from the previous scored turn of the same role, or null for the first one. */
  readonly delta: number | null;
  /**
   * Where an assistant turn reads between default and role-play replies; null for other roles, for
   * turns out of the model's domain, and where the axis draws no zones.
   */
  readonly zone: Zone | null;
  /** Mean negative log-likelihood of the turn's content tokens (nats per token); null when unknown. */
  readonly surprise: number | null;
  /** The model cannot read this turn (surprise far above its own replies'): the value is noise and never alarms. */
  readonly outOfDomain: boolean;
  /** Red mark: an assistant turn in the role zone, or (when asked for) a large drop from the first assistant turn. */
  readonly alarm: boolean;
  /** Smallest and largest per-token projection within the turn. */
  readonly minToken: number;
  readonly maxToken: number;
  /** Number of content tokens the mean is over. */
  readonly tokenCount: number;
  /** The turn's mean projection at every layer (index = zero-based layer). */
  readonly layerValues: readonly number[];
  /** The turn's content tokens with their projection at the monitor layer, in order. */
  readonly tokens: readonly TokenValue[];
}

/** One content token of a turn and its projection on the axis at the monitor layer. */
export interface TokenValue {
  readonly text: string;
  /** [start, end) UTF-16 offsets of the token in the turn's text. */
  readonly start: number;
  readonly end: number;
  readonly value: number;
}

/** Why an assistant turn has no reading. */
export type UnscoredReason = 'beyond-token-limit' | 'no-tokens';

/** An assistant turn of the transcript that got no value. */
export interface UnscoredTurn {
  readonly turn: number;
  readonly reason: UnscoredReason;
}

/** The scores of one conversation plus what they were computed with. */
/** The layers capping acts on and the floor at each (same order). */
export interface CappingBand {
  readonly layers: readonly number[];
  readonly floors: readonly number[];
}

export interface ConversationScores {
  readonly turns: readonly TurnScore[];
  /** Assistant turns of the conversation without a value (cut by the token limit, or no content tokens). */
  readonly unscored: readonly UnscoredTurn[];
  readonly monitorLayer: number;
  /** Capping floor tau at the monitor layer (an intervention parameter, not an alarm), when the axis has one. */
  readonly tau: number | null;
  /** Zone cuts and domain check the turns were read with. */
  readonly calibration: Calibration;
  readonly model: string;
  readonly axis: string;
  /**
   * The capping band of the session these scores were made in (null: none), kept with them so a view
   * draws the band the numbers belong to even after the settings changed.
   */
  readonly capping: CappingBand | null;
  /** When the conversation was longer than the token limit: the first turn left out, the limit and the full length. */
  readonly truncated: { readonly firstTurnLeftOut: number; readonly tokenLimit: number; readonly fullTokens: number } | null;
}

/** Fills `delta` for a list of turn values: the change from the previous turn of the same role. */
export function withDeltas<T extends { role: string; value: number }>(
  turns: readonly T[],
): (T & { delta: number | null })[] {
  const last = new Map<string, number>();
  return turns.map((t) => {
    const prev = last.get(t.role);
    last.set(t.role, t.value);
    return { ...t, delta: prev === undefined ? null : t.value - prev };
  });
}
