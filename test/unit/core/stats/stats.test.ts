import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromPercentileTable, mean, percentile, percentileTable } from '../../../../src/core/stats/descriptive';
import { auc, ranks, spearman } from '../../../../src/core/stats/rank';
import { cosine, firstPrincipalComponent } from '../../../../src/core/stats/pca';

test('percentile interpolates linearly between ranks like numpy', () => {
  // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]
  const xs = [4, 1, 3, 2];
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile(xs, 25), 1.75);
  assert.equal(percentile(xs, 50), 2.5);
  assert.ok(Math.abs(percentile(xs, 90) - 3.7) < 1e-12);
  assert.equal(percentile(xs, 100), 4);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile(xs, 101), RangeError);
});

test('a percentile table answers any percentile like the raw data', () => {
  const xs = Array.from({ length: 57 }, (_, i) => Math.sin(i) * 10);
  const table = percentileTable(xs);
  for (const p of [0, 5, 25, 50, 75, 100]) assert.ok(Math.abs(fromPercentileTable(table, p) - percentile(xs, p)) < 1e-12);
  assert.equal(mean([1, 2, 3]), 2);
});

test('ranks average ties; AUC and Spearman on known cases', () => {
  assert.deepEqual([...ranks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
  assert.equal(auc([3, 4, 5], [0, 1, 2]), 1);
  assert.equal(auc([0, 1, 2], [3, 4, 5]), 0);
  assert.equal(auc([1, 1], [1, 1]), 0.5);
  assert.equal(auc([2, 0], [1]), 0.5);
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [9, 4, 1, 0]), -1);
  assert.ok(Number.isNaN(spearman([1, 2, 3], [5, 5, 5])));
});

test('PC1 finds the direction the points spread along', () => {
  const dir = Float32Array.from([3, -1, 2, 0.5, 0]).map((x, _, a) => x / Math.hypot(...a));
  const rows = [-2, -1, 0.5, 1, 3].map((t, i) => Float32Array.from(dir, (d, j) => 7 + t * d + 0.01 * Math.sin(i * 5 + j)));
  const { direction, explained } = firstPrincipalComponent(rows);
  assert.ok(Math.abs(cosine(direction, dir)) > 0.999, `cos ${cosine(direction, dir)}`);
  assert.ok(explained > 0.99);
});
