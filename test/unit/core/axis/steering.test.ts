import { test } from 'node:test';
import assert from 'node:assert/strict';
import { steeringAmounts, steeringUnit } from '../../../../src/core/axis/steering';
import { evenPopulation, syntheticAxis } from '../../../support/scores';

test('one steering unit is half the p16-p84 spread of the default replies at the layer', () => {
  const axis = syntheticAxis();
  const table = axis.layers[0]?.floors.response ?? [];
  const unit = steeringUnit(axis, 0);
  assert.ok(Math.abs(unit - ((table[84] ?? 0) - (table[16] ?? 0)) / 2) < 1e-12);
  assert.ok(unit > 0);
  assert.ok(evenPopulation(0, 1));
});

test('amounts scale with alpha per layer; a non-finite alpha or a layer outside the axis is refused', () => {
  const axis = syntheticAxis();
  const s = steeringAmounts(axis, [0], -2);
  assert.deepEqual(s.layers, [0]);
  assert.ok(Math.abs((s.amounts[0] ?? 0) + 2 * steeringUnit(axis, 0)) < 1e-12);
  assert.deepEqual(steeringAmounts(axis, [0], 0).amounts.map(Math.abs), [0]);
  assert.throws(() => steeringAmounts(axis, [0], Number.NaN), /finite/);
  assert.throws(() => steeringUnit(axis, 99), /outside/);
});
