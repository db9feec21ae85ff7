// Probe runs built from hand-made reply values, read by the real calibration (test/support/scores.ts).
import assert from 'node:assert/strict';
import { withTrajectory, type ProbeRun } from '../../src/core/probes';
import { conversationScores, turnScores } from './scores';

/** A probe run whose replies have these values (user turns at even indices score 0). */
export function probeRun(id: string, values: readonly number[], surprise: readonly (number | null)[] = []): ProbeRun {
  const turns = turnScores(values.flatMap((v) => [0, v]), { roles: values.flatMap(() => ['user', 'assistant'] as const), surprise: values.flatMap((_, i) => [null, surprise[i] ?? null]) });
  const scores = conversationScores(turns);
  return withTrajectory({
    id,
    category: 'nature',
    title: id,
    seed: 1,
    scores,
    replies: values.map((_, i) => {
      const t = turns[2 * i + 1];
      assert.ok(t);
      return { reply: i + 1, turn: 2 * i + 1, user: `u${i}`, text: `reply ${i + 1} of ${id}`, stopReason: 'eos' as const, tokens: 5, value: t.value, zone: t.zone, outOfDomain: t.outOfDomain, surprise: t.surprise };
    }),
  });
}

