import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxisFile, type AxisFile } from '../../../../src/core/axis/axisFile';
import { assessAxis, calibrationWithVerdict } from '../../../../src/core/axis/verdict';
import { evenPopulation, syntheticAxis } from '../../../support/scores';

/** The synthetic axis (AUC 0.99, |cos PC1| 0.9) with persona means and per-layer overrides. */
function axisWith(means: Record<string, number>, layer: Partial<AxisFile['layers'][number]> = {}): AxisFile {
  const base = syntheticAxis();
  const l = base.layers[0];
  assert.ok(l);
  return {
    ...base,
    layers: [{ ...l, ...layer }],
    validation: { personaMeansAtMonitorLayer: Object.entries(means).map(([persona, value]) => ({ persona, value, n: 10 })) },
  };
}

const ORDERED = { default: 2, tutor: 1, pirate: 0, ghost: -0.3 };

test('good: high AUC, the default persona above every role, aligned with PC1, zones drawn', () => {
  const a = assessAxis(axisWith(ORDERED));
  assert.deepEqual(a, { verdict: 'good', layer: 0, reasons: [] });
  const c = calibrationWithVerdict(axisWith(ORDERED), 0);
  assert.ok(!c.notes.some((n) => n.includes('verdict') || n.includes('the axis is')), c.notes.join('; '));
});

test('weak: AUC between the cuts, a role above the default persona, a low |cos PC1|, or no persona means', () => {
  const cases: [AxisFile, RegExp][] = [
    [axisWith(ORDERED, { auc: 0.85 }), /held-out AUC 0\.850 is below 0\.9/],
    [axisWith({ ...ORDERED, tutor: 2.5 }), /role tutor at or above the default persona/],
    [axisWith(ORDERED, { pc1Cosine: 0.3 }), /\|cos PC1\| 0\.300 is below 0\.5/],
    [syntheticAxis(), /no persona means/],
  ];
  for (const [axis, why] of cases) {
    const a = assessAxis(axis);
    assert.equal(a.verdict, 'weak', a.reasons.join('; '));
    assert.match(a.reasons.join('; '), why);
    assert.ok(calibrationWithVerdict(axis, 0).notes.some((n) => /^the axis is weak at layer 0: /.test(n)), 'the note reaches hovers and score output');
  }
});

test('unusable: AUC below 0.75, most roles at or above the default persona, or populations that cross', () => {
  const crossed = axisWith(ORDERED, { populations: { default: evenPopulation(-0.5, 0.5), role: evenPopulation(1.5, 2.5) } });
  const cases: [AxisFile, RegExp][] = [
    [axisWith(ORDERED, { auc: 0.6 }), /AUC 0\.600 is below 0\.75/],
    [axisWith({ default: 0, tutor: 1, pirate: 0.5, ghost: -1 }), /not above most roles \(2 of 3/],
    [crossed, /does not separate|no reading zones/],
  ];
  for (const [axis, why] of cases) {
    const a = assessAxis(axis);
    assert.equal(a.verdict, 'unusable', a.reasons.join('; '));
    assert.match(a.reasons.join('; '), why);
  }
});

test('the committed demo axis is good', () => {
  const axis = parseAxisFile(readFileSync(join(process.cwd(), 'models', 'demo', 'axis.json'), 'utf8'), 'models/demo/axis.json');
  assert.deepEqual(assessAxis(axis), { verdict: 'good', layer: axis.monitorLayer, reasons: [] });
});
