import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateAxisMs, formatEta, type AxisWork } from '../../../../src/core/axis/axisEta';

const work: AxisWork = { runs: 100, promptTokens: 60, maxTokens: 40, floorRuns: 10, floorTokens: 120 };

test('prompt tokens at the prompt rate, generated tokens at the decode rate', () => {
  // 100 x 60 + 10 x 120 = 7,200 prompt tokens at 720/s = 10 s; 100 x 40 = 4,000 decode tokens at 20/s = 200 s.
  assert.equal(estimateAxisMs(work, { promptTokensPerSecond: 720, decodeTokensPerSecond: 20 }), 210_000);
  // Twice the decode speed halves the decode part only.
  assert.equal(estimateAxisMs(work, { promptTokensPerSecond: 720, decodeTokensPerSecond: 40 }), 110_000);
  assert.equal(estimateAxisMs({ ...work, runs: 0, floorRuns: 0 }, { promptTokensPerSecond: 1, decodeTokensPerSecond: 1 }), 0);
});

test('an unmeasured speed or a bad count is named, not turned into Infinity', () => {
  assert.throws(() => estimateAxisMs(work, { promptTokensPerSecond: 0, decodeTokensPerSecond: 20 }), /promptTokensPerSecond.*got 0/);
  assert.throws(() => estimateAxisMs(work, { promptTokensPerSecond: 10, decodeTokensPerSecond: Number.NaN }), /decodeTokensPerSecond/);
  assert.throws(() => estimateAxisMs({ ...work, runs: -1 }, { promptTokensPerSecond: 10, decodeTokensPerSecond: 10 }), /runs.*-1/);
});

test('ETA text is coarse', () => {
  assert.equal(formatEta(20_000), 'under a minute');
  assert.equal(formatEta(210_000), 'about 4 min');
  assert.equal(formatEta(2 * 3600_000 + 5 * 60_000), 'about 2 h 05 min');
  assert.equal(formatEta(Number.NaN), 'unknown');
});
