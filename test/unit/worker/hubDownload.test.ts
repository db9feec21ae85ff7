import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../src/worker/engine';
import { EngineError, ModelFilesError } from '../../../src/protocol/errors';
import { ensureHubModel, type DownloadOptions } from '../../../src/worker/hubDownload';
import type { LoadRequest, ProgressMessage } from '../../../src/protocol/messages';
import { startLoopbackHub, type LoopbackHub } from '../../support/loopbackHub';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { randomAxis, tempDir } from './helpers/fixtures';

const tmp = tempDir('pl-hub-');
const MODEL_ID = 'test-org/tiny-chat';
const DATA = 'onnx/model.onnx_data';
let info: TinyModelInfo;
const never = new AbortController().signal;
let caches = 0;

before(async () => {
  info = await writeTinyModel(join(tmp.dir, 'served'), { numLayers: 2, seed: 51, externalData: 'onnx_data' });
});
after(() => tmp.remove());

async function withHub(root: string, run: (hub: LoopbackHub) => Promise<void>): Promise<void> {
  const hub = await startLoopbackHub(root, MODEL_ID);
  try {
    await run(hub);
  } finally {
    await hub.close();
  }
}

function options(hub: LoopbackHub, extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return { cacheDir: join(tmp.dir, `cache-${++caches}`), dtype: 'fp32', remoteHost: hub.url, offline: false, ...extra };
}

const served = (file: string): Buffer => readFileSync(join(info.dir, file));

/** Files left in the model's cache folder (recursive), to see that nothing unverified sits where a file is expected. */
function cached(o: DownloadOptions): string[] {
  const dir = join(o.cacheDir, MODEL_ID);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

test('a hub id downloads with progress into the cache, then loads from the cache with the server gone', async () => {
  const hub = await startLoopbackHub(info.dir, MODEL_ID);
  const cacheDir = join(tmp.dir, 'cache');
  const req = (offline: boolean): LoadRequest => ({ id: 1, type: 'load', model: MODEL_ID, dtype: 'fp32', capLayers: [1], cacheDir, offline, remoteHost: hub.url });
  const progress: Omit<ProgressMessage, 'type' | 'id'>[] = [];
  const engine = new Engine();
  const loaded = await engine.load(req(false), (p) => progress.push(p), never);
  assert.equal(loaded.dir, join(cacheDir, 'hub', MODEL_ID));
  const downloads = progress.filter((p) => p.phase === 'download');
  const files = new Set(downloads.map((p) => p.file));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', DATA]) assert.ok(files.has(f), `no progress for ${f}`);
  const data = downloads.filter((p) => p.file === DATA);
  const size = statSync(join(info.dir, DATA)).size;
  assert.equal(data.at(-1)?.loaded, size);
  assert.equal(data.at(-1)?.total, size);
  assert.ok(data.some((p) => (p.loaded ?? 0) > 0 && (p.loaded ?? 0) < size), 'a partial progress report');
  // Metadata first (HEAD, as huggingface_hub does), then the body from the CDN location the hub redirects to.
  assert.ok(hub.requests.some((r) => r.method === 'HEAD' && r.url === `/${MODEL_ID}/resolve/main/${DATA}`));
  assert.ok(hub.requests.some((r) => r.method === 'GET' && r.url.startsWith('/cdn/')));
  const axis = randomAxis(2, 32, [1]);
  const first = await engine.score({ id: 2, type: 'score', messages: [{ role: 'user', content: 'hello there' }], axis, capping: false }, never);
  await engine.unload();

  await hub.close();
  hub.requests.length = 0;
  const again = new Engine();
  const progress2: string[] = [];
  await again.load(req(false), (p) => progress2.push(p.phase), never);
  assert.equal(hub.requests.length, 0);
  assert.ok(!progress2.includes('download'));
  const second = await again.score({ id: 2, type: 'score', messages: [{ role: 'user', content: 'hello there' }], axis, capping: false }, never);
  assert.deepEqual(second.projections, first.projections);
  await again.unload();
});

test('a body cut short without Content-Length is never put in place; the next attempt resumes it with Range', async () => {
  await withHub(info.dir, async (hub) => {
    const size = served(DATA).length;
    // Cut three times: every attempt of this run fails, the piece that came stays as a .part file.
    hub.faults.set(DATA, { kind: 'cut', bytes: 1000, times: 3 });
    const o = options(hub);
    await assert.rejects(ensureHubModel(MODEL_ID, o), (e: unknown) => {
      assert.ok(e instanceof EngineError && e.code === 'download', String(e));
      assert.match(e.message, /model\.onnx_data/);
      return true;
    });
    assert.ok(!cached(o).includes(DATA), 'the cut file is not where the model expects it');
    const part = cached(o).find((f) => f.startsWith(`${DATA}.`) && f.endsWith('.part'));
    assert.ok(part, `a partial file is kept: ${cached(o).join(', ')}`);
    assert.ok(hub.requests.some((r) => r.range === 'bytes=1000-'), 'the second attempt asked for the rest');

    // The next run resumes from what is on disk and gets a verified, byte-identical file.
    hub.faults.delete(DATA);
    hub.requests.length = 0;
    const kept = statSync(join(o.cacheDir, MODEL_ID, part)).size;
    await ensureHubModel(MODEL_ID, o);
    assert.ok(hub.requests.some((r) => r.range === `bytes=${kept}-`), `resumed from ${kept}: ${JSON.stringify(hub.requests)}`);
    assert.deepEqual(readFileSync(join(o.cacheDir, MODEL_ID, DATA)), served(DATA));
    assert.equal(statSync(join(o.cacheDir, MODEL_ID, DATA)).size, size);
    assert.ok(!cached(o).some((f) => f.endsWith('.part')), 'no partial file left');
  });
});

test('one cut in a run is resumed within the run', async () => {
  await withHub(info.dir, async (hub) => {
    hub.faults.set(DATA, { kind: 'cut', bytes: 4096 });
    const o = options(hub);
    await ensureHubModel(MODEL_ID, o);
    assert.ok(hub.requests.some((r) => r.range === 'bytes=4096-'));
    assert.deepEqual(readFileSync(join(o.cacheDir, MODEL_ID, DATA)), served(DATA));
  });
});

test('a server that ignores Range sends the whole file again, which is verified as usual', async () => {
  await withHub(info.dir, async (hub) => {
    hub.faults.set(DATA, { kind: 'cut', bytes: 2000, ignoreRange: true });
    const o = options(hub);
    await ensureHubModel(MODEL_ID, o);
    assert.ok(hub.requests.some((r) => r.range === 'bytes=2000-'));
    assert.deepEqual(readFileSync(join(o.cacheDir, MODEL_ID, DATA)), served(DATA));
  });
});

test('Content-Encoding: gzip with the compressed Content-Length is decoded and verified against the published size', async () => {
  await withHub(info.dir, async (hub) => {
    hub.faults.set(DATA, { kind: 'gzip' });
    hub.faults.set('tokenizer.json', { kind: 'gzip' });
    const o = options(hub);
    await ensureHubModel(MODEL_ID, o);
    assert.deepEqual(readFileSync(join(o.cacheDir, MODEL_ID, DATA)), served(DATA));
    assert.deepEqual(readFileSync(join(o.cacheDir, MODEL_ID, 'tokenizer.json')), served('tokenizer.json'));
  });
});

test('a stalled server fails after the stall timeout, naming the file, and nothing unverified is put in place', async () => {
  await withHub(info.dir, async (hub) => {
    hub.faults.set(DATA, { kind: 'stall', bytes: 500 });
    const o = options(hub, { stallTimeoutMs: 400 });
    await assert.rejects(ensureHubModel(MODEL_ID, o), /model\.onnx_data stalled after 500 bytes \(no data for 0\.4 s\); run again to resume it/);
    assert.ok(!cached(o).includes(DATA));
  });
});

test('bytes that do not match the published sha256 or git blob id are discarded', async () => {
  await withHub(info.dir, async (hub) => {
    hub.faults.set(DATA, { kind: 'corrupt' });
    const o = options(hub);
    await assert.rejects(ensureHubModel(MODEL_ID, o), /model\.onnx_data has sha256 [0-9a-f]{16}…, the hub published [0-9a-f]{16}…; the download was discarded/);
    assert.ok(!cached(o).some((f) => f.startsWith(DATA)), `nothing of the file is left: ${cached(o).join(', ')}`);
    hub.faults.clear();
    hub.faults.set('tokenizer.json', { kind: 'corrupt' });
    const o2 = options(hub);
    await assert.rejects(ensureHubModel(MODEL_ID, o2), /tokenizer\.json has git-sha1 [0-9a-f]{16}…, the hub published/);
    assert.deepEqual(cached(o2), ['config.json'], 'only the verified config.json is in the cache');
  });
});

test('a file the hub publishes no checksum for is not downloaded', async () => {
  await withHub(info.dir, async (hub) => {
    hub.faults.set('tokenizer.json', { kind: 'no-etag' });
    const o = options(hub);
    await assert.rejects(ensureHubModel(MODEL_ID, o), /publishes no checksum for tokenizer\.json \(ETag missing/);
    assert.deepEqual(cached(o), ['config.json']);
  });
});

test('a hub config.json whose use_external_data_format asks for 10^9 files fails at once, naming the key', async () => {
  const root = join(tmp.dir, 'hostile-root');
  mkdirSync(root, { recursive: true });
  cpSync(info.dir, root, { recursive: true });
  const config = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(root, 'config.json'), JSON.stringify({ ...config, 'transformers.js_config': { use_external_data_format: 1_000_000_000 } }));
  await withHub(root, async (hub) => {
    const o = options(hub);
    await assert.rejects(ensureHubModel(MODEL_ID, o), (e: unknown) => {
      assert.ok(e instanceof ModelFilesError, String(e));
      assert.match(e.message, /config\.json: transformers\.js_config\.use_external_data_format must be true, false or a whole number of data files from 0 to 1024, not 1000000000/);
      return true;
    });
    assert.equal(hub.requests.filter((r) => r.method === 'GET').length, 1, 'only config.json was fetched');
  });
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
  await withHub(join(tmp.dir, 'empty-root'), async (hub) => {
    const engine = new Engine();
    await assert.rejects(
      engine.load({ id: 1, type: 'load', model: MODEL_ID, dtype: 'fp32', capLayers: [], cacheDir: join(tmp.dir, 'cache3'), offline: false, remoteHost: hub.url }, () => undefined, never),
      /test-org\/tiny-chat: http:\/\/127\.0\.0\.1:\d+\/test-org\/tiny-chat\/resolve\/main\/config\.json answered HTTP 404/,
    );
  });
});
