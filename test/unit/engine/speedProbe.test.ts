// Timing this machine with a model for an axis ETA (src/engine/speedProbe.ts), with the real worker and
// the demo model: both rates measured, the full plan estimated longer than the quick one, and the
// estimate is the plan's work at those rates (src/core/axis/axisEta.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { axisWork, estimateAxisMs } from '../../../src/core/axis/axisEta';
import { AXIS_MAX_TOKENS, planAxisRuns } from '../../../src/core/axis/axisPlan';
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

test('the demo model timed on this machine: prompt and decode rates, quick and full plan ETAs from them', async () => {
  const client = new EngineClient(workerPath);
  try {
    const phases: string[] = [];
    const probe = await measureSpeed(client, { packageRoot: process.cwd(), cacheDir: join(tmp.dir, 'cache'), model: 'demo', dtype: 'auto', offline: true }, (p) => phases.push(p.phase));
    assert.ok(phases.includes('session'), 'the model was loaded with progress');
    assert.ok(probe.speed.promptTokensPerSecond > 0 && Number.isFinite(probe.speed.promptTokensPerSecond));
    assert.ok(probe.speed.decodeTokensPerSecond > 0 && Number.isFinite(probe.speed.decodeTokensPerSecond));
    assert.ok(probe.promptTokens > 5);
    assert.ok(probe.etaMs.full > probe.etaMs.quick && probe.etaMs.quick > 0);
    const battery = loadBattery();
    for (const subset of ['quick', 'full'] as const)
      assert.equal(probe.etaMs[subset], estimateAxisMs(axisWork(planAxisRuns(battery, subset), probe.promptTokens, AXIS_MAX_TOKENS), probe.speed));
  } finally {
    await client.dispose();
  }
});

test('a plan\'s work: every run encodes its prompt, decodes, and is encoded again with its reply; floors score training defaults', () => {
  const runs = [
    { persona: 'default', heldOut: false },
    { persona: 'default', heldOut: true },
    { persona: 'pirate', heldOut: false },
  ];
  assert.deepEqual(axisWork(runs, 40, 48), { runs: 3, promptTokens: 128, maxTokens: 48, floorRuns: 1, floorTokens: 88 });
  // At 100 prompt tokens/s and 10 decoded tokens/s: (3 * 128 + 88) / 100 + 3 * 48 / 10 = 4.72 + 14.4 s.
  assert.equal(estimateAxisMs(axisWork(runs, 40, 48), { promptTokensPerSecond: 100, decodeTokensPerSecond: 10 }), 19120);
});
