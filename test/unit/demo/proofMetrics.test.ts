// Proof metric functions on known inputs (the engine-driven values are checked in demoProof*.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cappingEffect,
  checkTarget,
  driftTrend,
  labelAgreement,
  pc1AxisCosine,
  registerShare,
  roleOrderSpearman,
  separationAuc,
  templateValidity,
} from '../../../src/core/demo/proofMetrics';
import { makeRegisterClassifier } from '../../../src/core/demo/registerClassifier';
import { makeTemplateMatcher } from '../../../src/core/demo/templateMatcher';
import { proofMarkdown, type ProofData } from '../../../src/core/demo/proofReport';

const classify = makeRegisterClassifier({ description: '', wordPattern: "[a-z']+", lexicons: { assistant: ['glad'], pirate: ['arr'] } });

test('targets pass on the right side of the threshold and never on NaN', () => {
  assert.equal(checkTarget('a', 'a', 0.95, '>=', 0.95, '').pass, true);
  assert.equal(checkTarget('a', 'a', 0.949, '>=', 0.95, '').pass, false);
  assert.equal(checkTarget('d', 'd', -0.5, '<=', -0.5, '').pass, true);
  assert.equal(checkTarget('d', 'd', -0.49, '<=', -0.5, '').pass, false);
  assert.equal(checkTarget('n', 'n', NaN, '>=', 0, '').pass, false);
  assert.equal(checkTarget('n', 'n', NaN, '<=', 0, '').pass, false);
});

test('register shares and capping gains are in percent and percentage points', () => {
  assert.equal(registerShare(['glad', 'arr', 'glad glad arr', 'nothing'], classify), 50);
  assert.ok(Number.isNaN(registerShare([], classify)));
  assert.equal(labelAgreement([{ text: 'arr', expected: 'pirate' }, { text: 'glad', expected: 'pirate' }], classify), 50);
  const e = cappingEffect(['arr', 'arr', 'arr', 'glad'], ['glad', 'glad', 'arr', 'glad'], classify);
  assert.deepEqual(e, { n: 4, uncapped: 25, capped: 75, gain: 50 });
  assert.throws(() => cappingEffect(['arr'], [], classify), /pairs/);
  // 4 -> 22 assistant replies of 60 is exactly +30 pp (a difference of the two shares is 29.999999999999996).
  const of = (k: number): string[] => Array.from({ length: 60 }, (_, i) => (i < k ? 'glad' : 'arr'));
  assert.equal(cappingEffect(of(4), of(22), classify).gain, 30);
});

test('template validity leaves out only the cut last sentence of a truncated reply', () => {
  const m = makeTemplateMatcher({ description: '', sentenceSplit: '(?<=[.!?])\\s+', slots: { tip: ['rest'], topic: '[^.!?\\n]+' }, templates: { a: ['First, {tip}.', 'Good.'] } });
  assert.deepEqual(templateValidity([{ text: 'Good. First, rest. First,', truncated: true }], m), { matched: 2, total: 2, percent: 100 });
  assert.deepEqual(templateValidity([{ text: 'Good. First, rest. First,', truncated: false }], m), { matched: 2, total: 3, percent: (200 / 3) });
  assert.deepEqual(templateValidity([{ text: 'Good. Bad one. Good.', truncated: true }], m), { matched: 1, total: 2, percent: 50 });
});

test('role order, separation and drift trend on known data', () => {
  const pts = [0.65, 0.3, 0.1, 0].map((mix, i) => ({ role: `r${i}`, mix, value: 3 - i }));
  assert.equal(roleOrderSpearman(pts), 1);
  assert.equal(roleOrderSpearman(pts.map((p) => ({ ...p, value: -p.value }))), -1);
  assert.equal(separationAuc([3, 4], [1, 2]), 1);
  const t = driftTrend([
    [3, 2, 1],
    [2.5, 1, 0.5, NaN],
  ]);
  assert.equal(t.pairs, 6);
  assert.ok(t.spearman < -0.8, String(t.spearman));
  assert.deepEqual(t.meanByTurn.slice(0, 3), [2.75, 1.5, 0.75]);
  assert.ok(Number.isNaN(t.meanByTurn[3]));
});

test('PC1 cosine is 1 when default and roles spread along the axis and ~0 when they spread across it', () => {
  const along = (x: number, y: number): Float32Array => Float32Array.from([x, y, 0]);
  const axis = [1, 0, 0];
  assert.ok(pc1AxisCosine(along(3, 0), [along(0, 0.1), along(-1, -0.1), along(-2, 0)], axis) > 0.99);
  assert.ok(pc1AxisCosine(along(0.1, 3), [along(0, -3), along(0.05, 1), along(0, -1)], axis) < 0.1);
});

test('the report lists every target with its verdict and the dose table', () => {
  const eff = { n: 2, uncapped: 0, capped: 50, gain: 50 };
  const d: ProofData = {
    createdAt: 'now',
    model: { fileHash: 'sha256:x', axisCreatedAt: 'then', monitorLayer: 2, capLayers: [2, 3], taus: [3, 4], population: 'response', percentile: 25 },
    settings: { temperature: 0.7, seedBase: 1000, maxTokens: 90, doseStride: 2 },
    targets: [checkTarget('axis.auc', 'AUC', 0.99, '>=', 0.95, 'pop'), checkTarget('capping.drift', 'gain', 8.3, '>=', 30, 'pop')],
    perLayer: [{ layer: 2, auc: 0.99, roleSpearman: 0.9, pc1: 0.8 }],
    roleMeans: [{ role: 'pirate', mix: 0, value: -0.2, n: 15 }],
    defaultMean: 2.8,
    battery: { perLayer: [{ layer: 2, auc: 0.93, roleSpearman: 0.4, pc1: 0.3 }], roleMeans: [], defaultMean: 3, runs: 117, kept: 107, breaks: 8 },
    drift: { spearman: -0.7, meanByTurn: [2, 1], conversations: 24 },
    capping: [{ set: 'drift', ...eff, validUncapped: 95, validCapped: 90 }],
    templates: { uncapped: 96, capped: 92, sentencesUncapped: 10, sentencesCapped: 10 },
    dose: [{ population: 'token', percentile: 50, capLayers: [0, 1], taus: [1, 2], drift: eff, role0: eff, defaultCapped: 100, validCapped: 90 }],
    doseN: { drift: 1, role0: 1, default: 1 },
    samples: [{ set: 'drift', role: 'pirate', uncapped: 'Arr | matey', capped: 'Glad' }],
    timingsMs: { wall: 1000 },
  };
  const md = proofMarkdown(d);
  assert.match(md, /\*\*1 of 2 targets met\.\*\*/);
  assert.match(md, /\| AUC \| 0\.990 \| >= 0\.95 \| pass \|/);
  assert.match(md, /\| gain \| 8\.3 \| >= 30 \| \*\*FAIL\*\* \|/);
  assert.match(md, /\| per-token \| 50 \| 0, 1 \| 1\.00, 2\.00 \| 0\.0 -> 50\.0 \(\+50\.0\)/);
  assert.match(md, /"Arr \\\| matey"/);
});
