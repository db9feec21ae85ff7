/**
 * Drift gates for CI. A conversation fails when an assistant turn reads in a zone (--fail-zone
 * role|drifting), falls below an absolute value (--fail-below X) or drops by more than D below the
 * conversation's first assistant turn (--fail-drop D). Gates fail closed: an assistant turn that
 * got no trustworthy value (cut by the token limit, no content tokens, out of the model's domain)
 * fails every gate, naming the turn, unless unscored turns are explicitly allowed.
 */
import type { Zone } from './axis/calibration';
import type { ConversationScores, TurnScore } from './scores';

/** Zones a gate can fail on: `drifting` fails drifting and role turns, `role` only role turns. */
export type GateZone = Exclude<Zone, 'assistant'>;

export interface GateOptions {
  readonly failBelow?: number;
  readonly failDrop?: number;
  readonly failZone?: GateZone;
  /** Let unscored and out-of-domain assistant turns pass instead of failing the gate. */
  readonly allowUnscored?: boolean;
}

/** One reason a gate failed, with the turn it failed on (value null when the turn has none). */
export interface GateFailure {
  readonly turn: number;
  readonly value: number | null;
  readonly message: string;
}

/** Raised when a gate cannot be evaluated with this axis (e.g. --fail-zone where the axis draws no zones): a usage problem, not a drift. */
export class GateUnusableError extends Error {
  override readonly name = 'GateUnusableError';
}

/** True when any gate is asked for. */
export function hasGate(gate: GateOptions): boolean {
  return gate.failBelow !== undefined || gate.failDrop !== undefined || gate.failZone !== undefined;
}

/** Throws GateUnusableError when the asked gates cannot be evaluated on these scores. */
export function checkGateUsable(scores: ConversationScores, gate: GateOptions): void {
  if (gate.failZone === undefined) return;
  const c = scores.calibration;
  if (!c.zones) throw new GateUnusableError(`--fail-zone needs zones, and the axis ${scores.axis} draws none at layer ${c.layer}: ${c.noZones ?? 'no populations'}`);
  if (gate.failZone === 'role' && c.zones.roleTo === null) {
    throw new GateUnusableError(`--fail-zone role needs a role population, and the axis ${scores.axis} has none (${c.notes.join('; ')})`);
  }
}

/** Evaluates the gates on one conversation; empty when it passes (or when no gate is asked for). */
export function evaluateGate(scores: ConversationScores, gate: GateOptions): GateFailure[] {
  if (!hasGate(gate)) return [];
  checkGateUsable(scores, gate);
  const failures: GateFailure[] = [];
  if (!gate.allowUnscored) {
    for (const u of scores.unscored) {
      const why = u.reason === 'beyond-token-limit' ? `is beyond the ${scores.truncated?.tokenLimit ?? 'token'}-token limit` : 'has no content tokens to score';
      failures.push({ turn: u.turn, value: null, message: `assistant turn ${u.turn} ${why}, so no gate can pass it (--allow-unscored lets it pass)` });
    }
  }
  const assistant = scores.turns.filter((t) => t.role === 'assistant');
  const readable = assistant.filter((t) => !t.outOfDomain);
  for (const t of assistant) {
    if (t.outOfDomain && !gate.allowUnscored) {
      failures.push({ turn: t.turn, value: t.value, message: `assistant turn ${t.turn} is out of the model's domain (surprise ${formatNats(t.surprise)}), so its value cannot pass a gate (--allow-unscored lets it pass)` });
    }
  }
  const first = readable[0];
  for (const t of readable) {
    if (gate.failZone !== undefined && inFailingZone(t, gate.failZone)) {
      failures.push({ turn: t.turn, value: t.value, message: `turn ${t.turn} reads ${t.zone} (${t.value.toFixed(3)})` });
    }
    if (gate.failBelow !== undefined && t.value < gate.failBelow) {
      failures.push({ turn: t.turn, value: t.value, message: `turn ${t.turn} is at ${t.value.toFixed(3)}, below ${gate.failBelow}` });
    }
    if (gate.failDrop !== undefined && first && t !== first && first.value - t.value > gate.failDrop) {
      failures.push({
        turn: t.turn,
        value: t.value,
        message: `turn ${t.turn} dropped ${(first.value - t.value).toFixed(3)} below the first assistant turn (${first.value.toFixed(3)}), more than ${gate.failDrop}`,
      });
    }
  }
  return failures;
}

/** Number of assistant turns that got a value (in the model's domain or not). */
export function scoredAssistantTurns(scores: ConversationScores): number {
  return scores.turns.filter((t) => t.role === 'assistant').length;
}

function inFailingZone(t: TurnScore, zone: GateZone): boolean {
  return t.zone === 'role' || (zone === 'drifting' && t.zone === 'drifting');
}

function formatNats(x: number | null): string {
  return x === null ? 'unknown' : `${x.toFixed(2)} nats/token`;
}
