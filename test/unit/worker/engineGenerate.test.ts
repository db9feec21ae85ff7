import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import { Engine, type EngineGenerateRequest } from '../../../src/worker/engine';
import { chatTokenizerFrom, mapTokens } from '../../../src/worker/tokenMap';
import type { LoadRequest, Sampling } from '../../../src/protocol/messages';
import type { AxisSpec } from '../../../src/core/axis/axisSpec';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { referenceForward } from '../../support/referenceForward';
import { referenceLogProbs, maxAbsDiff } from '../../support/compare';
import { randomAxis, tempDir, withTaus } from './helpers/fixtures';

const tmp = tempDir('pl-gen-');
const CAP_LAYERS = [1, 2];
const never = new AbortController().signal;
const PROMPT = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Tell me who you are.' },
];
const models: Record<'genai' | 'genai-fp16' | 'optimum' | 'optimum-no-kv', TinyModelInfo> = {} as never;

function loadRequest(model: string, dtype = 'fp32'): LoadRequest {
  return { id: 1, type: 'load', model, dtype, capLayers: CAP_LAYERS, cacheDir: join(tmp.dir, 'cache'), offline: true };
}

function gen(axis: AxisSpec | undefined, capping: boolean, sampling: Sampling, maxTokens = 16): EngineGenerateRequest {
  return { id: 2, type: 'generate', messages: PROMPT, capping, maxTokens, sampling, ...(axis ? { axis } : {}) };
}

/**
 * Greedy tokens of transformers.js's own generate() on the original, uninstrumented folder; for a graph
 * without KV cache (generate() feeds such graphs only the last token) of the float64 reference forward.
 */
async function plainGreedy(info: TinyModelInfo, maxTokens: number): Promise<number[]> {
  const tok = await AutoTokenizer.from_pretrained(info.dir, { local_files_only: true });
  const ids = mapTokens(chatTokenizerFrom(tok), PROMPT, true).ids;
  if (!info.spec.kvCache) {
    const seq = [...ids];
    for (let i = 0; i < maxTokens; i++) {
      const logits = referenceForward(info, seq).logits.subarray((seq.length - 1) * info.vocabSize);
      let best = 0;
      for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
      seq.push(best);
    }
    return seq.slice(ids.length);
  }
  const model = await AutoModelForCausalLM.from_pretrained(info.dir, { dtype: info.dtype, local_files_only: true });
  const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
  const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
  const out = (await model.generate({ input_ids, attention_mask, max_new_tokens: maxTokens, do_sample: false })) as Tensor;
  await model.dispose();
  return Array.from(out.data as BigInt64Array, Number).slice(ids.length);
}

before(async () => {
  models.genai = await writeTinyModel(join(tmp.dir, 'genai'), { numLayers: 3, hiddenSize: 32, seed: 21 });
  models['genai-fp16'] = await writeTinyModel(join(tmp.dir, 'genai-fp16'), { dtype: 'fp16', numLayers: 3, hiddenSize: 32, seed: 24 });
  models.optimum = await writeTinyModel(join(tmp.dir, 'optimum'), { layout: 'optimum', numLayers: 3, hiddenSize: 32, seed: 22 });
  models['optimum-no-kv'] = await writeTinyModel(join(tmp.dir, 'optimum-no-kv'), { layout: 'optimum', kvCache: false, numLayers: 3, hiddenSize: 32, seed: 23 });
});
after(() => tmp.remove());

for (const which of ['genai', 'genai-fp16', 'optimum', 'optimum-no-kv'] as const) {
  test(`${which}: greedy generation equals a plain greedy decode; capping with tau = -inf changes nothing`, async () => {
    const info = models[which];
    const engine = new Engine();
    const loaded = await engine.load(loadRequest(info.dir, info.dtype), () => undefined, never);
    assert.equal(loaded.kvCache, which !== 'optimum-no-kv');
    const axis = randomAxis(3, 32, CAP_LAYERS);
    const events: { text: string; projections: Float32Array; logProb: number }[] = [];
    const off = await engine.generate(gen(axis, false, { kind: 'greedy' }), (t) => events.push(t), never);
    const on = await engine.generate(gen(axis, true, { kind: 'greedy' }), () => undefined, never);
    const expected = await plainGreedy(info, 16);
    const generated = Array.from(off.tokens.tokenId);
    assert.ok(generated.length > 0);
    // generate() also returns the stop token; the engine stops before it.
    assert.deepEqual(generated, expected.slice(0, generated.length));
    if (off.stopReason === 'eos') assert.ok(expected.length > generated.length);
    assert.deepEqual(Array.from(on.tokens.tokenId), generated);
    on.projections.forEach((p, L) => assert.deepEqual(p, off.projections[L]));
    // Streamed events: one per token, projections at every layer, texts assemble the message.
    assert.equal(events.length, generated.length);
    events.forEach((e, i) => {
      assert.equal(e.projections.length, 3);
      e.projections.forEach((x, L) => assert.equal(x, off.projections[L]![i]));
      assert.equal(e.logProb, off.tokens.logProb[i]);
    });
    // Each token's ln p from the logits it was picked from: the float64 reference one position earlier.
    const ids = mapTokens(chatTokenizerFrom(await AutoTokenizer.from_pretrained(info.dir, { local_files_only: true })), PROMPT, true).ids;
    const seq = [...ids, ...generated];
    const at = generated.map((_, i) => ids.length + i - 1);
    const want = referenceLogProbs(referenceForward(info, seq).logits, info.vocabSize, at, generated);
    // fp16 graphs round activations to fp16 where the reference does not.
    assert.ok(maxAbsDiff(off.tokens.logProb, want) < (info.dtype === 'fp16' ? 5e-2 : 1e-4), `log-probabilities vs reference: ${maxAbsDiff(off.tokens.logProb, want)}`);
    assert.deepEqual(on.tokens.logProb, off.tokens.logProb);
    assert.ok(off.text.startsWith(events.map((e) => e.text).join('')));
    // Without an axis (while an axis is being computed): same tokens, no per-layer values.
    const bare: Float32Array[] = [];
    const noAxis = await engine.generate(gen(undefined, false, { kind: 'greedy' }), (t) => bare.push(t.projections), never);
    assert.deepEqual(noAxis.tokens.tokenId, off.tokens.tokenId);
    assert.deepEqual(noAxis.projections, []);
    assert.ok(bare.every((p) => p.length === 0));
    await assert.rejects(engine.generate(gen(undefined, true, { kind: 'greedy' }), () => undefined, never), /capping needs an axis/);
    await engine.unload();
  });
}

test('capped generation keeps every generated token at or above tau on the capped layers', async () => {
  const engine = new Engine();
  await engine.load(loadRequest(models.genai.dir), () => undefined, never);
  const axis = randomAxis(3, 32, CAP_LAYERS, 9);
  const free = await engine.generate(gen(axis, false, { kind: 'greedy' }, 24), () => undefined, never);
  // Floors above most of the uncapped projections, so capping has work to do.
  const taus = CAP_LAYERS.map((L) => Math.max(...free.projections[L]!) * 0.5 + 0.5);
  const capped = await engine.generate(gen(withTaus(axis, taus), true, { kind: 'greedy' }, 24), () => undefined, never);
  assert.ok(capped.tokens.tokenId.length > 0);
  CAP_LAYERS.forEach((L, j) => {
    for (const x of capped.projections[L]!) assert.ok(x >= taus[j]! - 1e-4, `layer ${L}: ${x} < ${taus[j]}`);
  });
  assert.ok(CAP_LAYERS.some((L, j) => free.projections[L]!.some((x) => x < taus[j]!)), 'the floors were below every uncapped value');
  await engine.unload();
});

test('seeded sampling: same seed same tokens (capped with -inf too); other seeds differ', async () => {
  const engine = new Engine();
  await engine.load(loadRequest(models.genai.dir), () => undefined, never);
  const axis = randomAxis(3, 32, CAP_LAYERS);
  const sampling = (seed: number): Sampling => ({ kind: 'sample', temperature: 1.5, topK: 0, topP: 1, seed });
  const a = await engine.generate(gen(axis, false, sampling(7), 20), () => undefined, never);
  const b = await engine.generate(gen(axis, false, sampling(7), 20), () => undefined, never);
  const c = await engine.generate(gen(axis, true, sampling(7), 20), () => undefined, never);
  assert.deepEqual(b.tokens.tokenId, a.tokens.tokenId);
  assert.deepEqual(c.tokens.tokenId, a.tokens.tokenId);
  // Sampled at temperature 1.5, reported under the raw distribution (temperature 1).
  const ids = mapTokens(chatTokenizerFrom(await AutoTokenizer.from_pretrained(models.genai.dir, { local_files_only: true })), PROMPT, true).ids;
  const sampled = Array.from(a.tokens.tokenId);
  const ref = referenceForward(models.genai, [...ids, ...sampled]).logits;
  const want = referenceLogProbs(ref, models.genai.vocabSize, sampled.map((_, i) => ids.length + i - 1), sampled);
  assert.ok(maxAbsDiff(a.tokens.logProb, want) < 1e-4, `sampled log-probabilities vs reference: ${maxAbsDiff(a.tokens.logProb, want)}`);
  const others = await Promise.all([8, 9, 10].map((s) => engine.generate(gen(axis, false, sampling(s), 20), () => undefined, never)));
  assert.ok(others.some((o) => o.tokens.tokenId.join() !== a.tokens.tokenId.join()));
  // top-k 1 is greedy whatever the seed.
  const greedy = await engine.generate(gen(axis, false, { kind: 'greedy' }, 20), () => undefined, never);
  const k1 = await engine.generate(gen(axis, false, { kind: 'sample', temperature: 1, topK: 1, topP: 1, seed: 3 }, 20), () => undefined, never);
  assert.deepEqual(k1.tokens.tokenId, greedy.tokens.tokenId);
  await engine.unload();
});
