// The source-hash index: a graph file is hashed once per version (size, mtime, ctime, inode, device), every
// later call (another process too) only stats it; a changed or replaced file is hashed again; the instrumentation
// cache keys on the file stamp and does not hash.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rememberedSha256 } from '../../../../src/model/graphFiles';
import { instrumentModel } from '../../../../src/worker/graph/instrument';
import { instrumentedCacheDir } from '../../../../src/model/graphFiles';
import { graphHash } from '../../../../src/engine/session';
import { writeTinyModel } from '../../../support/tinyModels';

const root = mkdtempSync(join(tmpdir(), 'pl-hash-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('a file is hashed once per version; the index survives the process (a new read of the file)', async () => {
  const dir = join(root, 'a');
  mkdirSync(dir);
  const file = join(dir, 'model.onnx');
  writeFileSync(file, 'first version of the graph');
  const cache = join(root, 'cache-a');
  const first = await rememberedSha256(file, cache);
  assert.deepEqual(first, { sha256: sha(readFileSync(file)), remembered: false });
  const second = await rememberedSha256(file, cache);
  assert.deepEqual(second, { sha256: first.sha256, remembered: true });
  // The index is a file in the cache folder: what a second CLI start reads.
  const index = JSON.parse(readFileSync(join(cache, 'source-hashes.json'), 'utf8')) as Record<
    string,
    { sha256: string }
  >;
  assert.equal(index[file]?.sha256, first.sha256);
});

test('a changed file is hashed again: same size with mtime restored, other size, replaced by a rename', async () => {
  const dir = join(root, 'b');
  mkdirSync(dir);
  const file = join(dir, 'model.onnx');
  const cache = join(root, 'cache-b');
  // Whole seconds, so utimes can set the very same mtime again.
  const when = 1_700_000_000;
  writeFileSync(file, 'AAAA version one');
  utimesSync(file, when, when);
  const v1 = await rememberedSha256(file, cache);
  // Same size, same mtime (as `cp -p` or a restoring tool would leave it): ctime still moves.
  writeFileSync(file, 'BBBB version one');
  utimesSync(file, when, when);
  assert.equal(statSync(file).mtimeMs, when * 1000);
  const v2 = await rememberedSha256(file, cache);
  assert.equal(v2.remembered, false);
  assert.equal(v2.sha256, sha(Buffer.from('BBBB version one')));
  assert.notEqual(v2.sha256, v1.sha256);
  assert.equal((await rememberedSha256(file, cache)).remembered, true);
  writeFileSync(file, 'a longer version two of the graph');
  assert.deepEqual(await rememberedSha256(file, cache), {
    sha256: sha(Buffer.from('a longer version two of the graph')),
    remembered: false,
  });
  // Replaced by another file of the same size and mtime: another inode.
  const other = join(dir, 'other.onnx');
  writeFileSync(other, 'a longer version 2! of the graph');
  utimesSync(file, when, when);
  assert.equal((await rememberedSha256(file, cache)).remembered, false);
  utimesSync(other, when, when);
  renameSync(other, file);
  assert.deepEqual(await rememberedSha256(file, cache), {
    sha256: sha(Buffer.from('a longer version 2! of the graph')),
    remembered: false,
  });
});

test('instrumenting keys its cache on the file stamp and never hashes the graph; the session hash is remembered', async () => {
  const info = await writeTinyModel(join(root, 'model'), { seed: 3 });
  const cacheDir = join(root, 'cache-c');
  const index = join(instrumentedCacheDir(cacheDir), 'source-hashes.json');
  // Instrumenting reads no weights to hash: its key is the file stamp.
  const inst = await instrumentModel(info.dir, {
    dtype: 'fp32',
    settings: { capLayers: [] },
    cacheDir: instrumentedCacheDir(cacheDir),
  });
  assert.equal(inst.fromCache, false);
  assert.equal(existsSync(index), false, 'instrumenting wrote no hash');
  const hash = await graphHash(info.dir, 'fp32', cacheDir);
  assert.equal(hash, `sha256:${sha(readFileSync(info.onnxPath))}`);
  assert.equal((await rememberedSha256(info.onnxPath, instrumentedCacheDir(cacheDir))).remembered, true);
  const again = await instrumentModel(info.dir, {
    dtype: 'fp32',
    settings: { capLayers: [] },
    cacheDir: instrumentedCacheDir(cacheDir),
  });
  assert.equal(again.fromCache, true);
});
