import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AXIS_FORMAT, AXIS_VERSION, encodeVector, type AxisFile } from '../../../../src/core/axis/axisFile';
import { axisReportMarkdown, axisReportSvg, type PersonaMean } from '../../../../src/core/report/axisReport';
import { percentileTable } from '../../../../src/core/stats/descriptive';

const axis: AxisFile = {
  format: AXIS_FORMAT,
  version: AXIS_VERSION,
  model: { id: 'tiny', revision: null, fileHash: 'sha256:ab', dtype: 'fp32', numLayers: 2, hiddenSize: 2 },
  battery: { hash: 'feedbeef1234567', subset: 'quick', roles: 2, questions: 3, responses: 9 },
  createdAt: '2026-11-23T00:00:00Z',
  monitorLayer: 1,
  cappingLayers: [1],
  defaults: { floorPopulation: 'response', percentile: 25 },
  layers: [0, 1].map((layer) => ({ layer, unit: encodeVector([1, 0]), norm: 2, floors: { response: percentileTable([1, 2]), token: percentileTable([0, 4]) }, pc1Cosine: 0.9, auc: layer === 1 ? 0.875 : null })),
  validation: {},
};
const personas: PersonaMean[] = [
  { persona: 'pirate', value: -1.5, n: 4, p10: -2, p25: -1.8, p75: -1.2, p90: -1 },
  { persona: 'default', value: 2.25, n: 5, p10: 1.5, p25: 2, p75: 2.5, p90: 3 },
];

test('the report names both ends of the axis and lists every layer', () => {
  const md = axisReportMarkdown(axis, personas, { generate: 1500, total: 2000 }, 'axis.svg');
  assert.match(md, /Assistant end: \*\*default\*\* \(\+2\.25\); far end: \*\*pirate\*\* \(-1\.50\)/);
  assert.match(md, /\| 1 \| 0\.875 \| 0\.900 \| 2\.000 \| \+1\.25 \| \+1\.00 \| monitor, capping \|/);
  assert.match(md, /\| 0 \| — \|/);
  assert.match(md, /\| pirate \| -1\.50 \| -2\.00 \| -1\.80 \| -1\.20 \| -1\.00 \| 4 \|/);
  assert.match(md, /- generate: 1\.5 s/);
  assert.match(md, /!\[.*\]\(axis\.svg\)/);
});

test('the plot is a self-contained SVG with one bar per persona and escaped labels', () => {
  const svg = axisReportSvg(axis, [...personas, { persona: '<b>&', value: 0, n: 1, p10: 0, p25: 0, p75: 0, p90: 0 }]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<rect [^>]*fill-opacity/g) ?? []).length, 3);
  assert.ok(svg.includes('&lt;b&gt;&amp;'));
  assert.ok(!/<script/i.test(svg));
});
