import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AXIS_FORMAT,
  AXIS_VERSION,
  AxisFileError,
  checkAxisFitsModel,
  decodeVector,
  encodeVector,
  parseAxisFile,
  toAxisSpec,
  type AxisFile,
} from '../../../../src/core/axis/axisFile';
import { percentileTable } from '../../../../src/core/stats/descriptive';

function sampleAxis(): AxisFile {
  const hidden = 4;
  const unit = (i: number): number[] => Array.from({ length: hidden }, (_, j) => (j === i ? 1 : 0));
  return {
    format: AXIS_FORMAT,
    version: AXIS_VERSION,
    model: { id: 'tiny', revision: null, fileHash: 'sha256:abc', dtype: 'fp32', numLayers: 3, hiddenSize: hidden },
    battery: { hash: 'b1', subset: 'quick', roles: 2, questions: 3, responses: 9 },
    createdAt: '2026-11-23T00:00:00Z',
    monitorLayer: 1,
    cappingLayers: [1, 2],
    defaults: { floorPopulation: 'response', percentile: 25 },
    layers: [0, 1, 2].map((l) => ({
      layer: l,
      unit: encodeVector(unit(l)),
      norm: 1 + l,
      floors: { response: percentileTable([l, l + 1, l + 2, l + 3]), token: percentileTable([l - 10, l + 10]) },
      pc1Cosine: 0.9,
      auc: 1,
    })),
    validation: {},
  };
}

test('vectors round-trip through base64 float32', () => {
  const v = Float32Array.of(0.1, -2.5, 3e-8, 1e30);
  assert.deepEqual(decodeVector(encodeVector(v)), v);
});

test('an axis file parses, and choices turn into engine numbers', () => {
  const a = parseAxisFile(JSON.stringify(sampleAxis()), 'a.json');
  const spec = toAxisSpec(a);
  assert.equal(spec.monitorLayer, 1);
  assert.deepEqual(spec.capLayers, [1, 2]);
  // 25th percentile of [1,2,3,4] = 1.75 and of [2,3,4,5] = 2.75
  assert.deepEqual([...spec.taus], [1.75, 2.75]);
  const other = toAxisSpec(a, { monitorLayer: 0, capLayers: [2], percentile: 50, population: 'token' });
  assert.equal(other.monitorLayer, 0);
  assert.deepEqual([...other.taus], [2]);
  assert.throws(() => toAxisSpec(a, { capLayers: [5] }), /layer 5 is outside 0\.\.2/);
});

test('malformed, future and mismatched axis files are refused with the reason', () => {
  assert.throws(() => parseAxisFile('{', 'x.json'), (e: unknown) => e instanceof AxisFileError && /x\.json: not JSON/.test(e.message));
  assert.throws(() => parseAxisFile(JSON.stringify({ ...sampleAxis(), version: 99 }), 'x.json'), /version 99 is not supported/);
  const bad = sampleAxis();
  bad.layers[1] = { ...bad.layers[1]!, unit: encodeVector([1, 0]) };
  assert.throws(() => parseAxisFile(JSON.stringify(bad), 'x.json'), /layer 1 vector has 2 values/);
  const a = parseAxisFile(JSON.stringify(sampleAxis()), 'a.json');
  const model = { id: 'tiny', fileHash: 'sha256:abc', dtype: 'fp32', numLayers: 3, hiddenSize: 4 };
  checkAxisFitsModel(a, model, 'a.json');
  assert.throws(() => checkAxisFitsModel(a, { ...model, dtype: 'fp16' }, 'a.json'), /dtype fp32 vs fp16/);
  assert.throws(() => checkAxisFitsModel(a, { ...model, id: 'other', fileHash: 'sha256:def' }, 'a.json'), /computed for model "tiny".*"other".*graph file hash/);
  assert.throws(() => checkAxisFitsModel(a, { ...model, numLayers: 4 }, 'a.json'), /shape 3 layers x 4 vs 4 x 4/);
});
