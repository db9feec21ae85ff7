import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../src/worker/engine';
import { EngineError } from '../../../src/protocol/errors';
import type { LoadRequest } from '../../../src/protocol/messages';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { tempDir } from './helpers/fixtures';
import { GRAPHS_DIR } from '../../support/shared.mjs';

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
  const gpt2 = join(GRAPHS_DIR, 'gpt2-ort-optimizer-fp32', 'past.onnx');
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

test('numbers read from config.json are bounded before use', async () => {
  const withConfig = (name: string, patch: Record<string, unknown>): string =>
    brokenCopy(plain, name, (d) => {
      const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(d, 'config.json'), JSON.stringify({ ...c, ...patch }));
    });
  // Before the bound, 10^9 external data file names were built and the worker ran out of memory.
  let e = await loadError(withConfig('ext-1e9', { 'transformers.js_config': { use_external_data_format: 1_000_000_000 } }));
  assert.equal(e.code, 'model-files');
  assert.match(e.message, /ext-1e9\/config\.json: transformers\.js_config\.use_external_data_format must be true, false or a whole number of data files from 0 to 1024, not 1000000000/);
  e = await loadError(withConfig('ext-map', { 'transformers.js_config': { use_external_data_format: { 'model.onnx': -3 } } }));
  assert.match(e.message, /use_external_data_format\.model\.onnx must be .* not -3/);
  e = await loadError(withConfig('layers', { num_hidden_layers: 1e12, max_position_embeddings: 'lots' }));
  assert.match(e.message, /layers\/config\.json: num_hidden_layers must be a whole number from 1 to 4096, not 1000000000000; max_position_embeddings must be a whole number/);
  e = await loadError(withConfig('eos', { eos_token_id: [1, -1] }));
  assert.match(e.message, /eos_token_id must be a token id or a list of token ids/);
});

test('a FIFO or a folder where a model file belongs is refused without blocking', async () => {
  const fifo = brokenCopy(plain, 'fifo-tokenizer', (d) => {
    rmSync(join(d, 'tokenizer.json'));
    execFileSync('mkfifo', [join(d, 'tokenizer.json')]);
  });
  let e = await loadError(fifo);
  assert.match(e.message, /fifo-tokenizer\/tokenizer\.json: cannot read: it is a named pipe \(FIFO\), not a file/);
  e = await loadError(brokenCopy(plain, 'dir-onnx', (d) => {
    rmSync(join(d, 'onnx', 'model.onnx'));
    mkdirSync(join(d, 'onnx', 'model.onnx'));
  }));
  assert.match(e.message, /dir-onnx\/onnx\/model\.onnx: not a regular file \(a folder\)/);
});

test('a tokenizer_config.json without a chat template is named', async () => {
  const e = await loadError(brokenCopy(plain, 'no-template', (d) => {
    const t = JSON.parse(readFileSync(join(d, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    delete t['chat_template'];
    writeFileSync(join(d, 'tokenizer_config.json'), JSON.stringify(t));
    writeFileSync(join(d, 'chat_template.jinja'), '{{ messages }}');
  }));
  assert.equal(e.code, 'model-files');
  assert.match(e.message, /no-template\/tokenizer_config\.json: has no chat_template; .*transformers\.js does not read chat_template\.jinja/);
});

test('"constructor" and other Object.prototype names are not dtypes', async () => {
  for (const dtype of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const e = await loadError(plain.dir, dtype);
    assert.equal(e.code, 'model-files', dtype);
    assert.match(e.message, new RegExp(`unknown dtype '${dtype}' \\(known: fp32, fp16`), dtype);
  }
});
