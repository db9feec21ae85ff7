/**
 * Drift gates for CI: a conversation fails when an assistant turn falls below an absolute
 * value (--fail-below X) or drops by more than D below the conversation's first assistant
 * turn (--fail-drop D).
 */
import type { TurnScore } from './scores';

export interface GateOptions {
  readonly failBelow?: number;
  readonly failDrop?: number;
}

/** One reason a gate failed, with the turn it failed on. */
export interface GateFailure {
  readonly turn: number;
  readonly value: number;
  readonly message: string;
}

/** Evaluates the gates on one conversation's turn scores; empty when it passes. */
export function evaluateGate(turns: readonly TurnScore[], gate: GateOptions): GateFailure[] {
  const assistant = turns.filter((t) => t.role === 'assistant');
  const failures: GateFailure[] = [];
  const first = assistant[0];
  for (const t of assistant) {
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
