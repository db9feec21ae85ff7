// instrumentGraphBytes on two real onnxruntime-genai builder graphs (../shared/models/graphs: tiny random
// Llama, fp32 GroupQueryAttention and fp16 MultiHeadAttention + RotaryEmbedding, external data), run with
// onnxruntime-node directly (the folders have no config.json): cap off is bit-identical (residuals, KV cache,
// last-row logits), in-graph log-probabilities match log_softmax of the original logits, caps hold, KV-cache
// decode steps keep capping.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { externalDataSessionOptions, instrumentGraphBytes } from '../../../../src/worker/graph/instrument';
import { bitIdentical, referenceLogProbs, maxAbsDiff } from '../../../support/compare';
import { asFloat32, median, projections, row, unitVector } from '../../../support/tensors';
import { float32ToFloat16Bits } from '../../../../src/worker/graph/float16';
import { GRAPHS_DIR } from '../../../support/shared.mjs';

const root = mkdtempSync(join(tmpdir(), 'pl-real-'));
after(() => rmSync(root, { recursive: true, force: true }));

const HIDDEN = 16;
const IDS = [1, 450, 4996, 17354, 1701, 432, 29871, 975, 278, 17366, 11203, 29889, 13, 1576, 3186, 338];

type Feeds = Record<string, ort.Tensor>;

function baseFeeds(
  session: ort.InferenceSession,
  ids: readonly number[],
  pastLen: number,
  past?: Record<string, ort.Tensor>,
): Feeds {
  const total = pastLen + ids.length;
  const feeds: Feeds = {
    input_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (i) => BigInt(i)),
      [1, ids.length],
    ),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
  };
  if (session.inputNames.includes('position_ids')) {
    feeds.position_ids = new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (_, k) => BigInt(pastLen + k)),
      [1, ids.length],
    );
  }
  for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
    const present = past?.[name.replace('past_key_values.', 'present.')];
    feeds[name] =
      present ??
      new ort.Tensor(
        pastType(session, name),
        pastType(session, name) === 'float16' ? new Uint16Array(0) : new Float32Array(0),
        [1, 1, 0, HIDDEN],
      );
  }
  return feeds;
}

function pastType(session: ort.InferenceSession, name: string): 'float16' | 'float32' {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta && 'type' in meta && meta.type === 'float16' ? 'float16' : 'float32';
}

/** Head feeds: logits rows `logitsAt`; log-probabilities of `targets` at `logprobAt`. */
function headTensors(
  logitsAt: readonly number[],
  logprobAt: readonly number[] = [],
  targets: readonly number[] = [],
): Feeds {
  const i64 = (xs: readonly number[]): BigInt64Array => BigInt64Array.from(xs, (x) => BigInt(x));
  return {
    logits_positions: new ort.Tensor('int64', i64(logitsAt), [logitsAt.length]),
    logprob_positions: new ort.Tensor('int64', i64(logprobAt), [logprobAt.length]),
    logprob_targets: new ort.Tensor('int64', i64(targets), [1, targets.length]),
  };
}

function capTensors(v: readonly Float32Array[], tau: readonly number[]): Feeds {
  const flat = new Float32Array(v.length * HIDDEN);
  v.forEach((r, k) => flat.set(r, k * HIDDEN));
  return {
    cap_v: new ort.Tensor('float32', flat, [v.length, HIDDEN]),
    cap_tau: new ort.Tensor('float32', Float32Array.from(tau), [1, tau.length]),
    cap_shift: new ort.Tensor('float32', new Float32Array(tau.length), [1, tau.length]),
  };
}

for (const graph of ['llama-genai-fp32-gqa', 'llama-genai-fp16-mha']) {
  const fp16 = graph.includes('fp16');
  describe(`real exporter graph ${graph}`, () => {
    test('cap off bit-identical (prompt and decode step), caps hold, rows above the floor untouched', async () => {
      const srcDir = join(GRAPHS_DIR, graph);
      const src = join(srcDir, 'model.onnx');
      const { bytes, result } = instrumentGraphBytes(readFileSync(src), src, { capLayers: [0, 1] });
      assert.equal(result.pattern, 'skip-simplified-layernorm');
      assert.equal(result.numLayers, 2);
      assert.equal(result.hiddenSize, HIDDEN);
      assert.equal(result.externalData, true);
      const dir = mkdtempSync(join(root, graph));
      const out = join(dir, 'model.onnx');
      writeFileSync(out, bytes);
      const original = await ort.InferenceSession.create(src);
      const inst = await ort.InferenceSession.create(
        out,
        externalDataSessionOptions(srcDir) as ort.InferenceSession.SessionOptions,
      );
      assert.deepEqual(
        inst.outputNames.filter((n) => n.startsWith('residual')),
        ['residual.0', 'residual.1'],
      );
      assert.ok(inst.inputNames.includes('cap_v') && inst.inputNames.includes('cap_tau') && inst.inputNames.includes('cap_shift'));
      const v = [unitVector(HIDDEN, 7), unitVector(HIDDEN, 8)];
      try {
        const n = IDS.length;
        const a = await original.run(baseFeeds(original, IDS, 0));
        const scoreAll = headTensors(
          [-1, -1],
          IDS.slice(1).map((_, t) => t),
          IDS.slice(1),
        );
        const off = await inst.run({
          ...baseFeeds(inst, IDS, 0),
          ...capTensors(v, [-Infinity, -Infinity]),
          ...scoreAll,
        });
        for (const k of original.outputNames.filter((k) => k !== 'logits'))
          assert.ok(bitIdentical(a[k]!.data as Float32Array, off[k]!.data as Float32Array), `${k} differs`);
        assert.deepEqual(off['residual.1']!.dims, [1, n, HIDDEN]);
        const V = a.logits!.dims[2]!;
        const all = a.logits!.data as Float32Array | Uint16Array;
        assert.deepEqual(off.logits!.dims, [1, 2, V]);
        assert.ok(
          bitIdentical(all.subarray((n - 1) * V), (off.logits!.data as Float32Array).subarray(V)),
          'last-row logits differ',
        );
        const lp = off.token_logprobs!;
        assert.deepEqual(lp.dims, [1, n - 1]);
        const want = referenceLogProbs(
          asFloat32(all),
          V,
          IDS.slice(1).map((_, t) => t),
          IDS.slice(1),
        );
        const d = maxAbsDiff(lp.data as Float32Array, want);
        assert.ok(d < (fp16 ? 1e-3 : 2e-5), `log-probabilities vs log_softmax of the original logits: ${d}`);

        // Decode step on top of the prompt's cache, cap off: still bit-identical (one row in both graphs).
        const next = [3681];
        const a2 = await original.run(baseFeeds(original, next, n, a));
        const off2 = await inst.run({
          ...baseFeeds(inst, next, n, off),
          ...capTensors(v, [-Infinity, -Infinity]),
          ...headTensors([-1]),
        });
        for (const k of original.outputNames)
          assert.ok(
            bitIdentical(a2[k]!.data as Float32Array, off2[k]!.data as Float32Array),
            `decode ${k} differs`,
          );
        assert.deepEqual(off2.token_logprobs!.dims, [1, 0]);

        const taus = [0, 1].map((l) =>
          median(projections(asFloat32(off[`residual.${l}`]!.data), HIDDEN, v[l]!)),
        );
        const on = await inst.run({
          ...baseFeeds(inst, IDS, 0),
          ...capTensors(v, taus),
          ...headTensors([-1, -1]),
        });
        const on2 = await inst.run({
          ...baseFeeds(inst, next, n, on),
          ...capTensors(v, taus),
          ...headTensors([-1]),
        });
        for (const l of [0, 1]) {
          for (const res of [on, on2]) {
            const h = asFloat32(res[`residual.${l}`]!.data);
            // fp16 residuals are rounded to fp16 after the cap: allow |h| * 2^-10 there, 1e-5 in fp32.
            const slack = fp16 ? Math.max(...h.map(Math.abs)) * 2 ** -10 : 1e-5;
            for (const x of projections(h, HIDDEN, v[l]!))
              assert.ok(x >= taus[l]! - slack, `layer ${l}: ${x} < ${taus[l]}`);
          }
        }
        assert.ok(
          !bitIdentical(on.logits!.data as Float32Array, off.logits!.data as Float32Array),
          'capping changes the logits',
        );
        const before0 = off['residual.0']!.data as Float32Array;
        const after0 = on['residual.0']!.data as Float32Array;
        const margin = fp16 ? 1e-2 : 1e-5;
        projections(asFloat32(before0), HIDDEN, v[0]!).forEach((x, t) => {
          if (x > taus[0]! + margin)
            assert.ok(bitIdentical(row(before0, HIDDEN, t), row(after0, HIDDEN, t)), `row ${t} changed`);
        });
      } finally {
        await original.release();
        await inst.release();
      }
    });
  });
}

// Keeps the fp16 helper honest on values the fp16 graph actually carries.
test('float32ToFloat16Bits rounds to nearest even', () => {
  assert.equal(float32ToFloat16Bits(1), 0x3c00);
  assert.equal(float32ToFloat16Bits(-2), 0xc000);
  assert.equal(float32ToFloat16Bits(65504), 0x7bff);
  assert.equal(float32ToFloat16Bits(1e6), 0x7c00);
  assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00); // tie -> even
  assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie -> even (up)
  assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
});
