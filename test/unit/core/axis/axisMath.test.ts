import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisSpecProblems, unitVector, type AxisSpec } from '../../../../src/core/axis/axisSpec';
import { projectTokens, turnMeans } from '../../../../src/core/axis/projection';
import { capHidden } from '../../../../src/core/axis/cap';

/** Small deterministic generator so the cases differ from run to run of the code, not of the test. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

test('projectTokens equals the per-row dot product', () => {
  const r = lcg(1);
  const h = 7;
  const rows = 5;
  const hidden = Float32Array.from({ length: rows * h }, r);
  const v = unitVector(Float32Array.from({ length: h }, r));
  const p = projectTokens(hidden, v);
  assert.equal(p.length, rows);
  for (let t = 0; t < rows; t++) {
    let s = 0;
    for (let i = 0; i < h; i++) s += hidden[t * h + i]! * v[i]!;
    assert.ok(Math.abs(p[t]! - s) < 1e-6);
  }
  assert.throws(() => projectTokens(new Float32Array(10), v), /not rows of width 7/);
});

test('turnMeans averages only the span tokens and gives NaN for empty spans', () => {
  const p = Float32Array.from([100, 1, 2, 3, 100, 10, 20, 100]);
  const m = turnMeans(p, [
    { turn: 0, start: 1, end: 4 },
    { turn: 1, start: 5, end: 7 },
    { turn: 2, start: 7, end: 7 },
  ]);
  assert.deepEqual(Array.from(m.slice(0, 2)), [2, 15]);
  assert.ok(Number.isNaN(m[2]));
  assert.throws(() => turnMeans(p, [{ turn: 0, start: 3, end: 9 }]), /outside 0\.\.8/);
});

test('capHidden lifts projections below tau to exactly tau and leaves the rest untouched', () => {
  const r = lcg(7);
  const h = 16;
  const rows = 40;
  const hidden = Float32Array.from({ length: rows * h }, r);
  const v = unitVector(Float32Array.from({ length: h }, r));
  const before = projectTokens(hidden, v);
  const tau = [...before].sort((a, b) => a - b)[rows / 2]!;
  const capped = capHidden(hidden, v, tau);
  const after = projectTokens(capped, v);
  let lifted = 0;
  for (let t = 0; t < rows; t++) {
    if (before[t]! >= tau) {
      assert.deepEqual(capped.subarray(t * h, (t + 1) * h), hidden.subarray(t * h, (t + 1) * h));
    } else {
      lifted++;
      assert.ok(Math.abs(after[t]! - tau) < 1e-5, `row ${t}: ${after[t]} vs ${tau}`);
    }
  }
  assert.equal(lifted, rows / 2);
  assert.deepEqual(capHidden(hidden, v, -Infinity), hidden);
});

test('axisSpecProblems accepts a valid spec and names each problem of a bad one', () => {
  const v = unitVector(Float32Array.from([3, 4]));
  const good: AxisSpec = { hiddenSize: 2, vectors: [v, v, v], monitorLayer: 1, capLayers: [1, 2], taus: Float32Array.from([0.5, -Infinity]) };
  assert.deepEqual(axisSpecProblems(good, 3, 2), []);
  const bad: AxisSpec = { hiddenSize: 2, vectors: [v, Float32Array.from([1, 1])], monitorLayer: 5, capLayers: [2, 1], taus: Float32Array.from([NaN]) };
  const problems = axisSpecProblems(bad, 3, 2).join('\n');
  assert.match(problems, /2 layer vectors, model has 3/);
  assert.match(problems, /layer 1 is not unit length/);
  assert.match(problems, /monitor layer 5/);
  assert.match(problems, /1 taus for 2 cap layers/);
  assert.match(problems, /ascending/);
  assert.match(problems, /tau of cap layer 2 is NaN/);
});
