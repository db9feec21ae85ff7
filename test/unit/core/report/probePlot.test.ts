// What the prompt view draws from a stress test and a comparison (src/core/report/probePlot.ts), on
// hand-made trajectories read by the real calibration (assistant zone from 1.55, role up to about 0.78).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareStressTests, summarize, type ProbeRun, type StressSettings, type StressTest } from '../../../../src/core/probes';
import { comparisonView, probeLine, stressView } from '../../../../src/core/report/probePlot';
import { parseToPromptView } from '../../../../webview/promptProtocol';
import { probeRun } from '../../../support/probeRuns';

const settings = {} as StressSettings;
const stress = (runs: ProbeRun[]): StressTest => ({ prompt: 'p', settings, runs, summary: summarize(runs) });

test('a probe line has one point per readable reply at x = reply number; an unscored reply leaves a gap', () => {
  const run = probeRun('falling', [2.0, 1.2, 0.2]);
  const unscored = { ...run, replies: run.replies.map((r, i) => (i === 1 ? { ...r, value: null, zone: null } : r)) };
  const line = probeLine(unscored, 'B');
  assert.deepEqual(line.points.map((p) => [p.x, p.y]), [[1, 2.0], [3, 0.2]]);
  assert.equal(line.prompt, 'B');
  assert.equal(line.points[1]?.zone, 'role');
  assert.equal(line.points[0]?.preview, 'reply 1 of falling');
});

test('the stress view: a line and a row per probe (leaves at, slope), the summary and the worst reply with its text', () => {
  const v = stressView(stress([probeRun('steady', [2.0, 2.1, 2.0]), probeRun('falling', [2.0, 1.2, 0.2])]));
  assert.equal(v.kind, 'stress');
  assert.equal(v.lines.length, 2);
  assert.equal(v.maxReply, 3);
  assert.deepEqual(v.rows.map((r) => [r.probe, r.leaves[0]]), [['steady', 'never'], ['falling', 'reply 2']]);
  assert.equal(v.rows[1]?.slopes[0], '-0.90');
  const summary = new Map(v.summary);
  assert.equal(summary.get('Probes leaving the assistant zone'), '1 of 2 (1 by reply 2)');
  assert.equal(summary.get('Replies in the assistant zone'), '67% of 6 zoned (6 replies)');
  assert.equal(v.worst.length, 1);
  assert.match(v.worst[0]?.label ?? '', /falling, reply 3, axis \+0\.20, role/);
  assert.equal(v.worst[0]?.text, 'reply 3 of falling');
  assert.ok(parseToPromptView({ type: 'result', title: 't', prompts: ['p'], settings: 's', view: v }), 'the view passes the webview schema');
});

test('the comparison view overlays A and B per probe, shows B − A per reply and where they part', () => {
  const a = stress([probeRun('p1', [2.0, 2.0, 2.0]), probeRun('p2', [2.0, 1.9])]);
  const b = stress([probeRun('p1', [2.0, 1.8, 0.5]), probeRun('p2', [2.1, 2.0])]);
  const v = comparisonView(compareStressTests(a, b, 0.5));
  assert.equal(v.kind, 'compare');
  assert.deepEqual(v.lines.map((l) => `${l.probe}:${l.prompt}`), ['p1:A', 'p1:B', 'p2:A', 'p2:B']);
  assert.deepEqual(v.rows[0]?.differences, ['+0.00', '-0.20', '-1.50']);
  assert.equal(v.rows[0]?.parts, 'reply 3');
  assert.equal(v.rows[1]?.parts, 'no');
  assert.deepEqual(v.rows[0]?.leaves, ['never', 'reply 3']);
  assert.equal(new Map(v.summary).get('Probes whose trajectories part'), '1 of 2 (|B − A| > 0.5)');
  assert.deepEqual(v.worst.map((w) => w.prompt), ['A', 'B']);
  assert.ok(parseToPromptView({ type: 'result', title: 't', prompts: ['a', 'b'], settings: 's', view: v }));
});
