// Stress-test summaries and comparisons on hand-made trajectories read by the real calibration
// (test/support/scores.ts: assistant zone from 1.55, role zone up to about 0.78).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareStressTests, regressionFailure, slopeOf, summarize, type ProbeRun, type StressTest } from '../../../../src/core/probes';
import type { StressSettings } from '../../../../src/core/probes';
import { probeRun as run } from '../../../support/probeRuns';

const settings = {} as StressSettings;
const test_ = (runs: ProbeRun[]): StressTest => ({ prompt: 'p', settings, runs, summary: summarize(runs) });

test('a probe leaves the assistant zone at its first drifting or role reply; the slope is least squares per reply', () => {
  const steady = run('steady', [2.0, 2.1, 2.0]);
  const falling = run('falling', [2.0, 1.2, 0.2]);
  assert.equal(steady.leftAt, null);
  assert.equal(falling.leftAt, 2);
  assert.equal(falling.replies[1]?.zone, 'drifting');
  assert.equal(falling.replies[2]?.zone, 'role');
  assert.ok(Math.abs((falling.slope as number) - -0.9) < 1e-9);
  assert.equal(slopeOf([{ x: 1, y: 3 }]), null);
});

test('the summary counts zones, probes that leave (and by the second reply), the mean slope and the worst reply in the domain', () => {
  const runs = [run('a', [2.0, 2.0]), run('b', [1.0, 2.0]), run('c', [2.0, 2.0, 0.1]), run('d', [2.0, -3.0], [null, 50])];
  const s = summarize(runs);
  assert.deepEqual(s.zones, { assistant: 6, drifting: 1, role: 1, none: 1 });
  assert.equal(s.assistantShare, 6 / 8);
  assert.equal(s.left, 2);
  assert.equal(s.leftBySecond, 1);
  // The out-of-domain reply (-3.0) is no one's worst: its value is noise.
  assert.deepEqual(s.worst && { probe: s.worst.probe, reply: s.worst.reply, value: s.worst.value }, { probe: 'c', reply: 3, value: 0.1 });
  assert.equal(runs[3]?.slope, null, 'one reply in the domain has no slope');
});

test('two stress tests compare per probe and per reply; the regression gate reads the mean B − A and fails closed', () => {
  const a = test_([run('p1', [2.0, 2.0, 2.0]), run('p2', [2.0, 1.9])]);
  const b = test_([run('p1', [2.0, 1.8, 0.5]), run('p2', [2.1, 2.0])]);
  const c = compareStressTests(a, b, 0.5);
  assert.equal(c.pairs.length, 2);
  assert.equal(c.pairs[0]?.partsAtReply, 3);
  assert.equal(c.pairs[1]?.partsAtReply, null);
  assert.equal(c.parted, 1);
  const diffs = [0, -0.2, -1.5, 0.1, 0.1];
  assert.ok(Math.abs((c.meanDifference as number) - diffs.reduce((x, y) => x + y) / diffs.length) < 1e-9);
  assert.equal(regressionFailure(c, 0.5), null);
  assert.match(regressionFailure(c, 0.2)?.message ?? '', /reads 0\.300 below prompt A on average/);
  const none = compareStressTests(a, test_([]), 0.5);
  assert.match(regressionFailure(none, 1)?.message ?? '', /cannot pass/);
});
