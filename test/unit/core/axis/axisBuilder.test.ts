import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildAxisLayers,
  recommendedCappingLayers,
  recommendedMonitorLayer,
  type ResponseActivations,
} from '../../../../src/core/axis/axisBuilder';
import { cosine } from '../../../../src/core/stats/pca';

/** Seeded normal noise (Box-Muller over a small LCG) so the test is reproducible. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

test('the axis recovers a planted assistant direction and ranks held-out responses', () => {
  const hidden = 48;
  const layers = 3;
  const rnd = noise(7);
  const planted = Float32Array.from({ length: hidden }, () => rnd());
  const n = Math.hypot(...planted);
  planted.forEach((x, i) => (planted[i] = x / n));
  const base = Float32Array.from({ length: hidden }, () => 3 * rnd());
  // Roles sit at graded distances from the assistant along the planted direction, as in the paper.
  const personas: [string, number][] = [['default', 2], ['tutor', 1], ['knight', 0], ['pirate', -1], ['dragon', -2], ['ghost', -1.5]];
  const responses: ResponseActivations[] = [];
  for (const [persona, at] of personas) {
    for (let q = 0; q < 12; q++) {
      const layerMeans = Array.from({ length: layers }, (_, l) =>
        Float32Array.from(base, (b, j) => b + (l + 1) * at * (planted[j] as number) + 0.15 * rnd()),
      );
      responses.push({ persona, questionId: `q${q}`, heldOut: q >= 9 || persona === 'ghost', layerMeans });
    }
  }
  const axis = buildAxisLayers(responses, layers);
  assert.equal(axis.length, layers);
  for (const l of axis) {
    assert.ok(Math.abs(Math.hypot(...l.unit) - 1) < 1e-5);
    assert.ok(cosine(l.unit, planted) > 0.95, `cos with planted ${cosine(l.unit, planted)}`);
    assert.ok((l.pc1Cosine ?? 0) > 0.9, `pc1 ${l.pc1Cosine}`);
    assert.equal(l.auc, 1);
  }
});

test('building refuses inputs without defaults or roles', () => {
  const r = (persona: string): ResponseActivations => ({ persona, questionId: 'q', heldOut: false, layerMeans: [Float32Array.of(1, 2)] });
  assert.throws(() => buildAxisLayers([r('pirate')], 1), /no default/);
  assert.throws(() => buildAxisLayers([r('default')], 1), /no role/);
});

test('recommended layers follow the paper: middle for monitoring, about 70-85% for capping', () => {
  assert.equal(recommendedMonitorLayer(4), 2);
  assert.deepEqual(recommendedCappingLayers(4), [2, 3]);
  assert.equal(recommendedMonitorLayer(64), 32);
  assert.deepEqual(recommendedCappingLayers(64), [44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54]);
  assert.deepEqual(recommendedCappingLayers(1), [0]);
});
