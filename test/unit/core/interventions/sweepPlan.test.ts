// The capping sweep plan: bands, floors read from the floor population, cell keys, argument parsing
// with positions, and the dose-response lines the view plots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AxisFile } from '../../../../src/core/axis/axisFile';
import { floorAt } from '../../../../src/core/axis/axisFile';
import { bandLayers, doseSeries, parseBands, parsePercentiles, sweepPlan, type SweepResult } from '../../../../src/core/interventions/sweepPlan';
import { evenPopulation, syntheticAxis } from '../../../support/scores';

/** An 8-layer axis capped on layers 3-4; layer l's floor population runs evenly over [l, l + 1]. */
function eightLayers(cappingLayers: number[] = [4, 3]): AxisFile {
  const a = syntheticAxis();
  const base = a.layers[0]!;
  const layers = Array.from({ length: 8 }, (_, l) => ({
    ...base,
    layer: l,
    floors: { response: evenPopulation(l, l + 1).table, token: evenPopulation(10 * l, 10 * l + 1).table },
  }));
  return { ...a, model: { ...a.model, numLayers: 8 }, cappingLayers, layers };
}

test('bands: the capping band, that band widened by its length each side within the model, all layers', () => {
  const a = eightLayers();
  assert.deepEqual(bandLayers(a, 'axis'), [3, 4]);
  assert.deepEqual(bandLayers(a, 'wide'), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(bandLayers(a, 'all'), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(bandLayers(eightLayers([7]), 'wide'), [6, 7]);
  assert.deepEqual(bandLayers(eightLayers([0, 1, 2, 3, 4]), 'wide'), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('plan: percentiles x bands, floors from the chosen population, one key per cell', () => {
  const a = eightLayers();
  const p = sweepPlan(a);
  assert.equal(p.cells.length, 9);
  assert.equal(p.baselineKey, 'uncapped');
  assert.deepEqual(p.cells.map((c) => `${c.band}@${c.percentile}`).slice(0, 4), ['axis@5', 'axis@25', 'axis@50', 'wide@5']);
  const c = p.cells[1]!;
  assert.deepEqual(c.layers, [3, 4]);
  assert.deepEqual(c.taus, [floorAt(a, 3, 'response', 25), floorAt(a, 4, 'response', 25)]);
  assert.ok(Math.abs(c.taus[0]! - 3.25) < 1e-9);
  assert.equal(new Set(p.cells.map((x) => x.key)).size, 9);
  const t = sweepPlan(a, { percentiles: [50, 10], bands: ['all'], population: 'token' });
  assert.deepEqual(t.cells.map((x) => x.percentile), [10, 50]);
  assert.ok(Math.abs(t.cells[0]!.taus[2]! - 20.1) < 1e-9);
  assert.notEqual(t.cells[0]!.key, sweepPlan(a, { percentiles: [10], bands: ['all'] }).cells[0]!.key);
  assert.throws(() => sweepPlan(a, { percentiles: [] }), /at least one floor/);
  assert.throws(() => sweepPlan(eightLayers([]), { bands: ['axis'] }), /band axis has no layers/);
});

test('arguments: percentiles and bands parse, bad entries are named with their position', () => {
  assert.deepEqual(parsePercentiles('5, 25,50'), [5, 25, 50]);
  assert.throws(() => parsePercentiles('5,x,50'), /"x" \(entry 2 of "5,x,50"\)/);
  assert.throws(() => parsePercentiles('5,101'), /entry 2/);
  assert.throws(() => parsePercentiles('5,5'), /given twice \(entry 2/);
  assert.throws(() => parsePercentiles(''), /entry 1/);
  assert.deepEqual(parseBands('axis,all'), ['axis', 'all']);
  assert.throws(() => parseBands('axis,narrow'), /"narrow" \(entry 2 .*axis, wide, all/);
});

test('dose series: one line per band in floor order, starting at the uncapped value; absent cells stay absent', () => {
  const r = (percentile: number | null, band: SweepResult['band'], value: number): SweepResult => ({ percentile, band, value, text: '', zone: null });
  const s = doseSeries([r(50, 'all', 3), r(5, 'all', 1), r(null, null, 0.5), r(25, 'axis', 2)]);
  assert.deepEqual(s.map((x) => x.band), ['axis', 'all']);
  assert.deepEqual(s[1]!.points, [{ percentile: null, value: 0.5 }, { percentile: 5, value: 1 }, { percentile: 50, value: 3 }]);
  assert.deepEqual(doseSeries([r(5, 'wide', 1)])[0]!.points, [{ percentile: 5, value: 1 }]);
});
