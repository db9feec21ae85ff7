// The cold-start read of a graph without its weights: the rewrite made from it is byte for byte the rewrite
// made from the whole file, on every generated family, the demo model and a real exporter's graph; broken
// framing is reported with its position, and the instrumented model still loads and runs from it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instrumentGraphBytes } from '../../../../src/worker/graph/instrument';
import {
  readGraphSkeleton,
  SKELETON_REFERENCED_BYTES,
  SkeletonReadError,
} from '../../../../src/worker/graph/graphSkeleton';
import { decodeModel, onnx } from '../../../../src/worker/graph/onnxProto';
import { writeTinyModel, type TinyModelSpec } from '../../../support/tinyModels';
import { SHARED_DIR } from '../../../support/shared.mjs';

const root = mkdtempSync(join(tmpdir(), 'pl-skeleton-'));
after(() => rmSync(root, { recursive: true, force: true }));

const specs: [string, Partial<TinyModelSpec>][] = [
  ['genai fp32, embedded weights', { seed: 1 }],
  ['genai fp16, embedded weights', { dtype: 'fp16', seed: 2 }],
  ['genai q8, embedded weights', { dtype: 'q8', seed: 3 }],
  ['genai q4, embedded weights', { dtype: 'q4', seed: 4 }],
  ['optimum fp32, embedded weights', { layout: 'optimum', seed: 5 }],
  ['genai fp32, external .data', { externalData: 'dot_data', seed: 6 }],
];

function sameRewrite(file: string, capLayers: number[]): void {
  const whole = instrumentGraphBytes(readFileSync(file), file, { capLayers });
  const skeleton = readGraphSkeleton(file);
  const fromSkeleton = instrumentGraphBytes(skeleton, file, { capLayers });
  assert.deepEqual(fromSkeleton.result, whole.result);
  assert.ok(Buffer.from(fromSkeleton.bytes).equals(Buffer.from(whole.bytes)), 'rewritten bytes differ');
}

describe('readGraphSkeleton', () => {
  for (const [name, spec] of specs) {
    test(`${name}: the same rewrite as from the whole file, without the weights`, async () => {
      const info = await writeTinyModel(join(root, name.replace(/\W+/g, '-')), { ...spec, vocabSize: 2048 });
      sameRewrite(info.onnxPath, [1, 2]);
      const skeleton = readGraphSkeleton(info.onnxPath);
      if (spec.externalData === undefined) {
        // Embedded weights (the embedding alone is 2048 x 32 floats) are left in the file.
        assert.ok(skeleton.length < statSync(info.onnxPath).size / 4, `${skeleton.length} bytes`);
        const refs = (decodeModel(skeleton).graph?.initializer ?? []).filter(
          (t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL,
        );
        assert.ok(refs.length > 0);
        for (const t of refs) {
          const kv = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
          assert.equal(kv.get('location'), info.onnxPath.split('/').pop());
          assert.ok(Number(kv.get('length')) >= SKELETON_REFERENCED_BYTES);
        }
      }
    });
  }

  test('the demo model and a real builder graph', () => {
    sameRewrite(join(process.cwd(), 'models', 'demo', 'onnx', 'model.onnx'), []);
    sameRewrite(join(SHARED_DIR, 'models', 'graphs', 'llama-genai-fp16-mha', 'model.onnx'), [0]);
  });

  test('a truncated file fails naming the byte where it ends', async () => {
    const info = await writeTinyModel(join(root, 'cut'), { seed: 9, vocabSize: 2048 });
    const bytes = readFileSync(info.onnxPath);
    const cut = join(root, 'cut.onnx');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    assert.throws(
      () => readGraphSkeleton(cut),
      (e: unknown) => e instanceof SkeletonReadError && /byte \d+/.test(e.message),
    );
    copyFileSync(info.onnxPath, join(root, 'whole.onnx'));
    assert.ok(readGraphSkeleton(join(root, 'whole.onnx')).length > 0);
  });
});
