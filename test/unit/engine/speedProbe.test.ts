// Timing this machine with a model for an axis ETA (src/engine/speedProbe.ts), with the real worker and
// the demo model: one batch of plan runs and a floors pass timed, the full plan estimated longer than the
// quick one, and the estimate is the plan's runs at those times (src/core/axis/axisEta.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { axisWork, estimateAxisMs } from '../../../src/core/axis/axisEta';
import { planAxisRuns } from '../../../src/core/axis/axisPlan';
import { loadBattery } from '../../../src/core/battery';
import { EngineClient } from '../../../src/engine/client';
import { measureSpeed } from '../../../src/engine/speedProbe';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

const tmp = tempDir('pl-speed-');
let workerPath: string;
before(async () => {
  workerPath = await buildWorkerScript(join(tmp.dir, 'worker'));
});
after(() => tmp.remove());

test('the demo model timed on this machine: a batch of plan runs and a floors pass, quick and full plan ETAs from them', async () => {
  const client = new EngineClient(workerPath);
  try {
    const phases: string[] = [];
    const steps: string[] = [];
    const probe = await measureSpeed(client, { packageRoot: process.cwd(), cacheDir: join(tmp.dir, 'cache'), model: 'demo', dtype: 'auto', offline: true }, (p) => phases.push(p.phase), undefined, (m) => steps.push(m));
    assert.ok(phases.includes('session'), 'the model was loaded with progress');
    assert.deepEqual(steps, ['warming up', 'timing 16 replies as axis computation makes them', 'timing a floors-phase pass']);
    assert.equal(probe.runsTimed, 16);
    assert.ok(probe.times.secondsPerRun > 0 && Number.isFinite(probe.times.secondsPerRun));
    assert.ok(probe.times.secondsPerFloorRun > 0 && Number.isFinite(probe.times.secondsPerFloorRun));
    assert.ok(probe.etaMs.full > probe.etaMs.quick && probe.etaMs.quick > 0);
    const battery = loadBattery();
    for (const subset of ['quick', 'full'] as const)
      assert.equal(probe.etaMs[subset], estimateAxisMs(axisWork(planAxisRuns(battery, subset)), probe.times));
  } finally {
    await client.dispose();
  }
});
