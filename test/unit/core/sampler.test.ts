import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmax, sampleToken, seededRandom } from '../../../src/core/sampler';

const logits = Float32Array.from([0.1, 2.0, 1.9, -1, 2.0, 0.5]);

test('greedy picks the first maximum', () => {
  assert.equal(argmax(logits), 1);
  assert.equal(sampleToken(logits, { kind: 'greedy' }, seededRandom(1)), 1);
  assert.equal(sampleToken(logits, { kind: 'sample', temperature: 0, topK: 0, topP: 1, seed: 1 }, seededRandom(1)), 1);
});

test('the same seed draws the same tokens; top-k and top-p bound the candidates', () => {
  const s = { kind: 'sample', temperature: 1, topK: 0, topP: 1, seed: 5 } as const;
  const draw = (seed: number, opts: typeof s | { kind: 'sample'; temperature: number; topK: number; topP: number; seed: number }, n = 200): number[] => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => sampleToken(logits, opts, r));
  };
  assert.deepEqual(draw(5, s), draw(5, s));
  assert.notDeepEqual(draw(5, s), draw(6, s));
  assert.ok(new Set(draw(5, s)).size >= 4);
  assert.deepEqual(new Set(draw(5, { ...s, topK: 2 })), new Set([1, 4]));
  // top-p 0.5: the two 2.0 logits hold about 0.56 of the mass, so only they remain.
  assert.deepEqual(new Set(draw(5, { ...s, topP: 0.5 })), new Set([1, 4]));
  // Frequencies follow the softmax at temperature 1 (loose bound, 4000 draws).
  const many = draw(9, s, 4000);
  const p1 = many.filter((x) => x === 1).length / many.length;
  const z = [...logits].reduce((a, x) => a + Math.exp(x), 0);
  assert.ok(Math.abs(p1 - Math.exp(2) / z) < 0.03, `p(1) = ${p1}`);
});
