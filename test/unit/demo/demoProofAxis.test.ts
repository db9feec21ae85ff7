// Issue 11 proof, axis part, on the committed demo model through the real engine: the committed
// axis separates held-out assistant from role replies, orders the roles by their assistant-mix rate,
// lines up with PC1, and per-turn values fall on held-out drifting conversations. Teacher-forced
// generator replies (models/demo/eval), no sampling: deterministic. Thresholds are the issue's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTarget, driftTrend } from '../../../src/core/demo/proofMetrics';
import { measureAxis, measureDrift, type AxisMeasures } from '../../../tools/demo-model/proof/runProof';
import { openDemoEngine, targetTest, type DemoEngine } from './helpers';

let demo: DemoEngine;
let axis: AxisMeasures;
let drift: number[][];

before(async () => {
  demo = await openDemoEngine('pl-demo-axis-');
  axis = await measureAxis(demo.client, demo.session, demo.sets);
  drift = await measureDrift(demo.client, demo.session, demo.sets);
});
after(async () => demo?.dispose());

function atMonitor(): AxisMeasures['perLayer'][number] {
  const l = axis.perLayer[demo.session.spec.monitorLayer];
  assert.ok(l, 'no measures at the monitor layer');
  return l;
}

test(...targetTest('axis.auc', 'held-out assistant vs held-out role replies: AUC >= 0.95 at the monitor layer'), () => {
  const t = checkTarget('axis.auc', 'AUC', atMonitor().auc, '>=', 0.95, '');
  assert.ok(t.pass, `AUC ${t.value}`);
});

test(...targetTest('axis.roleOrder', 'the axis orders all generator roles by assistant-mix rate: Spearman >= 0.9 at the monitor layer'), () => {
  const generatorRoles = [...demo.sets.role.trainingRoles, ...demo.sets.role.heldOutRoles];
  assert.deepEqual(axis.roleMeans.map((r) => r.role).sort(), generatorRoles.sort(), 'every role, trained or held out, is in the order check');
  const t = checkTarget('axis.roleOrder', 'Spearman', atMonitor().roleSpearman, '>=', 0.9, '');
  assert.ok(t.pass, `Spearman ${t.value}: ${axis.roleMeans.map((r) => `${r.role}(${r.mix}) ${r.value.toFixed(2)}`).join(', ')}`);
});

test(...targetTest('axis.pc1', '|cos(axis, PC1)| >= 0.8 with the default vector and all role vectors'), () => {
  const t = checkTarget('axis.pc1', 'cos', atMonitor().pc1, '>=', 0.8, '');
  assert.ok(t.pass, `|cos| ${t.value}`);
});

test(...targetTest('drift.spearman', 'per-turn values fall on held-out drifting conversations: Spearman with turn index <= -0.5'), () => {
  assert.equal(drift.length, demo.sets.driftFull.items.length);
  assert.ok(drift.every((c) => c.length === 6 && c.every(Number.isFinite)));
  const trend = driftTrend(drift);
  const t = checkTarget('drift.spearman', 'Spearman', trend.spearman, '<=', -0.5, '');
  assert.ok(t.pass, `Spearman ${t.value}; mean by turn ${trend.meanByTurn.map((x) => x.toFixed(2)).join(', ')}`);
  assert.ok((trend.meanByTurn[0] as number) > (trend.meanByTurn[5] as number), 'the last turn is not below the first');
});
