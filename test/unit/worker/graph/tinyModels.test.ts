// The generated test models load in transformers.js 4.3.1, run, compute what the reference forward
// computes, and their tokenizers round-trip text.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { writeTinyModel, type TinyModelSpec } from '../../../support/tinyModels';
import { referenceForward } from '../../../support/referenceForward';
import { float16ArrayToFloat32 } from '../../../../src/worker/graph/float16';
import { maxRelDiff } from '../../../support/compare';

env.allowRemoteModels = false;
const root = mkdtempSync(join(tmpdir(), 'pl-tiny-'));
after(() => rmSync(root, { recursive: true, force: true }));

function toFloat32(t: Tensor): Float32Array {
  return t.type === 'float16'
    ? float16ArrayToFloat32(t.data as Uint16Array)
    : Float32Array.from(t.data as Float32Array);
}

const variants: { name: string; spec: Partial<TinyModelSpec>; file: string }[] = [
  { name: 'genai fp32, KV cache', spec: { layout: 'genai', dtype: 'fp32' }, file: 'model.onnx' },
  {
    name: 'genai fp16, KV cache, .data external',
    spec: { layout: 'genai', dtype: 'fp16', externalData: 'dot_data' },
    file: 'model_fp16.onnx.data',
  },
  {
    name: 'optimum fp32, KV cache',
    spec: { layout: 'optimum', dtype: 'fp32', modelType: 'llama' },
    file: 'model.onnx',
  },
  {
    name: 'optimum fp32, no KV cache, _data external',
    spec: { layout: 'optimum', kvCache: false, externalData: 'onnx_data' },
    file: 'model.onnx_data',
  },
  { name: 'genai fp32, no KV cache', spec: { layout: 'genai', kvCache: false, seed: 7 }, file: 'model.onnx' },
  {
    name: 'genai fp32, MultiHeadAttention + RotaryEmbedding',
    spec: { layout: 'genai', attention: 'mha', seed: 9 },
    file: 'model.onnx',
  },
  {
    name: 'genai fp16, MultiHeadAttention, _data external',
    spec: { layout: 'genai', attention: 'mha', dtype: 'fp16', externalData: 'onnx_data', seed: 10 },
    file: 'model_fp16.onnx_data',
  },
  {
    name: 'genai q4 (MatMulNBits), llama',
    spec: { layout: 'genai', dtype: 'q4', modelType: 'llama', seed: 8 },
    file: 'model_q4.onnx',
  },
  {
    name: 'genai q8 (DynamicQuantizeLinear + MatMulInteger)',
    spec: { layout: 'genai', dtype: 'q8', seed: 9 },
    file: 'model_quantized.onnx',
  },
];

describe('tiny models', () => {
  for (const v of variants) {
    test(`${v.name}: loads in transformers.js and matches the reference forward`, async () => {
      const dir = join(root, v.name.replace(/\W+/g, '-'));
      const info = await writeTinyModel(dir, v.spec);
      assert.ok(existsSync(join(dir, 'onnx', v.file)));
      const tok = await AutoTokenizer.from_pretrained(dir);
      const model = await AutoModelForCausalLM.from_pretrained(dir, {
        dtype: info.dtype,
        local_files_only: true,
      });
      try {
        const ids = tok.encode('The cat sat on the mat, you see.', { add_special_tokens: false });
        const enc = {
          input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
          attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        };
        const out = (await model(enc)) as Record<string, Tensor>;
        const logits = out.logits;
        assert.ok(logits);
        assert.deepEqual(logits.dims, [1, ids.length, info.vocabSize]);
        const ref = referenceForward(info, ids);
        const got = toFloat32(logits);
        // fp16 graphs round every intermediate, q8 quantizes every projection's input to 8 bits at run time
        // (the reference uses the same int8 weights but float activations); fp32 should agree to float32
        // accumulation error.
        const tol = info.dtype === 'fp16' ? 2e-2 : info.dtype === 'q8' ? 5e-2 : 1e-4;
        assert.ok(
          maxRelDiff(got, ref.logits) < tol,
          `logits differ from the reference by ${maxRelDiff(got, ref.logits)}`,
        );
        if (info.spec.kvCache) assert.ok(out['present.0.key'], 'present.* outputs exist');
      } finally {
        await model.dispose();
      }
    });
  }

  test('generate runs with the KV cache and stops at <|im_end|> or max_new_tokens', async () => {
    const dir = join(root, 'gen');
    const info = await writeTinyModel(dir, { layout: 'optimum' });
    const tok = await AutoTokenizer.from_pretrained(dir);
    const model = await AutoModelForCausalLM.from_pretrained(dir, { dtype: 'fp32', local_files_only: true });
    try {
      const prompt = tok.apply_chat_template([{ role: 'user', content: 'Hi!' }], {
        add_generation_prompt: true,
        tokenize: false,
      });
      const enc = tok(prompt, { add_special_tokens: false });
      const out = (await model.generate({ ...enc, max_new_tokens: 6, do_sample: false })) as Tensor;
      const n = enc.input_ids.dims[1] ?? 0;
      assert.ok(out.dims[1]! > n && out.dims[1]! <= n + 6);
      // Greedy decoding with the cache must pick the reference model's argmax at the first new position.
      const ids = (out.tolist() as bigint[][])[0]!.map(Number);
      const ref = referenceForward(info, ids.slice(0, n));
      const last = ref.logits.subarray((n - 1) * info.vocabSize, n * info.vocabSize);
      assert.equal(ids[n], last.indexOf(Math.max(...last)));
    } finally {
      await model.dispose();
    }
  });

  test('byte-level tokenizer round-trips text and renders ChatML', async () => {
    const dir = join(root, 'tok');
    const info = await writeTinyModel(dir, { numLayers: 1 });
    const tok = await AutoTokenizer.from_pretrained(dir);
    const text = 'Hello, wörld! 你好 🙂\n\ttabs  and  spaces';
    const ids = tok.encode(text, { add_special_tokens: false });
    assert.equal(tok.decode(ids), text);
    assert.ok(ids.every((id) => id < info.vocabSize));
    assert.ok(ids.length < Buffer.byteLength(text), 'merges shorten the encoding');
    const rendered = tok.apply_chat_template(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      { tokenize: false, add_generation_prompt: true },
    );
    assert.equal(
      rendered,
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
    const rids = tok.encode(rendered, { add_special_tokens: false });
    assert.equal(rids[0], info.tokens.imStartId);
    assert.equal(rids.filter((id) => id === info.tokens.imEndId).length, 2);
  });

  test('qwen3 tokenizer variant: real vocabulary, model runs', async () => {
    const dir = join(root, 'qwen3');
    const info = await writeTinyModel(dir, {
      tokenizer: 'qwen3',
      numLayers: 1,
      hiddenSize: 16,
      numHeads: 1,
      numKvHeads: 1,
      intermediateSize: 16,
    });
    assert.ok(info.vocabSize > 151_000);
    const tok = await AutoTokenizer.from_pretrained(dir);
    const text = 'Persona drift, measured per turn.';
    const ids = tok.encode(text, { add_special_tokens: false });
    assert.equal(tok.decode(ids), text);
    assert.equal(tok.encode('<|im_start|>', { add_special_tokens: false })[0], info.tokens.imStartId);
    const model = await AutoModelForCausalLM.from_pretrained(dir, { dtype: 'fp32', local_files_only: true });
    try {
      const out = (await model({
        input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
        attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      })) as Record<string, Tensor>;
      assert.deepEqual(out.logits?.dims, [1, ids.length, info.vocabSize]);
    } finally {
      await model.dispose();
    }
  });
});
