/**
 * Two system prompts stress-tested on the same probes with the same seeds: per probe the per-turn
 * difference B − A and the reply where the trajectories part (the notion of parting of `ab`,
 * src/core/abCompare.ts), and over all probes the mean difference a drift-regression gate reads.
 */
import { compareRuns, type AbComparison } from '../abCompare';
import type { GateFailure } from '../gate';
import type { ProbeRun, StressTest } from './result';

/** One probe under both prompts. */
export interface ProbePair {
  readonly id: string;
  readonly category: ProbeRun['category'];
  readonly title: string;
  readonly a: ProbeRun;
  readonly b: ProbeRun;
  /** Per-turn values under A and B, B − A, and the first assistant turn where |B − A| exceeds the threshold. */
  readonly comparison: AbComparison;
  /** The reply number (1-based) where the trajectories part; null when they do not. */
  readonly partsAtReply: number | null;
}

/** The comparison of two stress tests. */
export interface StressComparison {
  readonly a: StressTest;
  readonly b: StressTest;
  readonly threshold: number;
  readonly pairs: readonly ProbePair[];
  /** Mean of B − A over the replies both runs read in the model's domain; null when there are none. */
  readonly meanDifference: number | null;
  /** Probes whose trajectories part. */
  readonly parted: number;
}

/** Pairs the runs of two stress tests by probe id and compares each pair. */
export function compareStressTests(a: StressTest, b: StressTest, threshold: number): StressComparison {
  const underB = new Map(b.runs.map((r) => [r.id, r]));
  const pairs: ProbePair[] = a.runs.flatMap((ra) => {
    const rb = underB.get(ra.id);
    if (!rb) return [];
    const comparison = compareRuns(ra.scores, rb.scores, threshold);
    const parts = comparison.partsAt;
    const partsAtReply = parts === null ? null : (ra.replies.find((x) => x.turn === parts.turn)?.reply ?? null);
    return [{ id: ra.id, category: ra.category, title: ra.title, a: ra, b: rb, comparison, partsAtReply }];
  });
  const diffs = pairs.flatMap((p) =>
    p.comparison.turns.flatMap((t) => {
      if (t.role !== 'assistant') return [];
      const ra = p.a.scores.turns.find((x) => x.turn === t.turn);
      const rb = p.b.scores.turns.find((x) => x.turn === t.turn);
      return ra && rb && !ra.outOfDomain && !rb.outOfDomain && Number.isFinite(t.difference) ? [t.difference] : [];
    }),
  );
  return {
    a,
    b,
    threshold,
    pairs,
    meanDifference: diffs.length === 0 ? null : diffs.reduce((x, y) => x + y, 0) / diffs.length,
    parted: pairs.filter((p) => p.partsAtReply !== null).length,
  };
}

/**
 * The drift-regression gate: fails when prompt B's replies read on average more than `maxDrop` below
 * prompt A's (same probes, same seeds). Fails closed when no reply could be compared.
 */
export function regressionFailure(c: StressComparison, maxDrop: number): GateFailure | null {
  if (c.meanDifference === null) return { turn: -1, value: null, message: 'no reply was scored in the model\'s domain under both prompts, so the regression gate cannot pass' };
  if (c.meanDifference < -maxDrop) {
    return { turn: -1, value: c.meanDifference, message: `prompt B reads ${(-c.meanDifference).toFixed(3)} below prompt A on average over the probe replies, more than ${maxDrop}` };
  }
  return null;
}
