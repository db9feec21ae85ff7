// The model catalogue holds together: unique ids, known dtypes, positive sizes, every fact either given or null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CATALOGUE,
  CATALOGUE_DTYPES,
  catalogueEntry,
  describeEntry,
  formatSize,
  smallestDownload,
} from '../../../../src/core/models/catalogue';
import { DTYPE_SUFFIX } from '../../../../src/model/graphFiles';
import { SETTINGS } from '../../../../src/extension/settings';

test('ids are unique hub ids and every entry names where its facts were read', () => {
  const ids = CATALOGUE.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const e of CATALOGUE) {
    assert.match(e.id, /^[\w.-]+\/[\w.-]+$/, e.id);
    assert.ok(e.source.startsWith(`https://huggingface.co/${e.id}`), `${e.id}: source ${e.source}`);
    assert.ok(e.label.length > 0 && e.architecture.length > 0 && e.parameters.length > 0, e.id);
  }
});

test('dtypes are ones the engine loads and the dtype setting offers, once per entry; sizes are positive or unverified', () => {
  const settingEnum = SETTINGS.dtype.enum ?? [];
  for (const d of CATALOGUE_DTYPES) {
    assert.ok(Object.hasOwn(DTYPE_SUFFIX, d), `${d} has no file suffix`);
    assert.ok(settingEnum.includes(d), `${d} is not a persona-lens.dtype value`);
  }
  for (const e of CATALOGUE) {
    assert.ok(e.files.length > 0, `${e.id} ships no dtype`);
    assert.equal(new Set(e.files.map((f) => f.dtype)).size, e.files.length, `${e.id}: a dtype twice`);
    for (const f of e.files) {
      assert.ok(
        (CATALOGUE_DTYPES as readonly string[]).includes(f.dtype),
        `${e.id}: unknown dtype ${f.dtype}`,
      );
      if (f.sizeMB !== null)
        assert.ok(Number.isFinite(f.sizeMB) && f.sizeMB > 0, `${e.id} ${f.dtype}: size ${f.sizeMB}`);
    }
    if (e.contextLength !== null) assert.ok(Number.isInteger(e.contextLength) && e.contextLength > 0, e.id);
  }
});

test('quantized files are smaller than fp32 where both sizes are known', () => {
  for (const e of CATALOGUE) {
    const fp32 = e.files.find((f) => f.dtype === 'fp32')?.sizeMB;
    if (fp32 === null || fp32 === undefined) continue;
    for (const f of e.files)
      if (f.dtype !== 'fp32' && f.sizeMB !== null)
        assert.ok(f.sizeMB < fp32, `${e.id} ${f.dtype} ${f.sizeMB} >= fp32 ${fp32}`);
  }
});

test('helpers: lookup, smallest verified download, sizes and descriptions say "unverified" for unknown facts', () => {
  const qwen = catalogueEntry('onnx-community/Qwen2.5-0.5B-Instruct');
  assert.ok(qwen);
  assert.deepEqual(smallestDownload(qwen), { dtype: 'q4f16', sizeMB: 483 });
  assert.equal(catalogueEntry('nobody/nothing'), undefined);
  assert.equal(formatSize(483), '483 MB');
  assert.equal(formatSize(1990), '1.99 GB');
  assert.equal(formatSize(null), 'unverified');
  const phi = CATALOGUE.find((e) => e.contextLength === null && e.licence === null);
  assert.ok(phi);
  assert.match(describeEntry(phi), /context unverified .* licence unverified/);
  assert.equal(smallestDownload(phi), undefined);
});
