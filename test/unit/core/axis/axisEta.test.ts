import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisWork, estimateAxisMs, formatEta, spreadRuns, type AxisWork } from '../../../../src/core/axis/axisEta';

const work: AxisWork = { runs: 100, floorRuns: 10 };

test('runs at the measured time per run, floors at the time per floors pass', () => {
  // 100 runs x 2 s + 10 floor passes x 0.5 s = 205 s.
  assert.equal(estimateAxisMs(work, { secondsPerRun: 2, secondsPerFloorRun: 0.5 }), 205_000);
  // Twice as fast per run halves the runs' part only.
  assert.equal(estimateAxisMs(work, { secondsPerRun: 1, secondsPerFloorRun: 0.5 }), 105_000);
  assert.equal(estimateAxisMs({ runs: 0, floorRuns: 0 }, { secondsPerRun: 1, secondsPerFloorRun: 1 }), 0);
});

test('an unmeasured time or a bad count is named, not turned into Infinity', () => {
  assert.throws(() => estimateAxisMs(work, { secondsPerRun: 0, secondsPerFloorRun: 1 }), /secondsPerRun must be positive, got 0/);
  assert.throws(() => estimateAxisMs(work, { secondsPerRun: 1, secondsPerFloorRun: Number.NaN }), /secondsPerFloorRun/);
  assert.throws(() => estimateAxisMs({ ...work, runs: -1 }, { secondsPerRun: 1, secondsPerFloorRun: 1 }), /runs.*-1/);
});

test("a plan's work: every run generates; floors score the training default-Assistant runs", () => {
  const runs = [
    { persona: 'default', heldOut: false },
    { persona: 'default', heldOut: true },
    { persona: 'pirate', heldOut: false },
  ];
  assert.deepEqual(axisWork(runs), { runs: 3, floorRuns: 1 });
});

test('timed runs are spread evenly over the plan, in plan order', () => {
  const plan = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(spreadRuns(plan, 4), [0, 2, 5, 7]);
  assert.deepEqual(spreadRuns(plan, 20), plan);
});

test('ETA text is coarse', () => {
  assert.equal(formatEta(20_000), 'under a minute');
  assert.equal(formatEta(210_000), 'about 4 min');
  assert.equal(formatEta(2 * 3600_000 + 5 * 60_000), 'about 2 h 05 min');
  assert.equal(formatEta(Number.NaN), 'unknown');
});
