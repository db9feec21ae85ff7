import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../src/worker/engine';
import { EngineError } from '../../../src/worker/errors';
import type { LoadRequest } from '../../../src/worker/protocol';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { tempDir } from './helpers/fixtures';

const tmp = tempDir('pl-loaderr-');
let plain: TinyModelInfo;
let external: TinyModelInfo;
const never = new AbortController().signal;

before(async () => {
  plain = await writeTinyModel(join(tmp.dir, 'plain'), { numLayers: 2, seed: 41 });
  external = await writeTinyModel(join(tmp.dir, 'external'), { numLayers: 2, seed: 42, externalData: 'onnx_data' });
});
after(() => tmp.remove());

/** A broken copy of a model folder. */
function brokenCopy(from: TinyModelInfo, name: string, breakIt: (dir: string) => void): string {
  const dir = join(tmp.dir, name);
  cpSync(from.dir, dir, { recursive: true });
  breakIt(dir);
  return dir;
}

async function loadError(model: string, dtype = 'fp32'): Promise<EngineError> {
  const req: LoadRequest = { id: 1, type: 'load', model, dtype, capLayers: [], cacheDir: join(tmp.dir, 'cache'), offline: true };
  const engine = new Engine();
  try {
    await engine.load(req, () => undefined, never);
  } catch (e) {
    assert.ok(e instanceof EngineError, `not an EngineError: ${String(e)}`);
    return e;
  }
  await engine.unload();
  throw new assert.AssertionError({ message: `${model} loaded although it is broken` });
}

test('the intact folders load (so the failures below come from the damage)', async () => {
  for (const m of [plain, external]) {
    const engine = new Engine();
    const info = await engine.load({ id: 1, type: 'load', model: m.dir, dtype: 'fp32', capLayers: [], cacheDir: join(tmp.dir, 'cache'), offline: true }, () => undefined, never);
    assert.equal(info.numLayers, 2);
    await engine.unload();
  }
});

test('missing files are named', async () => {
  let e = await loadError(brokenCopy(plain, 'no-tokenizer', (d) => rmSync(join(d, 'tokenizer.json'))));
  assert.equal(e.code, 'model-files');
  assert.match(e.message, /no-tokenizer\/tokenizer\.json: file is missing/);
  e = await loadError(brokenCopy(plain, 'no-onnx', (d) => rmSync(join(d, 'onnx', 'model.onnx'))));
  assert.match(e.message, /no-onnx\/onnx\/model\.onnx: file is missing/);
  e = await loadError(plain.dir, 'fp16');
  assert.match(e.message, /model_fp16\.onnx: file is missing \(dtype 'fp16' needs it/);
  // The case that makes from_pretrained hang (engine-notes pitfall 7) fails fast here.
  e = await loadError(brokenCopy(external, 'no-data', (d) => rmSync(join(d, 'onnx', 'model.onnx_data'))));
  assert.match(e.message, /no-data\/onnx\/model\.onnx_data: external data file is missing/);
});

test('truncated files are named with the reason', async () => {
  let e = await loadError(brokenCopy(plain, 'short-onnx', (d) => truncateSync(join(d, 'onnx', 'model.onnx'), Math.floor(statSync(join(d, 'onnx', 'model.onnx')).size / 2))));
  assert.equal(e.code, 'model-files');
  assert.match(e.message, /short-onnx\/onnx\/model\.onnx: not a readable ONNX model; the file may be truncated/);
  e = await loadError(brokenCopy(external, 'short-data', (d) => truncateSync(join(d, 'onnx', 'model.onnx_data'), 1000)));
  assert.match(e.message, /short-data\/onnx\/model\.onnx_data: external data file is truncated \(1000 bytes/);
  e = await loadError(brokenCopy(plain, 'short-config', (d) => writeFileSync(join(d, 'config.json'), readFileSync(join(d, 'config.json'), 'utf8').slice(0, 40))));
  assert.match(e.message, /short-config\/config\.json: not valid JSON/);
  e = await loadError(brokenCopy(plain, 'empty-onnx', (d) => writeFileSync(join(d, 'onnx', 'model.onnx'), '')));
  assert.match(e.message, /empty-onnx\/onnx\/model\.onnx: file is empty/);
});

test('a graph the instrumentation cannot read fails with its reason', async () => {
  const gpt2 = join(process.cwd(), '..', 'shared', 'models', 'graphs', 'gpt2-ort-optimizer-fp32', 'past.onnx');
  const e = await loadError(brokenCopy(plain, 'optimized-graph', (d) => cpSync(gpt2, join(d, 'onnx', 'model.onnx'))));
  assert.equal(e.code, 'instrumentation');
  assert.match(e.message, /optimized-graph\/onnx\/model\.onnx/);
});

test('an unsupported architecture is refused by name', async () => {
  const dir = brokenCopy(plain, 'bert', (d) => {
    const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...c, model_type: 'bert', architectures: ['BertModel'] }));
  });
  const e = await loadError(dir);
  assert.equal(e.code, 'model-files');
  assert.match(e.message, /config\.json: model_type 'bert' \(BertModel\) is not a supported decoder architecture/);
  const notAModel = await loadError('definitely not/a model id!');
  assert.match(notAModel.message, /not an existing folder and not a Hugging Face model id/);
});
