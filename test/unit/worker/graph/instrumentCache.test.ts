// The on-disk cache of instrumented models: hit on the same source + settings, miss when either changes;
// settings without caps; argument and file errors.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { InstrumentationError, instrumentModel } from '../../../../src/worker/graph/instrument';
import { writeTinyModel } from '../../../support/tinyModels';
import { bitIdentical } from '../../../support/compare';
import { headFeeds, idsToInputs, loadModel } from '../../../support/tjsModel';

env.allowRemoteModels = false;
const root = mkdtempSync(join(tmpdir(), 'pl-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('instrumentModel cache', () => {
  test('second call hits; other settings, a changed graph or changed external data miss', async () => {
    const cacheDir = join(root, 'cache-a');
    const info = await writeTinyModel(join(root, 'a'), { externalData: 'dot_data' });
    const opts = { dtype: 'fp32', settings: { capLayers: [2] }, cacheDir };
    const first = await instrumentModel(info.dir, opts);
    // A hit does not read the source graph: the check of its bytes runs only for a rewrite.
    const refuse = (): void => {
      throw new Error('source graph checked');
    };
    const second = await instrumentModel(info.dir, { ...opts, checkSource: refuse });
    assert.equal(first.fromCache, false);
    assert.equal(second.fromCache, true);
    await assert.rejects(
      instrumentModel(info.dir, { ...opts, settings: { capLayers: [1] }, checkSource: refuse }),
      /source graph checked/,
    );
    assert.deepEqual({ ...second, fromCache: false }, first);

    const other = await instrumentModel(info.dir, { ...opts, settings: { capLayers: [2, 3] } });
    assert.equal(other.fromCache, false);
    assert.notEqual(other.dir, first.dir);
    assert.deepEqual(other.capLayers, [2, 3]);

    // Same layers in another order are other cap_v rows: another entry.
    const reordered = await instrumentModel(info.dir, { ...opts, settings: { capLayers: [3, 2] } });
    assert.notEqual(reordered.dir, other.dir);

    const tokConfig = join(info.dir, 'tokenizer_config.json');
    writeFileSync(
      tokConfig,
      readFileSync(tokConfig, 'utf8').replace('"model_max_length": 2048', '"model_max_length": 4096'),
    );
    const edited = await instrumentModel(info.dir, opts);
    assert.equal(edited.fromCache, false, 'an edited tokenizer_config.json is a miss');
    assert.match(readFileSync(join(edited.dir, 'tokenizer_config.json'), 'utf8'), /4096/);

    const later = new Date(Date.now() + 5000);
    utimesSync(join(info.dir, 'onnx', 'model.onnx.data'), later, later);
    assert.equal((await instrumentModel(info.dir, opts)).fromCache, false);

    await writeTinyModel(info.dir, { externalData: 'dot_data', seed: 99 });
    const regenerated = await instrumentModel(info.dir, opts);
    assert.equal(regenerated.fromCache, false);
    assert.equal((await instrumentModel(info.dir, opts)).fromCache, true);
  });

  test('concurrent calls for the same key agree on one entry', async () => {
    const info = await writeTinyModel(join(root, 'race'), { seed: 77 });
    const opts = { dtype: 'fp32', settings: { capLayers: [0] }, cacheDir: join(root, 'cache-race') };
    const all = await Promise.all([
      instrumentModel(info.dir, opts),
      instrumentModel(info.dir, opts),
      instrumentModel(info.dir, opts),
    ]);
    assert.equal(new Set(all.map((m) => m.dir)).size, 1);
    assert.equal((await instrumentModel(info.dir, opts)).fromCache, true);
    const m = await loadModel(all[0].dir, 'fp32', all[0].sessionOptions);
    await m.dispose();
  });

  test('no cap layers: residual outputs only, no cap inputs; allPositionLogits keeps the original head (another entry)', async () => {
    const info = await writeTinyModel(join(root, 'b'), { layout: 'optimum', seed: 5 });
    const cacheDir = join(root, 'cache-b');
    const inst = await instrumentModel(info.dir, { dtype: 'fp32', settings: { capLayers: [] }, cacheDir });
    const old = await instrumentModel(info.dir, {
      dtype: 'fp32',
      settings: { capLayers: [], allPositionLogits: true },
      cacheDir,
    });
    assert.equal(old.fromCache, false);
    assert.notEqual(old.dir, inst.dir);
    assert.equal(inst.capInputs, null);
    assert.equal(inst.residualOutputs.length, 4);
    assert.equal(old.head, null);
    assert.ok(inst.head);
    const ids = [1, 2, 3, 4, 5];
    const a = await loadModel(info.dir, 'fp32');
    const b = await loadModel(inst.dir, 'fp32', inst.sessionOptions);
    const c = await loadModel(old.dir, 'fp32', old.sessionOptions);
    const x = await a.forward(idsToInputs(ids));
    const y = await b.forward({
      ...idsToInputs(ids),
      ...headFeeds(inst.head, { logitsAt: ids.map((_, t) => t) }),
    });
    const z = await c.forward(idsToInputs(ids));
    await a.dispose();
    await b.dispose();
    await c.dispose();
    assert.ok(bitIdentical(x.logits!.data as Float32Array, y.logits!.data as Float32Array));
    assert.ok(bitIdentical(x.logits!.data as Float32Array, z.logits!.data as Float32Array));
    assert.ok(y['residual.3'] && z['residual.3']);
    assert.equal(z.token_logprobs, undefined);
  });

  test('bad arguments and missing files fail clearly', async () => {
    const info = await writeTinyModel(join(root, 'c'), { numLayers: 2 });
    const cacheDir = join(root, 'cache-c');
    await assert.rejects(
      instrumentModel(info.dir, { dtype: 'fp32', settings: { capLayers: [2] }, cacheDir }),
      /cap layer 2 is outside 0\.\.1/,
    );
    await assert.rejects(
      instrumentModel(info.dir, { dtype: 'fp32', settings: { capLayers: [1, 1] }, cacheDir }),
      /listed twice/,
    );
    await assert.rejects(
      instrumentModel(info.dir, { dtype: 'fp16', settings: { capLayers: [] }, cacheDir }),
      (e: unknown) =>
        e instanceof InstrumentationError &&
        e.file.endsWith('model_fp16.onnx') &&
        /dtype 'fp16'/.test(e.message),
    );
    await assert.rejects(
      instrumentModel(join(root, 'nowhere'), { dtype: 'fp32', settings: { capLayers: [] }, cacheDir }),
      /config\.json not found/,
    );
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      instrumentModel(info.dir, { dtype: 'fp32', settings: { capLayers: [] }, cacheDir, signal: ac.signal }),
      { name: 'AbortError' },
    );
    const cfgPath = join(info.dir, 'config.json');
    const cfg = readFileSync(cfgPath, 'utf8');
    writeFileSync(cfgPath, cfg.replace('"num_hidden_layers": 2', '"num_hidden_layers": 5'));
    await assert.rejects(
      instrumentModel(info.dir, { dtype: 'fp32', settings: { capLayers: [] }, cacheDir }),
      /found 2 layers on the residual stream but config\.json says num_hidden_layers = 5/,
    );
    writeFileSync(cfgPath, cfg);
    writeFileSync(info.onnxPath, Buffer.from('not an onnx file at all'));
    await assert.rejects(
      instrumentModel(info.dir, { dtype: 'fp32', settings: { capLayers: [] }, cacheDir }),
      (e: unknown) => e instanceof InstrumentationError && e.file === info.onnxPath,
    );
  });
});
