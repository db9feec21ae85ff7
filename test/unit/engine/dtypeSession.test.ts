// A q8 model (transformers.js model_quantized.onnx) through a real session: 'auto' picks the folder's own
// dtype, an axis made for the fp32 graph is refused naming the dtype and the hash, an axis made for the q8
// graph loads and scores; the session reports q8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxisFileError, encodeVector, type AxisFile } from '../../../src/core/axis/axisFile';
import { unitVector } from '../../../src/core/axis/axisSpec';
import { EngineClient } from '../../../src/engine/client';
import { graphHash, openSession, resolveDtype, scoreConversation } from '../../../src/engine/session';
import { writeTinyModel } from '../../support/tinyModels';
import { mulberry32 } from '../../support/prng';
import { syntheticAxis } from '../../support/scores';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

function axisFor(fileHash: string, dtype: string): AxisFile {
  const r = mulberry32(4);
  const base = syntheticAxis();
  const layer = base.layers[0]!;
  return syntheticAxis({
    model: { id: 'tiny', revision: null, fileHash, dtype, numLayers: 4, hiddenSize: 32 },
    monitorLayer: 2,
    cappingLayers: [2, 3],
    layers: [0, 1, 2, 3].map((l) => ({
      ...layer,
      layer: l,
      unit: encodeVector(unitVector(Float32Array.from({ length: 32 }, () => r() - 0.5))),
    })),
  });
}

test('a q8 model: dtype auto, the axis checked for dtype and hash, scores', async () => {
  const t = tempDir('pl-q8-session-');
  const client = new EngineClient(await buildWorkerScript(join(t.dir, 'worker')));
  try {
    const modelDir = join(t.dir, 'model');
    // The fp32 graph and the q8 graph side by side, as a hub folder holds them; config.json says q8.
    await writeTinyModel(modelDir, { dtype: 'fp32', seed: 21 });
    await writeTinyModel(modelDir, { dtype: 'q8', seed: 21 });
    assert.equal(resolveDtype('auto', modelDir), 'q8');
    const cacheDir = join(t.dir, 'cache');
    const q8Hash = await graphHash(modelDir, 'q8', cacheDir);
    const fp32Hash = await graphHash(modelDir, 'fp32', cacheDir);
    assert.notEqual(q8Hash, fp32Hash);

    const fp32Axis = join(t.dir, 'fp32.axis.json');
    writeFileSync(fp32Axis, JSON.stringify(axisFor(fp32Hash, 'fp32')));
    const base = { packageRoot: t.dir, cacheDir, model: modelDir, offline: true };
    await assert.rejects(
      openSession(client, { ...base, dtype: 'auto', axisFile: fp32Axis }),
      (e: unknown) => e instanceof AxisFileError && /dtype fp32 vs q8/.test(e.message),
    );
    // Same dtype written in the file, other graph: refused on the hash alone.
    const wrongHash = join(t.dir, 'wrong.axis.json');
    writeFileSync(wrongHash, JSON.stringify(axisFor(fp32Hash, 'q8')));
    await assert.rejects(
      openSession(client, { ...base, dtype: 'q8', axisFile: wrongHash }),
      (e: unknown) => e instanceof AxisFileError && /graph file hash/.test(e.message) && !/dtype/.test(e.message),
    );

    const q8Axis = join(t.dir, 'q8.axis.json');
    writeFileSync(q8Axis, JSON.stringify(axisFor(q8Hash, 'q8')));
    const session = await openSession(client, { ...base, dtype: 'q8', axisFile: q8Axis });
    assert.equal(session.dtype, 'q8');
    assert.equal(session.info.dtype, 'q8');
    assert.equal(session.fileHash, q8Hash);
    assert.deepEqual(session.info.capLayers, [2, 3]);
    const scores = await scoreConversation(client, session, {
      metadata: {},
      turns: [
        { role: 'user', text: 'Hello there, how are you?', range: { start: 0, end: 25 } },
        { role: 'assistant', text: 'I am fine, thank you.', range: { start: 26, end: 47 } },
      ],
    });
    assert.equal(scores.turns.length, 2);
    assert.ok(Number.isFinite(scores.turns[1]?.value));
  } finally {
    await client.dispose();
    t.remove();
  }
});
