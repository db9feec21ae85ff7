import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { Engine } from '../../../src/worker/engine';
import { EngineError } from '../../../src/worker/errors';
import type { LoadRequest, ProgressMessage } from '../../../src/worker/protocol';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { randomAxis, tempDir } from './helpers/fixtures';

const tmp = tempDir('pl-hub-');
const MODEL_ID = 'test-org/tiny-chat';
let info: TinyModelInfo;
let server: Server;
let requests: string[] = [];
const never = new AbortController().signal;

/** Serves the model folder with the hub's layout: /<org>/<name>/resolve/<revision>/<file>. */
function startHub(root: string): Promise<string> {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const prefix = `/${MODEL_ID}/resolve/main/`;
    const url = decodeURIComponent(req.url ?? '');
    const file = url.startsWith(prefix) ? normalize(url.slice(prefix.length)) : '';
    const path = join(root, file);
    if (!file || file.startsWith('..') || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = readFileSync(path);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    // Two writes so a progress event can show a partial count.
    res.write(body.subarray(0, body.length >> 1));
    setImmediate(() => res.end(body.subarray(body.length >> 1)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

before(async () => {
  info = await writeTinyModel(join(tmp.dir, 'served'), { numLayers: 2, seed: 51, externalData: 'onnx_data' });
});
after(() => {
  server?.close();
  tmp.remove();
});

test('a hub id downloads with progress into the cache, then loads from the cache with the server gone', async () => {
  const host = await startHub(info.dir);
  const cacheDir = join(tmp.dir, 'cache');
  const req = (offline: boolean): LoadRequest => ({ id: 1, type: 'load', model: MODEL_ID, dtype: 'fp32', capLayers: [1], cacheDir, offline, remoteHost: host });
  const progress: Omit<ProgressMessage, 'type' | 'id'>[] = [];
  const engine = new Engine();
  const loaded = await engine.load(req(false), (p) => progress.push(p), never);
  assert.equal(loaded.dir, join(cacheDir, 'hub', MODEL_ID));
  const downloads = progress.filter((p) => p.phase === 'download');
  const files = new Set(downloads.map((p) => p.file));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model.onnx_data']) assert.ok(files.has(f), `no progress for ${f}`);
  const data = downloads.filter((p) => p.file === 'onnx/model.onnx_data');
  const size = statSync(join(info.dir, 'onnx', 'model.onnx_data')).size;
  assert.equal(data.at(-1)?.loaded, size);
  assert.equal(data.at(-1)?.total, size);
  assert.ok(data.some((p) => (p.loaded ?? 0) > 0 && (p.loaded ?? 0) < size), 'a partial progress report');
  assert.ok(requests.some((u) => u === `/${MODEL_ID}/resolve/main/onnx/model.onnx_data`));
  const axis = randomAxis(2, 32, [1]);
  const first = await engine.score({ id: 2, type: 'score', messages: [{ role: 'user', content: 'hello there' }], axis, capping: false }, never);
  await engine.unload();

  await new Promise<void>((r) => server.close(() => r()));
  requests = [];
  const again = new Engine();
  const progress2: string[] = [];
  await again.load(req(false), (p) => progress2.push(p.phase), never);
  assert.equal(requests.length, 0);
  assert.ok(!progress2.includes('download'));
  const second = await again.score({ id: 2, type: 'score', messages: [{ role: 'user', content: 'hello there' }], axis, capping: false }, never);
  assert.deepEqual(second.projections, first.projections);
  await again.unload();
});

test('offline: an uncached hub id fails clearly without touching the network', async () => {
  const engine = new Engine();
  await assert.rejects(
    engine.load({ id: 1, type: 'load', model: 'other-org/not-cached', dtype: 'fp32', capLayers: [], cacheDir: join(tmp.dir, 'cache2'), offline: true, remoteHost: 'http://127.0.0.1:9/' }, () => undefined, never),
    (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.code, 'download');
      assert.match(e.message, /other-org\/not-cached: config\.json is not in the cache .* downloads are off \(offline\)/);
      return true;
    },
  );
});

test('a missing file on the hub is reported with its URL and status', async () => {
  const host = await startHub(join(tmp.dir, 'empty-root'));
  try {
    const engine = new Engine();
    await assert.rejects(
      engine.load({ id: 1, type: 'load', model: MODEL_ID, dtype: 'fp32', capLayers: [], cacheDir: join(tmp.dir, 'cache3'), offline: false, remoteHost: host }, () => undefined, never),
      /test-org\/tiny-chat: http:\/\/127\.0\.0\.1:\d+\/test-org\/tiny-chat\/resolve\/main\/config\.json answered HTTP 404/,
    );
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
