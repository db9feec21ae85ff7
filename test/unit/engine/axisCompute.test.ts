// The axis pipeline end to end on a tiny model: compute (with checkpoints and resume), store, load, score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxisFileError, decodeVector, parseAxisFile } from '../../../src/core/axis/axisFile';
import { loadBattery } from '../../../src/core/battery';
import { AXIS_SAMPLING } from '../../../src/core/axis/axisPlan';
import { computeAxis, type AxisComputeOptions } from '../../../src/engine/axisCompute';
import { EngineClient } from '../../../src/engine/client';
import { CancelledError } from '../../../src/protocol/errors';
import { maxRelDiff } from '../../support/compare';
import { graphHash, openSession, scoreConversation, storedAxisPath } from '../../../src/engine/session';
import { writeTinyModel } from '../../support/tinyModels';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

const SPEC = { layout: 'optimum', numLayers: 4, hiddenSize: 32, numHeads: 2, maxPositions: 4096 } as const;

async function setup(): Promise<{ dir: string; modelDir: string; client: EngineClient; options: (checkpoint: string) => AxisComputeOptions; remove: () => Promise<void> }> {
  const t = tempDir('pl-axis-');
  const modelDir = join(t.dir, 'model');
  await writeTinyModel(modelDir, { ...SPEC, seed: 11 });
  const client = new EngineClient(await buildWorkerScript(join(t.dir, 'worker')));
  const fileHash = await graphHash(modelDir, 'fp32', join(t.dir, 'cache'));
  return {
    dir: t.dir,
    modelDir,
    client,
    options: (checkpointPath) => ({
      battery: loadBattery(),
      subset: 'quick',
      maxTokens: 6,
      // Sampled as the reference pipeline does: the resume and fresh runs below must still agree.
      sampling: AXIS_SAMPLING,
      seed: 0,
      checkpointPath,
      model: { id: 'tiny', revision: null, fileHash, dtype: 'fp32' },
    }),
    remove: async () => {
      await client.dispose();
      t.remove();
    },
  };
}

test('an axis computed on a tiny model is well formed, resumable, deterministic and used for scoring', async () => {
  const s = await setup();
  try {
    const info = await s.client.load(s.modelDir, { cacheDir: join(s.dir, 'cache') });

    // Interrupted run: abort after some runs, then resume from the checkpoint.
    const resumed = join(s.dir, 'resume.jsonl');
    const abort = new AbortController();
    let seenBeforeAbort = 0;
    await assert.rejects(
      computeAxis(s.client, info, { ...s.options(resumed), onProgress: (p) => p.phase === 'generate' && (seenBeforeAbort = p.done) >= 25 && abort.abort() }, abort.signal),
      CancelledError,
    );
    const checkpointed = readFileSync(resumed, 'utf8').trim().split('\n').length - 1;
    assert.ok(checkpointed >= 25 && checkpointed <= seenBeforeAbort + 1, `checkpoint holds ${checkpointed} runs`);
    let firstDone = -1;
    const second = await computeAxis(s.client, info, { ...s.options(resumed), onProgress: (p) => p.phase === 'generate' && firstDone < 0 && (firstDone = p.done) }, undefined);
    assert.equal(firstDone, checkpointed + 1, 'the resumed run starts after the checkpointed runs');

    // A checkpoint whose header a crash cut short is started over instead of failing the computation.
    const damaged = join(s.dir, 'damaged.jsonl');
    writeFileSync(damaged, '{"kind":"persona-lens-axis-chec');
    const stop = new AbortController();
    await assert.rejects(computeAxis(s.client, info, { ...s.options(damaged), onProgress: () => stop.abort() }, stop.signal), CancelledError);
    assert.equal((JSON.parse(readFileSync(damaged, 'utf8').split('\n')[0] as string) as { kind: string }).kind, 'persona-lens-axis-checkpoint');

    // Uninterrupted run in a fresh checkpoint: same axis.
    const fresh = await computeAxis(s.client, info, s.options(join(s.dir, 'fresh.jsonl')));
    const a = second.axis;
    assert.equal(a.layers.length, 4);
    assert.equal(a.monitorLayer, 2);
    assert.deepEqual(a.cappingLayers, [2, 3]);
    assert.ok(second.kept > 0 && second.kept <= second.runs);
    a.layers.forEach((l, i) => {
      const u = decodeVector(l.unit);
      assert.equal(u.length, 32);
      assert.ok(Math.abs(Math.hypot(...u) - 1) < 1e-4);
      assert.ok(l.floors.response.every((x, k, arr) => k === 0 || x >= (arr[k - 1] as number)), 'percentiles ascend');
      // The same replies, token for token; their activations come from the batched decode pass, whose float
      // rounding follows the batch's composition (a resumed run batches differently): equal to float precision.
      const d = maxRelDiff(decodeVector(fresh.axis.layers[i]!.unit), u);
      assert.ok(d < 1e-5, `layer ${i} is reproducible: relative difference ${d}`);
      for (const pop of ['response', 'token'] as const)
        assert.ok(maxRelDiff(fresh.axis.layers[i]!.floors[pop], l.floors[pop]) < 1e-5, `layer ${i} ${pop} floors`);
    });
    assert.equal(a.validation['temperature'], 0.7);
    assert.equal(a.validation['topP'], 0.9);

    // Stored where a session finds it, and used for scoring.
    const cacheDir = join(s.dir, 'cache');
    const path = storedAxisPath(cacheDir, a.model.fileHash, 'fp32');
    mkdirSync(join(cacheDir, 'axes'), { recursive: true });
    writeFileSync(path, JSON.stringify(a));
    assert.deepEqual(parseAxisFile(readFileSync(path, 'utf8'), path).layers.length, 4);
    const session = await openSession(s.client, { packageRoot: s.dir, cacheDir, model: s.modelDir, dtype: 'auto', offline: true });
    assert.deepEqual(session.info.capLayers, [2, 3]);
    const conv = {
      metadata: {},
      turns: [
        { role: 'user' as const, text: 'Hello there, how are you?', range: { start: 0, end: 25 } },
        { role: 'assistant' as const, text: 'I am fine, thank you. How can I help?', range: { start: 26, end: 63 } },
      ],
    };
    const scores = await scoreConversation(s.client, session, conv);
    assert.equal(scores.turns.length, 2);
    assert.equal(scores.turns[1]?.role, 'assistant');
    assert.ok(Number.isFinite(scores.turns[1]?.value));
    assert.equal(scores.monitorLayer, 2);
    assert.equal(scores.truncated, null);

    // An axis made for this model is refused for another one.
    const other = join(s.dir, 'other');
    await writeTinyModel(other, { ...SPEC, seed: 12 });
    await assert.rejects(openSession(s.client, { packageRoot: s.dir, cacheDir, model: other, dtype: 'auto', offline: true, axisFile: path }), (e: unknown) => e instanceof AxisFileError && /does not fit/.test(e.message));
  } finally {
    await s.remove();
  }
});
