// `persona-lens models` (out/cli.js from `npm run build`): the catalogue as a table and as JSON, with
// the axes found in the cache folder (a real axis file, re-labelled for a catalogue model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOGUE } from '../../../src/core/models/catalogue';

const CLI = join(process.cwd(), 'out', 'cli.js');

function models(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'models', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A cache folder with the demo axis stored as if computed for `modelId` at `dtype`, and one broken axis file. */
function cacheWithAxis(modelId: string, dtype: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-models-'));
  mkdirSync(join(dir, 'axes'));
  const axis = JSON.parse(readFileSync(join(process.cwd(), 'models', 'demo', 'axis.json'), 'utf8')) as {
    model: { id: string; dtype: string };
  };
  axis.model.id = modelId;
  axis.model.dtype = dtype;
  writeFileSync(join(dir, 'axes', `0123456789abcdef01234567-${dtype}.axis.json`), JSON.stringify(axis));
  writeFileSync(join(dir, 'axes', `ffffffffffffffffffffffff-fp32.axis.json`), '{"format": "not an axis"');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

test('json lists every catalogue entry with its cached axes; a broken axis file is skipped', () => {
  const cache = cacheWithAxis('onnx-community/Qwen2.5-0.5B-Instruct', 'q4f16');
  try {
    const r = models('--format', 'json', '--cache-dir', cache.dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      id: string;
      cachedAxisDtypes: string[];
      files: { dtype: string; sizeMB: number | null }[];
    }[];
    assert.deepEqual(
      out.map((e) => e.id),
      CATALOGUE.map((e) => e.id),
    );
    const qwen = out.find((e) => e.id === 'onnx-community/Qwen2.5-0.5B-Instruct');
    assert.deepEqual(qwen?.cachedAxisDtypes, ['q4f16']);
    assert.deepEqual(
      qwen?.files.find((f) => f.dtype === 'q4f16'),
      { dtype: 'q4f16', sizeMB: 483 },
    );
    assert.ok(out.filter((e) => e.id !== qwen?.id).every((e) => e.cachedAxisDtypes.length === 0));
  } finally {
    cache.remove();
  }
});

test('the table shows sizes, unverified facts as "?", and the cached axis', () => {
  const cache = cacheWithAxis('HuggingFaceTB/SmolLM2-135M-Instruct', 'q4');
  try {
    const r = models('--cache-dir', cache.dir);
    assert.equal(r.code, 0, r.stderr);
    const row = (id: string): string => r.stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
    assert.match(row('HuggingFaceTB/SmolLM2-135M-Instruct'), /q4f16 134 MB .* 8192 +apache-2\.0 +q4$/);
    assert.match(row('HuggingFaceTB/SmolLM2-360M-Instruct'), /fp32 \?.* -$/);
    assert.match(r.stdout, /\? = unverified/);
  } finally {
    cache.remove();
  }
});

test('an absent cache folder means no cached axes; a bad --format exits 2', () => {
  const r = models('--cache-dir', join(tmpdir(), 'pl-models-does-not-exist'));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!/ q4f16$| q4$/m.test(r.stdout));
  const bad = models('--format', 'csv');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format must be table or json/);
});
