// Every layout of the catalogue's families (src/core/models/catalogue.ts), as each exporter writes it, with
// random weights (test/support/tinyModels.ts: FAMILY_TRAITS): Optimum / transformers.js exports (plain Add
// residuals, decomposed RMSNorm; fp32, fp16, q4 MatMulNBits) and onnxruntime-genai builder exports
// (SkipSimplifiedLayerNormalization, GroupQueryAttention). Per family x exporter x dtype: the rewrite finds
// the stream, residual readouts equal the independent reference forward within the dtype's tolerance, cap
// off is bit-identical to the original graph, caps hold the floor, steering moves the stream by exactly its
// shift, and KV-cache decoding with caps off gives the original tokens.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicCache, env, Tensor } from '@huggingface/transformers';
import { instrumentModel, InstrumentationError } from '../../../../src/worker/graph/instrument';
import { findResidualStream } from '../../../../src/worker/graph/residualStream';
import { decodeModel } from '../../../../src/worker/graph/onnxProto';
import { CATALOGUE } from '../../../../src/core/models/catalogue';
import { SUPPORTED_MODEL_TYPES } from '../../../../src/model/folder';
import { writeTinyModel, type TinyFamily, type TinyModelSpec } from '../../../support/tinyModels';
import { referenceForward } from '../../../support/referenceForward';
import { bitIdentical, maxRelDiff } from '../../../support/compare';
import { asFloat32, median, projections, unitVector } from '../../../support/tensors';
import { capFeeds, headFeeds, idsToInputs, loadModel, scoreAll } from '../../../support/tjsModel';

env.allowRemoteModels = false;
const root = mkdtempSync(join(tmpdir(), 'pl-family-'));
after(() => rmSync(root, { recursive: true, force: true }));

const IDS = [12, 200, 7, 99, 150, 31, 64, 250, 3, 180, 77, 140];
const CAP_LAYERS = [1, 3];
const MODEL_TYPE: Record<TinyFamily, TinyModelSpec['modelType']> = {
  llama: 'llama',
  qwen2: 'qwen2',
  qwen3: 'qwen3',
  gemma3: 'gemma3_text',
  phi3: 'phi3',
};
/** Families whose small models tie lm_head to the embedding (SmolLM2, Qwen2.5 0.5B, Gemma 3). */
const TIED: ReadonlySet<TinyFamily> = new Set(['llama', 'qwen2', 'gemma3']);

/** Which exporter and dtypes each family ships in the catalogue (genai = onnxruntime-genai builder). */
export const FAMILY_CASES: readonly {
  family: TinyFamily;
  layout: 'optimum' | 'genai';
  dtype: 'fp32' | 'fp16' | 'q4';
}[] = [
  ...(['llama', 'qwen2', 'qwen3', 'gemma3', 'phi3'] as const).flatMap((family) =>
    (['fp32', 'fp16', 'q4'] as const).map((dtype) => ({ family, layout: 'optimum' as const, dtype })),
  ),
  ...(['qwen2', 'qwen3', 'gemma3', 'phi3'] as const).flatMap((family) =>
    (['fp32', 'fp16', 'q4'] as const).map((dtype) => ({ family, layout: 'genai' as const, dtype })),
  ),
];

// Relative tolerance of residuals and logits against the float64 reference: fp16 graphs round every
// intermediate; q4 graphs compute with the dequantized weights the reference also uses.
const TOL = { fp32: 1e-4, fp16: 3e-2, q4: 2e-4 } as const;

FAMILY_CASES.forEach((c, k) => {
  const name = `${c.family} ${c.layout} ${c.dtype}`;
  describe(`family layout: ${name}`, () => {
    test('stream found; cap off bit-identical; readouts, caps and steering match the reference; KV decoding unchanged', async () => {
      const info = await writeTinyModel(join(root, name.replace(/\W+/g, '-')), {
        layout: c.layout,
        dtype: c.dtype,
        family: c.family,
        modelType: MODEL_TYPE[c.family],
        tiedEmbeddings: TIED.has(c.family),
        seed: 100 + k,
      });
      const inst = await instrumentModel(info.dir, {
        dtype: info.dtype,
        settings: { capLayers: CAP_LAYERS },
        cacheDir: join(root, 'cache'),
      });
      assert.equal(inst.pattern, c.layout === 'genai' ? 'skip-simplified-layernorm' : 'add');
      assert.equal(inst.numLayers, 4);
      assert.equal(inst.hiddenSize, 32);
      const v = [unitVector(32, 201), unitVector(32, 202)];
      const orig = await loadModel(info.dir, info.dtype);
      const original = await orig.forward(idsToInputs(IDS));
      const wantTokens = await orig.generate(IDS, 4);
      await orig.dispose();
      const m = await loadModel(inst.dir, info.dtype, inst.sessionOptions);
      try {
        const off = capFeeds(inst.capInputs!, v, [-Infinity, -Infinity]);
        const uncapped = await m.forward({
          ...idsToInputs(IDS),
          ...off,
          ...headFeeds(inst.head!, scoreAll(IDS)),
        });
        const V = info.vocabSize;
        const n = IDS.length;
        const all = original.logits!.data as Float32Array | Uint16Array;
        assert.ok(
          bitIdentical(all.subarray((n - 1) * V), (uncapped.logits!.data as Float32Array).subarray(V)),
          'last-row logits',
        );
        for (const key of Object.keys(original).filter((x) => x.startsWith('present.')))
          assert.ok(
            bitIdentical(original[key]!.data as Float32Array, uncapped[key]!.data as Float32Array),
            key,
          );

        const ref = referenceForward(info, IDS);
        inst.residualOutputs.forEach((r, l) => {
          const d = maxRelDiff(asFloat32(uncapped[r]!.data), ref.residuals[l]!);
          assert.ok(d < TOL[c.dtype], `${r}: relative error ${d} vs reference`);
        });
        assert.ok(maxRelDiff(asFloat32(all), ref.logits) < TOL[c.dtype], 'original logits vs reference');

        const taus = CAP_LAYERS.map((l, j) =>
          median(projections(asFloat32(uncapped[`residual.${l}`]!.data), 32, v[j]!)),
        );
        const capped = await m.forward({
          ...idsToInputs(IDS),
          ...capFeeds(inst.capInputs!, v, taus),
          ...headFeeds(inst.head!, { logitsAt: IDS.map((_, t) => t) }),
        });
        CAP_LAYERS.forEach((l, j) => {
          const h = asFloat32(capped[`residual.${l}`]!.data);
          const slack = c.dtype === 'fp16' ? Math.max(...h.map(Math.abs)) * 2 ** -10 : 1e-5;
          for (const x of projections(h, 32, v[j]!))
            assert.ok(x >= taus[j]! - slack, `layer ${l}: ${x} < ${taus[j]}`);
        });
        assert.ok(
          bitIdentical(
            uncapped['residual.0']!.data as Float32Array,
            capped['residual.0']!.data as Float32Array,
          ),
          'layer 0 is before any cap',
        );
        assert.ok(
          !bitIdentical(
            uncapped['residual.3']!.data as Float32Array,
            capped['residual.3']!.data as Float32Array,
          ),
          'caps change the stream',
        );
        const refCapped = referenceForward(
          info,
          IDS,
          CAP_LAYERS.map((layer, j) => ({ layer, v: v[j]!, tau: taus[j]! })),
        );
        const dc = maxRelDiff(asFloat32(capped.logits!.data), refCapped.logits);
        assert.ok(dc < TOL[c.dtype] * 2, `capped logits vs reference: ${dc}`);

        // Steering through the same nodes: the first steered layer's exit moves along v by exactly the
        // shift (fp16: within its rounding), earlier layers not at all, and the logits follow the reference.
        const shifts = [2.5, -1.5];
        const steered = await m.forward({
          ...idsToInputs(IDS),
          ...capFeeds(inst.capInputs!, v, [-Infinity, -Infinity], shifts),
          ...headFeeds(inst.head!, { logitsAt: IDS.map((_, t) => t) }),
        });
        assert.ok(
          bitIdentical(uncapped['residual.0']!.data as Float32Array, steered['residual.0']!.data as Float32Array),
          'layer 0 is before any steered layer',
        );
        const along = (out: typeof steered) => projections(asFloat32(out['residual.1']!.data), 32, v[0]!);
        const [before, after] = [along(uncapped), along(steered)];
        const slack = c.dtype === 'fp16' ? Math.max(...asFloat32(steered['residual.1']!.data).map(Math.abs)) * 2 ** -9 : 1e-4;
        before.forEach((x, t) =>
          assert.ok(Math.abs((after[t] as number) - x - shifts[0]!) < slack, `row ${t}: <h,v> ${x} -> ${after[t]}`),
        );
        const refSteered = referenceForward(
          info,
          IDS,
          CAP_LAYERS.map((layer, j) => ({ layer, v: v[j]!, tau: -Infinity, shift: shifts[j]! })),
        );
        const ds = maxRelDiff(asFloat32(steered.logits!.data), refSteered.logits);
        assert.ok(ds < TOL[c.dtype] * 2, `steered logits vs reference: ${ds}`);

        const last = headFeeds(inst.head!, { logitsAt: [-1] });
        assert.deepEqual(
          await m.generate(IDS, 4, { ...off, ...last }),
          wantTokens,
          'KV decoding with caps off',
        );

        // KV reuse: the tail scored after a cached prefix reads as in one cold pass over the whole sequence.
        const split = 5;
        const none = headFeeds(inst.head!, { logitsAt: [] });
        const prefix = await m.forward({ ...idsToInputs(IDS.slice(0, split)), ...off, ...none });
        const past = Object.fromEntries(
          Object.entries(prefix)
            .filter(([k]) => k.startsWith('present'))
            .map(([k, t]) => [k.replace('present', 'past_key_values'), t]),
        );
        const tail = await m.forward({
          input_ids: new Tensor('int64', BigInt64Array.from(IDS.slice(split), (i) => BigInt(i)), [1, IDS.length - split]),
          attention_mask: new Tensor('int64', new BigInt64Array(IDS.length).fill(1n), [1, IDS.length]),
          // The model takes its cache object where the other inputs are tensors.
          past_key_values: new DynamicCache(past) as unknown as Tensor,
          ...off,
          ...none,
        });
        inst.residualOutputs.forEach((r) => {
          const cold = asFloat32(uncapped[r]!.data).subarray(split * 32);
          const d = maxRelDiff(asFloat32(tail[r]!.data), cold);
          assert.ok(d < TOL[c.dtype], `${r}: KV reuse vs cold score, relative ${d}`);
        });
      } finally {
        await m.dispose();
      }
    });
  });
});

/** config.json model_type of a catalogue entry -> the family whose layer its graph spells out. */
const FAMILY_OF_ARCHITECTURE: Readonly<Record<string, TinyFamily>> = {
  llama: 'llama',
  qwen2: 'qwen2',
  qwen3: 'qwen3',
  gemma3_text: 'gemma3',
  phi3: 'phi3',
};

test('every catalogue entry marked tested has a stand-in of its family and exporter for each fp32/fp16/q4 it ships', () => {
  for (const e of CATALOGUE) {
    const family = FAMILY_OF_ARCHITECTURE[e.architecture];
    assert.ok(family, `${e.id}: architecture ${e.architecture} has no stand-in family`);
    // The model folder check lets the catalogue's architectures through (a real Phi-3.5 folder was refused).
    assert.ok(SUPPORTED_MODEL_TYPES.includes(e.architecture), `${e.id}: model_type ${e.architecture} is refused by the folder check`);
    if (e.support !== 'tested') continue;
    const layout = e.layout === 'genai-builder' ? 'genai' : 'optimum';
    const shipped = e.files.map((f) => f.dtype);
    // q4f16 is 4-bit weights with fp16 activations: covered by the q4 (MatMulNBits) and fp16 cases.
    const needed = new Set(shipped.flatMap((d) => (d === 'q4f16' ? ['q4', 'fp16'] : d === 'q8' ? [] : [d])));
    for (const dtype of needed)
      assert.ok(
        FAMILY_CASES.some((c) => c.family === family && c.layout === layout && c.dtype === dtype),
        `${e.id}: no ${family} ${layout} ${dtype} stand-in`,
      );
  }
});

test('a layout outside the known patterns fails naming the op pattern that was not found', async () => {
  // A parallel-residual layer (GPT-J / Phi-2 style: x + attn(ln x) + mlp(ln x)) in place of layer 1's
  // MLP sum: the MLP branch is computed from the layer's input, not from the stream after attention.
  const info = await writeTinyModel(join(root, 'parallel'), { layout: 'optimum', family: 'llama', seed: 5 });
  const model = decodeModel(readFileSync(info.onnxPath));
  const nodes = model.graph!.node!;
  const mlpNorm = nodes.find((n) => n.name === '/model/layers.1/post_attention_layernorm/Pow')!;
  const div = nodes.find((n) => n.name === '/model/layers.1/post_attention_layernorm/Div')!;
  const layerInput = nodes.find((n) => n.name === '/model/layers.1/Add')!.input![0]!;
  mlpNorm.input![0] = layerInput;
  div.input![0] = layerInput;
  assert.throws(
    () => findResidualStream(model.graph!, info.onnxPath),
    (e: unknown) =>
      e instanceof InstrumentationError &&
      e.file === info.onnxPath &&
      /pattern 'two residual sums per layer' not found/.test(e.message),
  );
});
