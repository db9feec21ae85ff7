// The output-head rewrite beyond the generated layouts: the committed demo model (an Optimum-style export with
// Constant nodes and a tied lm_head), heads with extra position-wise ops after lm_head (Gemma-style logit
// softcapping, int8 dynamic quantization as in q8 exports), and graphs whose head cannot be rewritten, which
// fail naming the pattern not found.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { env } from '@huggingface/transformers';
import {
  externalDataSessionOptions,
  InstrumentationError,
  instrumentGraphBytes,
  instrumentModel,
} from '../../../../src/worker/graph/instrument';
import {
  decodeModel,
  ElemType,
  encodeModel,
  makeNode,
  makeTensor,
  onnx,
} from '../../../../src/worker/graph/onnxProto';
import { writeTinyModel, type TinyModelSpec } from '../../../support/tinyModels';
import { bitIdentical, referenceLogProbs, maxAbsDiff } from '../../../support/compare';
import { asFloat32 } from '../../../support/tensors';
import { capFeeds, headFeeds, idsToInputs, loadModel, scoreAll } from '../../../support/tjsModel';

env.allowRemoteModels = false;
const root = mkdtempSync(join(tmpdir(), 'pl-head-'));
after(() => rmSync(root, { recursive: true, force: true }));

const IDS = [12, 200, 7, 99, 150, 31, 64, 250, 3, 180, 77, 140];
const i64 = (xs: readonly number[]): BigInt64Array => BigInt64Array.from(xs, (x) => BigInt(x));

describe('output head: the demo model', () => {
  test('last-row logits and residuals bit-identical, log-probabilities = log_softmax of the original logits', async () => {
    const demo = join(process.cwd(), 'models', 'demo');
    const cacheDir = join(root, 'demo-cache');
    const inst = await instrumentModel(demo, { dtype: 'fp32', settings: { capLayers: [2, 3] }, cacheDir });
    const old = await instrumentModel(demo, {
      dtype: 'fp32',
      settings: { capLayers: [2, 3], allPositionLogits: true },
      cacheDir,
    });
    assert.ok(inst.head);
    const ids = [1, 5, 300, 41, 77, 900, 12, 512, 8, 2];
    const off = capFeeds(
      inst.capInputs!,
      [new Float32Array(128), new Float32Array(128)],
      [-Infinity, -Infinity],
    );
    const orig = await loadModel(demo, 'fp32');
    const a = await orig.forward(idsToInputs(ids));
    await orig.dispose();
    const before = await loadModel(old.dir, 'fp32', old.sessionOptions);
    const b = await before.forward({ ...idsToInputs(ids), ...off });
    await before.dispose();
    const m = await loadModel(inst.dir, 'fp32', inst.sessionOptions);
    const c = await m.forward({ ...idsToInputs(ids), ...off, ...headFeeds(inst.head, scoreAll(ids)) });
    await m.dispose();
    const V = 1024;
    const n = ids.length;
    const all = a.logits!.data as Float32Array;
    assert.ok(
      bitIdentical(all.subarray((n - 1) * V), (c.logits!.data as Float32Array).subarray(V)),
      'last-row logits differ',
    );
    for (const r of inst.residualOutputs)
      assert.ok(
        bitIdentical(b[r]!.data as Float32Array, c[r]!.data as Float32Array),
        `${r} differs from the all-position graph`,
      );
    for (const k of Object.keys(a).filter((k) => k.startsWith('present')))
      assert.ok(bitIdentical(a[k]!.data as Float32Array, c[k]!.data as Float32Array), `${k} differs`);
    const want = referenceLogProbs(
      all,
      V,
      ids.slice(1).map((_, t) => t),
      ids.slice(1),
    );
    const d = maxAbsDiff(c.token_logprobs!.data as Float32Array, want);
    assert.ok(d < 2e-5, `log-probabilities: ${d}`);
  });
});

/** A tiny model whose graph was edited by `edit` (weights embedded), written back in place. */
async function editedModel(
  name: string,
  spec: Partial<TinyModelSpec>,
  edit: (g: onnx.IGraphProto) => void,
): Promise<string> {
  const info = await writeTinyModel(join(root, name), spec);
  const model = decodeModel(readFileSync(info.onnxPath));
  edit(model.graph!);
  writeFileSync(info.onnxPath, encodeModel(model));
  return info.onnxPath;
}

/** Renames the tensor the lm_head writes ('logits') to `to`, so ops can be put between it and the output. */
function detachLogits(g: onnx.IGraphProto, to: string): void {
  for (const n of g.node ?? []) n.output = (n.output ?? []).map((o) => (o === 'logits' ? to : o));
}

/** Runs the original and the instrumented graph of `path`; checks the last row's bits and the log-probabilities. */
async function checkHead(path: string, tolerance: number): Promise<void> {
  const bytes = readFileSync(path);
  const { bytes: rewritten, result } = instrumentGraphBytes(bytes, path, { capLayers: [] });
  assert.ok(result.head);
  const out = join(mkdtempSync(join(root, 'run-')), 'model.onnx');
  writeFileSync(out, rewritten);
  const original = await ort.InferenceSession.create(path);
  const inst = await ort.InferenceSession.create(
    out,
    externalDataSessionOptions(dirname(path)) as ort.InferenceSession.SessionOptions,
  );
  const feeds = (s: ort.InferenceSession): Record<string, ort.Tensor> => {
    const f: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', i64(IDS), [1, IDS.length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(IDS.length).fill(1n), [1, IDS.length]),
    };
    if (s.inputNames.includes('position_ids'))
      f.position_ids = new ort.Tensor('int64', i64(IDS.map((_, t) => t)), [1, IDS.length]);
    for (const meta of s.inputMetadata.filter((x) => x.name.startsWith('past_key_values.'))) {
      const shape = 'shape' in meta ? meta.shape.map((d) => (typeof d === 'number' ? d : 1)) : [];
      f[meta.name] = new ort.Tensor('float32', new Float32Array(0), [1, shape[1]!, 0, shape[3]!]);
    }
    return f;
  };
  try {
    const a = await original.run(feeds(original));
    const ask = scoreAll(IDS);
    const b = await inst.run({
      ...feeds(inst),
      logits_positions: new ort.Tensor('int64', i64(ask.logitsAt), [2]),
      logprob_positions: new ort.Tensor('int64', i64(ask.logprobAt!), [IDS.length - 1]),
      logprob_targets: new ort.Tensor('int64', i64(ask.targets!), [1, IDS.length - 1]),
    });
    const V = a.logits!.dims[2]!;
    const all = asFloat32(a.logits!.data);
    if (tolerance === 0)
      assert.ok(
        bitIdentical(all.subarray((IDS.length - 1) * V), asFloat32(b.logits!.data).subarray(V)),
        'last-row logits differ',
      );
    else
      assert.ok(
        maxAbsDiff(all.subarray((IDS.length - 1) * V), asFloat32(b.logits!.data).subarray(V)) < tolerance,
      );
    const want = referenceLogProbs(
      all,
      V,
      IDS.slice(1).map((_, t) => t),
      IDS.slice(1),
    );
    const d = maxAbsDiff(b.token_logprobs!.data as Float32Array, want);
    assert.ok(d < Math.max(tolerance, 2e-5), `log-probabilities: ${d}`);
    // Nothing asked: zero-sized outputs, no failure.
    const none = await inst.run({
      ...feeds(inst),
      logits_positions: new ort.Tensor('int64', i64([]), [0]),
      logprob_positions: new ort.Tensor('int64', i64([]), [0]),
      logprob_targets: new ort.Tensor('int64', i64([]), [1, 0]),
    });
    assert.deepEqual(none.logits!.dims, [1, 0, V]);
  } finally {
    await original.release();
    await inst.release();
  }
}

describe('output head: position-wise ops after the lm_head', () => {
  test('Gemma-style softcapping (Div, Tanh, Mul by constants) is kept in the head', async () => {
    const path = await editedModel('softcap', { seed: 31 }, (g) => {
      detachLogits(g, 'raw_logits');
      g.initializer!.push(makeTensor('softcap', [], ElemType.FLOAT, [30]));
      g.node!.push(
        makeNode('Div', ['raw_logits', 'softcap'], ['capped_div'], 'softcap/Div'),
        makeNode('Tanh', ['capped_div'], ['capped_tanh'], 'softcap/Tanh'),
        makeNode('Mul', ['capped_tanh', 'softcap'], ['logits'], 'softcap/Mul'),
      );
    });
    await checkHead(path, 0);
  });

  test('int8 dynamic quantization of the lm_head (DynamicQuantizeLinear + MatMulInteger, as q8 exports)', async () => {
    // Its activation scale is taken over the rows it is given, so only the rows asked for: logits match the
    // all-position graph within quantization error, not bit for bit.
    const path = await editedModel('q8head', { layout: 'optimum', seed: 32 }, (g) => {
      const lm = g.node!.find((n) => n.output?.[0] === 'logits')!;
      const w = g.initializer!.find((t) => t.name === lm.input![1])!;
      const values = new Float32Array(new Uint8Array(w.rawData!).slice().buffer);
      const scale = Math.max(...values.map(Math.abs)) / 127;
      const [x] = lm.input!;
      g.node = g.node!.filter((n) => n !== lm);
      const INT8 = 3;
      g.initializer!.push(
        {
          name: 'lm_head.q8',
          dims: w.dims,
          dataType: INT8,
          rawData: new Uint8Array(Int8Array.from(values, (v) => Math.round(v / scale)).buffer),
        },
        { name: 'lm_head.q8.zp', dims: [], dataType: INT8, rawData: new Uint8Array(1) },
        makeTensor('lm_head.q8.scale', [], ElemType.FLOAT, [scale]),
      );
      g.node.push(
        makeNode('DynamicQuantizeLinear', [x!], ['xq', 'xs', 'xzp'], 'lm_head/DynamicQuantizeLinear'),
        makeNode(
          'MatMulInteger',
          ['xq', 'lm_head.q8', 'xzp', 'lm_head.q8.zp'],
          ['acc'],
          'lm_head/MatMulInteger',
        ),
        makeNode('Cast', ['acc'], ['acc_f'], 'lm_head/Cast', { to: ElemType.FLOAT }),
        makeNode('Mul', ['xs', 'lm_head.q8.scale'], ['s'], 'lm_head/Mul_scale'),
        makeNode('Mul', ['acc_f', 's'], ['logits'], 'lm_head/Mul'),
      );
    });
    await checkHead(path, 5e-2);
  });
});

describe('output head: graphs it cannot rewrite fail naming the pattern', () => {
  const fails = async (name: string, edit: (g: onnx.IGraphProto) => void, pattern: RegExp): Promise<void> => {
    const path = await editedModel(name, { seed: 40 }, edit);
    assert.throws(
      () => instrumentGraphBytes(readFileSync(path), path, { capLayers: [] }),
      (e: unknown) => e instanceof InstrumentationError && e.file === path && pattern.test(e.message),
    );
    // The all-position layout does not need the head and still instruments.
    assert.ok(
      instrumentGraphBytes(readFileSync(path), path, { capLayers: [], allPositionLogits: true }).result,
    );
  };

  test('no output named logits', () =>
    fails(
      'no-logits',
      (g) => {
        detachLogits(g, 'scores');
        g.output!.find((o) => o.name === 'logits')!.name = 'scores';
      },
      /pattern 'logits output' not found/,
    ));

  test('an op that mixes positions between the hidden state and logits', () =>
    fails(
      'cumsum',
      (g) => {
        detachLogits(g, 'raw_logits');
        g.initializer!.push(makeTensor('seq_axis', [], ElemType.INT64, [1]));
        g.node!.push(makeNode('CumSum', ['raw_logits', 'seq_axis'], ['logits'], 'mix/CumSum'));
      },
      /pattern 'position-wise lm_head' not found: node 'mix\/CumSum' \(CumSum\)/,
    ));

  test('no MatMul between the hidden state and logits', () =>
    fails(
      'no-matmul',
      (g) => {
        const lm = g.node!.find((n) => n.output?.[0] === 'logits')!;
        lm.opType = 'Identity';
        lm.input = [lm.input![0]!];
      },
      /pattern 'lm_head' not found: no MatMul-like node/,
    ));

  test('lm_head weights that are not constant', () =>
    fails(
      'input-weights',
      (g) => {
        const lm = g.node!.find((n) => n.output?.[0] === 'logits')!;
        g.input!.push({
          name: 'w_in',
          type: {
            tensorType: { elemType: ElemType.FLOAT, shape: { dim: [{ dimValue: 32 }, { dimValue: 256 }] } },
          },
        });
        lm.input = [lm.input![0]!, 'w_in'];
      },
      /pattern 'lm_head' not found: node '\/lm_head\/MatMul' \(MatMul\) does not multiply the hidden state by constant weights/,
    ));
});
