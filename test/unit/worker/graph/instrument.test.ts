// instrumentModel on generated tiny models, loaded through transformers.js as the worker loads them:
// cap off = bit-identical to the original graph (last-row logits, residuals, KV cache), in-graph next-token
// log-probabilities = log_softmax of the original logits and of the reference forward, residual outputs =
// reference forward, caps hold the floor, positions above the floor untouched, KV-cache decoding keeps capping.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { instrumentModel, type InstrumentedModel } from '../../../../src/worker/graph/instrument';
import { writeTinyModel, type TinyModelInfo, type TinyModelSpec } from '../../../support/tinyModels';
import { referenceForward } from '../../../support/referenceForward';
import { bitIdentical, referenceLogProbs, maxAbsDiff, maxRelDiff } from '../../../support/compare';
import { asFloat32, median, projections, row, unitVector } from '../../../support/tensors';
import {
  capFeeds,
  headFeeds,
  idsToInputs,
  loadModel,
  scoreAll,
  type Outputs,
} from '../../../support/tjsModel';

env.allowRemoteModels = false;
const root = mkdtempSync(join(tmpdir(), 'pl-instr-'));
after(() => rmSync(root, { recursive: true, force: true }));

const IDS = [12, 200, 7, 99, 150, 31, 64, 250, 3, 180, 77, 140];
const CAP_LAYERS = [1, 3];

const cases: { name: string; spec: Partial<TinyModelSpec>; pattern: string }[] = [
  { name: 'genai fp32', spec: { layout: 'genai', seed: 11 }, pattern: 'skip-simplified-layernorm' },
  {
    name: 'genai fp16, external .data',
    spec: { layout: 'genai', dtype: 'fp16', externalData: 'dot_data', seed: 12 },
    pattern: 'skip-simplified-layernorm',
  },
  {
    name: 'genai q4 (MatMulNBits)',
    spec: { layout: 'genai', dtype: 'q4', seed: 13 },
    pattern: 'skip-simplified-layernorm',
  },
  {
    name: 'genai q8 (DynamicQuantizeLinear + MatMulInteger)',
    spec: { layout: 'genai', dtype: 'q8', seed: 18 },
    pattern: 'skip-simplified-layernorm',
  },
  {
    name: 'genai fp32 MultiHeadAttention (position_ids)',
    spec: { layout: 'genai', attention: 'mha', seed: 17 },
    pattern: 'skip-simplified-layernorm',
  },
  // LayerNorm family with a skip bias (input 4): the cap's dot product must include the bias.
  {
    name: 'genai LayerNorm (SkipLayerNormalization + bias)',
    spec: { layout: 'genai', norm: 'layernorm', seed: 16 },
    pattern: 'skip-layernorm',
  },
  { name: 'optimum fp32', spec: { layout: 'optimum', seed: 14 }, pattern: 'add' },
  {
    name: 'optimum fp32, external _data',
    spec: { layout: 'optimum', externalData: 'onnx_data', seed: 15 },
    pattern: 'add',
  },
];

for (const c of cases) {
  describe(`instrumentModel: ${c.name}`, () => {
    let info: TinyModelInfo;
    let inst: InstrumentedModel;
    let original: Outputs;
    let uncapped: Outputs;
    /** The same rewrite without the output head (all-position logits, the layout before REWRITE_VERSION 2). */
    let allPositions: Outputs;
    const v = [unitVector(32, 101), unitVector(32, 102)];
    let taus: number[];
    const fp16 = c.spec.dtype === 'fp16';
    // q8 quantizes each projection's input at run time with a scale over the whole tensor: the head, which
    // now sees only the rows asked for, quantizes them with another scale (logits within quantization
    // error of the all-position graph), and the float reference does not model the activation rounding.
    const q8 = c.spec.dtype === 'q8';
    const sameRow = (a: Float32Array | Uint16Array, b: Float32Array | Uint16Array): boolean =>
      q8 ? maxAbsDiff(asFloat32(a), asFloat32(b)) < 5e-2 : bitIdentical(a, b);
    const lpTol = fp16 ? 1e-3 : q8 ? 5e-2 : 2e-5;
    const refTol = q8 ? 3e-2 : 1e-4;
    const hasReference = !fp16 && c.spec.norm !== 'layernorm';

    before(async () => {
      info = await writeTinyModel(join(root, c.name.replace(/\W+/g, '-')), c.spec);
      inst = await instrumentModel(info.dir, {
        dtype: info.dtype,
        settings: { capLayers: CAP_LAYERS },
        cacheDir: join(root, 'cache'),
      });
      const orig = await loadModel(info.dir, info.dtype);
      original = await orig.forward(idsToInputs(IDS));
      await orig.dispose();
      const m = await loadModel(inst.dir, info.dtype, inst.sessionOptions);
      uncapped = await m.forward({
        ...idsToInputs(IDS),
        ...capFeeds(inst.capInputs!, v, [-Infinity, -Infinity]),
        ...headFeeds(inst.head!, scoreAll(IDS)),
      });
      await m.dispose();
      const old = await instrumentModel(info.dir, {
        dtype: info.dtype,
        settings: { capLayers: CAP_LAYERS, allPositionLogits: true },
        cacheDir: join(root, 'cache'),
      });
      const o = await loadModel(old.dir, info.dtype, old.sessionOptions);
      allPositions = await o.forward({
        ...idsToInputs(IDS),
        ...capFeeds(old.capInputs!, v, [-Infinity, -Infinity]),
      });
      await o.dispose();
      // Floors at the median uncapped projection: about half the positions get capped.
      taus = CAP_LAYERS.map((l, k) =>
        median(projections(asFloat32(uncapped[`residual.${l}`]!.data), 32, v[k]!)),
      );
    });

    test('reports the structure it found', () => {
      assert.equal(inst.pattern, c.pattern);
      assert.equal(inst.numLayers, 4);
      assert.equal(inst.hiddenSize, 32);
      assert.deepEqual(inst.residualOutputs, ['residual.0', 'residual.1', 'residual.2', 'residual.3']);
      assert.deepEqual(inst.capLayers, CAP_LAYERS);
      assert.deepEqual(inst.capInputs, { v: 'cap_v', tau: 'cap_tau', shift: 'cap_shift' });
      assert.deepEqual(inst.head, {
        logitsPositions: 'logits_positions',
        logprobPositions: 'logprob_positions',
        logprobTargets: 'logprob_targets',
        logprobs: 'token_logprobs',
      });
      assert.equal(inst.fromCache, false);
      // The rewritten folder holds no copy of the weights: external data, and weights embedded in the source
      // .onnx, are read from the source folder.
      assert.ok('extra' in inst.sessionOptions);
      const file = info.onnxPath.split('/').pop()!;
      assert.deepEqual(readdirSync(join(inst.dir, 'onnx')), [file]);
      // The weights of these models take 200+ KB (embedding and lm_head alone 2 x 32 x vocab x 4 bytes).
      assert.ok(4 * info.vocabSize * 32 * 2 > 64 * 1024);
      assert.ok(
        statSync(join(inst.dir, 'onnx', file)).size < 64 * 1024,
        'the rewritten graph holds no weights',
      );
      const cfg = JSON.parse(readFileSync(join(inst.dir, 'config.json'), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      assert.equal(cfg['transformers.js_config']?.use_external_data_format, undefined);
      for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'])
        assert.ok(existsSync(join(inst.dir, f)), f);
    });

    test('tau = -Infinity: last-row logits, residuals and present.* bit-identical; log-probabilities = log_softmax of the original logits', () => {
      const V = info.vocabSize;
      const n = IDS.length;
      assert.deepEqual(uncapped.logits!.dims, [1, 2, V]);
      const lastRow = (original.logits!.data as Float32Array | Uint16Array).subarray((n - 1) * V, n * V);
      const got = uncapped.logits!.data as Float32Array | Uint16Array;
      assert.ok(sameRow(lastRow, got.subarray(V)), 'last-row logits differ');
      const names = Object.keys(original).filter((k) => k !== 'logits');
      assert.ok(names.includes('present.3.value'));
      for (const k of names)
        assert.ok(
          bitIdentical(original[k]!.data as Float32Array, uncapped[k]!.data as Float32Array),
          `${k} differs`,
        );
      for (const r of inst.residualOutputs) {
        assert.deepEqual(uncapped[r]!.dims, [1, n, 32]);
        assert.ok(
          bitIdentical(allPositions[r]!.data as Float32Array, uncapped[r]!.data as Float32Array),
          `${r} differs`,
        );
      }
      assert.ok(
        bitIdentical(original.logits!.data as Float32Array, allPositions.logits!.data as Float32Array),
      );
      const lp = uncapped.token_logprobs!;
      assert.equal(lp.type, 'float32');
      assert.deepEqual(lp.dims, [1, n - 1]);
      const want = referenceLogProbs(
        asFloat32(original.logits!.data),
        V,
        IDS.slice(1).map((_, t) => t),
        IDS.slice(1),
      );
      const d = maxAbsDiff(lp.data as Float32Array, want);
      assert.ok(d < lpTol, `log-probabilities vs log_softmax of the original logits: ${d}`);
      for (const x of lp.data as Float32Array) assert.ok(x < 0 && Number.isFinite(x));
    });

    test('the head computes only what is asked: chosen rows, none, negative positions', async () => {
      const m = await loadModel(inst.dir, info.dtype, inst.sessionOptions);
      const V = info.vocabSize;
      const off = capFeeds(inst.capInputs!, v, [-Infinity, -Infinity]);
      try {
        const none = await m.forward({
          ...idsToInputs(IDS),
          ...off,
          ...headFeeds(inst.head!, { logitsAt: [] }),
        });
        assert.deepEqual(none.logits!.dims, [1, 0, V]);
        assert.deepEqual(none.token_logprobs!.dims, [1, 0]);
        assert.ok(
          bitIdentical(
            none['residual.3']!.data as Float32Array,
            uncapped['residual.3']!.data as Float32Array,
          ),
        );
        const some = await m.forward({
          ...idsToInputs(IDS),
          ...off,
          ...headFeeds(inst.head!, { logitsAt: [0, 5, -1], logprobAt: [4, -2], targets: [IDS[5]!, 3] }),
        });
        assert.deepEqual(some.logits!.dims, [1, 3, V]);
        const all = original.logits!.data as Float32Array | Uint16Array;
        const got = some.logits!.data as Float32Array | Uint16Array;
        [0, 5, IDS.length - 1].forEach((t, k) =>
          assert.ok(sameRow(all.subarray(t * V, (t + 1) * V), got.subarray(k * V, (k + 1) * V)), `row ${t}`),
        );
        const want = referenceLogProbs(asFloat32(all), V, [4, IDS.length - 2], [IDS[5]!, 3]);
        assert.ok(maxAbsDiff(some.token_logprobs!.data as Float32Array, want) < lpTol);
        // Position 4's target is the real next token: the same value as in the full scoring run.
        const at4 = (some.token_logprobs!.data as Float32Array)[0]!;
        const full4 = (uncapped.token_logprobs!.data as Float32Array)[4]!;
        if (q8) assert.ok(Math.abs(at4 - full4) < lpTol, `${at4} vs ${full4}`);
        else assert.equal(at4, full4);
        // One row alone: bit-identical except for 4-bit weights, whose one-row kernel rounds differently.
        const one = await m.forward({
          ...idsToInputs(IDS),
          ...off,
          ...headFeeds(inst.head!, { logitsAt: [-1] }),
        });
        const lastRow = all.subarray((IDS.length - 1) * V);
        if (q8) assert.ok(sameRow(one.logits!.data as Float32Array, lastRow), 'one-row logits differ');
        else if (c.spec.dtype === 'q4')
          assert.ok(maxAbsDiff(asFloat32(one.logits!.data), asFloat32(lastRow)) < 1e-5);
        else assert.ok(bitIdentical(one.logits!.data as Float32Array, lastRow), 'one-row logits differ');
      } finally {
        await m.dispose();
      }
    });

    if (hasReference) {
      test('residual outputs and log-probabilities equal the reference forward', () => {
        const ref = referenceForward(info, IDS);
        inst.residualOutputs.forEach((r, l) => {
          const d = maxRelDiff(asFloat32(uncapped[r]!.data), ref.residuals[l]!);
          assert.ok(d < refTol, `${r}: relative error ${d}`);
        });
        const want = referenceLogProbs(
          ref.logits,
          info.vocabSize,
          IDS.slice(1).map((_, t) => t),
          IDS.slice(1),
        );
        const d = maxAbsDiff(uncapped.token_logprobs!.data as Float32Array, want);
        assert.ok(d < (q8 ? 5e-2 : 1e-4), `log-probabilities vs reference: ${d}`);
      });
    }

    test('caps hold the floor at capped layers, leave positions above it unchanged, match the reference', async () => {
      const m = await loadModel(inst.dir, info.dtype, inst.sessionOptions);
      const every = { logitsAt: IDS.map((_, t) => t) };
      const capped = await m.forward({
        ...idsToInputs(IDS),
        ...capFeeds(inst.capInputs!, v, taus),
        ...headFeeds(inst.head!, every),
      });
      await m.dispose();
      CAP_LAYERS.forEach((l, k) => {
        const h = asFloat32(capped[`residual.${l}`]!.data);
        const p = projections(h, 32, v[k]!);
        // fp16 graphs round the capped sum to fp16: allow that rounding (|h| * 2^-10), fp32 must hold to 1e-5.
        const slack = fp16 ? Math.max(...h.map(Math.abs)) * 2 ** -10 : 1e-5;
        for (const x of p) assert.ok(x >= taus[k]! - slack, `layer ${l}: <h,v> = ${x} < tau ${taus[k]}`);
      });
      // First capped layer: rows already above the floor keep their exact bits; the others move. Rows within
      // rounding of the floor are skipped (the graph's own dot product may land on either side of it).
      const margin = fp16 ? 1e-2 : 1e-5;
      const before1 = uncapped['residual.1']!.data as Float32Array;
      const after1 = capped['residual.1']!.data as Float32Array;
      const p0 = projections(asFloat32(before1), 32, v[0]!);
      let kept = 0;
      let moved = 0;
      p0.forEach((x, t) => {
        const same = bitIdentical(row(before1, 32, t), row(after1, 32, t));
        if (x > taus[0]! + margin) {
          assert.ok(same, `row ${t} was above tau and changed`);
          kept++;
        } else if (x < taus[0]! - margin && !same) moved++;
      });
      assert.ok(kept > 0 && moved > 0, `kept ${kept}, moved ${moved}`);
      assert.ok(
        bitIdentical(
          uncapped['residual.0']!.data as Float32Array,
          capped['residual.0']!.data as Float32Array,
        ),
        'layer 0 is before any cap',
      );
      if (hasReference) {
        const ref = referenceForward(
          info,
          IDS,
          CAP_LAYERS.map((layer, k) => ({ layer, v: v[k]!, tau: taus[k]! })),
        );
        const d = maxRelDiff(asFloat32(capped.logits!.data), ref.logits);
        assert.ok(d < (q8 ? 5e-2 : 1e-4), `capped logits vs reference: ${d}`);
      }
    });

    test('steering adds shift * v at the steered layers (through the cap nodes) and matches the reference', async () => {
      const m = await loadModel(inst.dir, info.dtype, inst.sessionOptions);
      const shifts = [2.5, -1.5];
      const every = { logitsAt: IDS.map((_, t) => t) };
      const steered = await m.forward({
        ...idsToInputs(IDS),
        ...capFeeds(inst.capInputs!, v, [-Infinity, -Infinity], shifts),
        ...headFeeds(inst.head!, every),
      });
      await m.dispose();
      // Layer 0 is before any steered layer; the first steered layer's exit moves by exactly shift * v.
      assert.ok(bitIdentical(uncapped['residual.0']!.data as Float32Array, steered['residual.0']!.data as Float32Array));
      const before = projections(asFloat32(uncapped['residual.1']!.data), 32, v[0]!);
      const after = projections(asFloat32(steered['residual.1']!.data), 32, v[0]!);
      const slack = fp16 ? 2e-2 : 1e-4;
      before.forEach((x, t) => assert.ok(Math.abs((after[t] as number) - x - shifts[0]!) < slack, `row ${t}: <h,v> ${x} -> ${after[t]}`));
      if (hasReference) {
        const ref = referenceForward(info, IDS, CAP_LAYERS.map((layer, k) => ({ layer, v: v[k]!, tau: -Infinity, shift: shifts[k]! })));
        const d = maxRelDiff(asFloat32(steered.logits!.data), ref.logits);
        assert.ok(d < (q8 ? 5e-2 : 1e-4), `steered logits vs reference: ${d}`);
      }
    });

    test('generate with the KV cache: tau = -Infinity gives the original tokens; caps hold on every decode step', async () => {
      const orig = await loadModel(info.dir, info.dtype);
      const want = await orig.generate(IDS, 5);
      await orig.dispose();
      const m = await loadModel(inst.dir, info.dtype, inst.sessionOptions);
      try {
        // Logits of the last position only, at the prompt and at every decode step.
        const last = headFeeds(inst.head!, { logitsAt: [-1] });
        assert.deepEqual(
          await m.generate(IDS, 5, { ...capFeeds(inst.capInputs!, v, [-Infinity, -Infinity]), ...last }),
          want,
        );
        const steps: Float32Array[] = [];
        const dims: number[][] = [];
        await m.generate(IDS, 5, { ...capFeeds(inst.capInputs!, v, taus), ...last }, (o) => {
          steps.push(asFloat32(o['residual.3']!.data));
          dims.push(o['residual.3']!.dims);
        });
        assert.ok(steps.length >= 2);
        assert.deepEqual(dims[0], [1, IDS.length, 32]);
        assert.deepEqual(dims[1], [1, 1, 32]);
        const slack = fp16 ? 2e-2 : 1e-5;
        for (const s of steps)
          for (const x of projections(s, 32, v[1]!))
            assert.ok(x >= taus[1]! - slack, `decode step <h,v> ${x} < ${taus[1]}`);
      } finally {
        await m.dispose();
      }
    });
  });
}
