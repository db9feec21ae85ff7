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

/** The sampler as it was before large candidate sets were radix-sorted: one comparator sort of every candidate. */
function referenceSample(l: Float32Array, s: { temperature: number; topK: number; topP: number }, random: () => number): number {
  let max = -Infinity;
  for (const x of l) if (x > max) max = x;
  const idx: number[] = [];
  for (let i = 0; i < l.length; i++) if ((l[i] as number) >= max - 40 * s.temperature) idx.push(i);
  idx.sort((a, b) => (l[b] as number) - (l[a] as number) || a - b);
  const order = s.topK > 0 ? idx.slice(0, s.topK) : idx;
  const top = l[order[0] as number] as number;
  const w = order.map((i) => Math.exp(((l[i] as number) - top) / s.temperature));
  const sum = w.reduce((a, x) => a + x, 0);
  let keep = order.length;
  if (s.topP < 1) {
    let acc = 0;
    for (let i = 0; i < order.length; i++) {
      acc += (w[i] as number) / sum;
      if (acc >= s.topP) {
        keep = i + 1;
        break;
      }
    }
  }
  let kept = 0;
  for (let i = 0; i < keep; i++) kept += w[i] as number;
  let r = random() * kept;
  for (let i = 0; i < keep; i++) {
    r -= w[i] as number;
    if (r < 0) return order[i] as number;
  }
  return order[keep - 1] as number;
}

test('large flat candidate sets draw exactly what a comparator sort draws (ties by id, -0 as +0, negatives, top-k, top-p)', () => {
  const rnd = seededRandom(42);
  const vocab = 8_000;
  // Flat logits keep every candidate (the radix path); quantized ones tie often; signs and zeros of both kinds mix.
  const flat = Float32Array.from({ length: vocab }, () => rnd() * 4 - 2);
  const tied = Float32Array.from({ length: vocab }, (_, i) => (i % 7 === 0 ? -0 : i % 11 === 0 ? 0 : Math.round((rnd() * 4 - 2) * 8) / 8));
  const settings = [
    { temperature: 0.7, topK: 0, topP: 0.9 },
    { temperature: 1, topK: 0, topP: 1 },
    { temperature: 0.7, topK: 5000, topP: 0.95 },
  ];
  for (const l of [flat, tied])
    for (const s of settings) {
      const ours = seededRandom(7);
      const theirs = seededRandom(7);
      const a = Array.from({ length: 100 }, () => sampleToken(l, { kind: 'sample', seed: 7, ...s }, ours));
      const b = Array.from({ length: 100 }, () => referenceSample(l, s, theirs));
      assert.deepEqual(a, b);
      assert.ok(new Set(a).size > 50, 'flat logits draw many different ids');
    }
  // With a tiny top-p only the head remains: the largest logit, lowest id among equals.
  const head = sampleToken(tied, { kind: 'sample', seed: 1, temperature: 0.7, topK: 0, topP: 1e-9 }, seededRandom(1));
  assert.equal(head, referenceSample(tied, { temperature: 0.7, topK: 0, topP: 1e-9 }, seededRandom(1)));
  assert.equal(head, tied.indexOf(Math.max(...tied)));
});
