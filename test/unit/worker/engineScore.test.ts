import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { projectTokens } from '../../../src/core/axis/projection';
import { Engine } from '../../../src/worker/engine';
import { chatTokenizerFrom, mapTokens } from '../../../src/worker/tokenMap';
import type { LoadRequest } from '../../../src/protocol/messages';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { referenceForward } from '../../support/referenceForward';
import { referenceLogProbs, maxAbsDiff } from '../../support/compare';
import { randomAxis, tempDir, transcript, withTaus } from './helpers/fixtures';

const tmp = tempDir('pl-engine-');
let info: TinyModelInfo;
const CAP_LAYERS = [2, 3];

function loadRequest(model: string, extra: Partial<LoadRequest> = {}): LoadRequest {
  return { id: 1, type: 'load', model, dtype: 'fp32', capLayers: CAP_LAYERS, cacheDir: join(tmp.dir, 'cache'), offline: true, ...extra };
}

const never = new AbortController().signal;

before(async () => {
  info = await writeTinyModel(join(tmp.dir, 'model'), { numLayers: 4, hiddenSize: 32, seed: 11 });
});
after(() => tmp.remove());

test('score: shapes, content tokens only, and per-turn means equal a direct float64 forward', async () => {
  const engine = new Engine();
  const loaded = await engine.load(loadRequest(info.dir), () => undefined, never);
  assert.equal(loaded.numLayers, 4);
  assert.equal(loaded.hiddenSize, 32);
  assert.deepEqual(loaded.capLayers, CAP_LAYERS);
  assert.equal(loaded.kvCache, true);
  const messages = [{ role: 'system', content: 'You are a helpful assistant.' }, ...transcript('philosophy.json', 4, 120)];
  const axis = randomAxis(4, 32, CAP_LAYERS);
  const r = await engine.score({ id: 2, type: 'score', messages, axis, capping: false, layers: [0, 2, 3] }, never);
  assert.deepEqual(r.layers, [0, 2, 3]);
  assert.equal(r.projections.length, 3);
  const n = r.tokens.turn.length;
  for (const p of r.projections) assert.equal(p.length, n);
  assert.equal(r.turns.length, messages.length);

  // Direct computation: template ids from the tokenizer, residuals from a float64 reference forward.
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(info.dir, { local_files_only: true }));
  const map = mapTokens(tok, messages, false);
  assert.equal(r.totalTokens, map.ids.length);
  assert.deepEqual(Array.from(r.tokens.position), Array.from(map.positions));
  assert.ok(n < map.ids.length, 'markup tokens are excluded');
  const ref = referenceForward(info, map.ids);
  r.layers.forEach((L, k) => {
    const all = projectTokens(Float32Array.from(ref.residuals[L]!), axis.vectors[L]!);
    for (const turn of r.turns) {
      const span = map.spans[turn.turn]!;
      let s = 0;
      for (let t = span.tokenStart; t < span.tokenEnd; t++) s += all[t]!;
      const expected = s / (span.tokenEnd - span.tokenStart);
      assert.ok(Math.abs(turn.means[k]! - expected) < 1e-4 * (1 + Math.abs(expected)), `layer ${L} turn ${turn.turn}: ${turn.means[k]} vs ${expected}`);
    }
  });
  // ln p(token | before) of every content token: log_softmax of the reference logits one position earlier.
  const positions = Array.from(r.tokens.position);
  assert.ok(positions.every((t) => t > 0), 'the template starts with markup');
  const want = referenceLogProbs(ref.logits, info.vocabSize, positions.map((t) => t - 1), positions.map((t) => map.ids[t]!));
  assert.equal(r.tokens.logProb.length, n);
  assert.ok(maxAbsDiff(r.tokens.logProb, want) < 1e-4, `log-probabilities vs reference: ${maxAbsDiff(r.tokens.logProb, want)}`);
  // Token texts are the message content at their offsets, and they tile each message.
  for (const turn of r.turns) {
    const content = messages[turn.turn]!.content;
    const texts = r.tokens.text.slice(turn.tokenStart, turn.tokenEnd).join('');
    assert.equal(texts, content.trim());
  }
  await engine.unload();
});

test('score with capping: projections at capped layers reach tau and match the reference cap', async () => {
  const engine = new Engine();
  await engine.load(loadRequest(info.dir), () => undefined, never);
  const messages = transcript('therapy.json', 3, 150);
  const axis = randomAxis(4, 32, CAP_LAYERS, 5);
  const off = await engine.score({ id: 2, type: 'score', messages, axis, capping: true }, never);
  // tau at the median of the uncapped projections: about half the tokens get lifted.
  const taus = CAP_LAYERS.map((L) => [...off.projections[L]!].sort((a, b) => a - b)[Math.floor(off.projections[L]!.length / 2)]!);
  const capped = withTaus(axis, taus);
  const on = await engine.score({ id: 3, type: 'score', messages, axis: capped, capping: true }, never);
  assert.equal(on.reusedTokens, 0, 'different caps never reuse the cache');
  CAP_LAYERS.forEach((L, j) => {
    const p = on.projections[L]!;
    for (let i = 0; i < p.length; i++) assert.ok(p[i]! >= taus[j]! - 1e-4, `layer ${L} token ${i}: ${p[i]} < ${taus[j]}`);
  });
  // Same caps in the float64 reference forward give the same projections.
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(info.dir, { local_files_only: true }));
  const map = mapTokens(tok, messages, false);
  const ref = referenceForward(info, map.ids, CAP_LAYERS.map((L, j) => ({ layer: L, v: axis.vectors[L]!, tau: taus[j]! })));
  for (let L = 0; L < 4; L++) {
    const all = projectTokens(Float32Array.from(ref.residuals[L]!), axis.vectors[L]!);
    const p = on.projections[L]!;
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i]! - all[on.tokens.position[i]!]!) < 1e-3, `layer ${L} token ${i}`);
  }
  // Log-probabilities are the capped model's own.
  const positions = Array.from(on.tokens.position);
  const want = referenceLogProbs(ref.logits, info.vocabSize, positions.map((t) => t - 1), positions.map((t) => map.ids[t]!));
  assert.ok(maxAbsDiff(on.tokens.logProb, want) < 1e-3, `capped log-probabilities vs reference: ${maxAbsDiff(on.tokens.logProb, want)}`);
  assert.ok(maxAbsDiff(on.tokens.logProb, off.tokens.logProb) > 1e-3, 'capping changes the log-probabilities');
  // The uncapped run with tau = -inf equals a run with capping switched off, bit for bit.
  const plain = await engine.score({ id: 4, type: 'score', messages, axis: capped, capping: false }, never);
  off.projections.forEach((p, k) => assert.deepEqual(plain.projections[k], p));
  await engine.unload();
});

test('score reuses the KV cache of an unchanged prefix and equals a cold score', async () => {
  const warm = new Engine();
  const cold = new Engine();
  await warm.load(loadRequest(info.dir, { prefillChunk: 64 }), () => undefined, never);
  await cold.load(loadRequest(info.dir, { prefillChunk: 64 }), () => undefined, never);
  const axis = randomAxis(4, 32, CAP_LAYERS);
  const messages = transcript('coding.json', 8, 40);
  const first = await warm.score({ id: 2, type: 'score', messages, axis, capping: false }, never);
  assert.equal(first.reusedTokens, 0);
  const edited = messages.map((m, i) => (i === messages.length - 1 ? { ...m, content: `${m.content} And one more sentence.` } : m));
  const again = await warm.score({ id: 3, type: 'score', messages: edited, axis, capping: false }, never);
  const fresh = await cold.score({ id: 4, type: 'score', messages: edited, axis, capping: false }, never);
  assert.ok(again.reusedTokens > first.totalTokens * 0.8, `reused ${again.reusedTokens} of ${first.totalTokens}`);
  assert.equal(fresh.reusedTokens, 0);
  assert.deepEqual(again.tokens.position, fresh.tokens.position);
  again.projections.forEach((p, k) => {
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i]! - fresh.projections[k]![i]!) < 1e-5, `layer ${k} token ${i}`);
  });
  // Cached positions keep their log-probabilities; the first new token's comes from the position before it.
  assert.ok(again.tokens.logProb.every(Number.isFinite));
  assert.ok(maxAbsDiff(again.tokens.logProb, fresh.tokens.logProb) < 1e-5, `log-probabilities: ${maxAbsDiff(again.tokens.logProb, fresh.tokens.logProb)}`);
  // A shorter conversation (a removed turn) crops the cache; scoring the identical one again feeds nothing.
  const shorter = await warm.score({ id: 5, type: 'score', messages: edited.slice(0, 5), axis, capping: false }, never);
  assert.ok(shorter.reusedTokens > 0);
  const same = await warm.score({ id: 6, type: 'score', messages: edited.slice(0, 5), axis, capping: false }, never);
  assert.equal(same.reusedTokens, same.totalTokens);
  same.projections.forEach((p, k) => assert.deepEqual(p, shorter.projections[k]));
  assert.deepEqual(same.tokens.logProb, shorter.tokens.logProb);
  const shorterFresh = await cold.score({ id: 7, type: 'score', messages: edited.slice(0, 5), axis, capping: false }, never);
  assert.ok(maxAbsDiff(shorter.tokens.logProb, shorterFresh.tokens.logProb) < 1e-5);
  await warm.unload();
  await cold.unload();
});

test('activations: mean residual per layer and surprise over the chosen messages equal the float64 reference', async () => {
  const engine = new Engine();
  await engine.load(loadRequest(info.dir), () => undefined, never);
  const messages = transcript('writing.json', 4, 90);
  const r = await engine.activations({ id: 2, type: 'activations', messages, fromTurn: 3 }, never);
  assert.equal(r.layerMeans.length, 4);
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(info.dir, { local_files_only: true }));
  const map = mapTokens(tok, messages, false);
  const span = map.spans[3]!;
  assert.equal(r.tokens, span.tokenEnd - span.tokenStart);
  const ref = referenceForward(info, map.ids);
  for (let L = 0; L < 4; L++) {
    assert.equal(r.layerMeans[L]!.length, 32);
    for (let i = 0; i < 32; i++) {
      let s = 0;
      for (let t = span.tokenStart; t < span.tokenEnd; t++) s += ref.residuals[L]![t * 32 + i]!;
      const expected = s / r.tokens;
      assert.ok(Math.abs(r.layerMeans[L]![i]! - expected) < 1e-4 * (1 + Math.abs(expected)), `layer ${L} dim ${i}`);
    }
  }
  // Surprise: mean negative log-likelihood in nats of the same tokens.
  const chosen = Array.from({ length: span.tokenEnd - span.tokenStart }, (_, k) => span.tokenStart + k);
  const lp = referenceLogProbs(ref.logits, info.vocabSize, chosen.map((t) => t - 1), chosen.map((t) => map.ids[t]!));
  const surprise = -lp.reduce((a, b) => a + b, 0) / lp.length;
  assert.ok(Math.abs(r.surprise - surprise) < 1e-4, `surprise ${r.surprise} vs ${surprise}`);
  assert.ok(r.surprise > 0);
  await assert.rejects(engine.activations({ id: 3, type: 'activations', messages, fromTurn: 9 }, never), /no content tokens/);
  await engine.unload();
});

test('score: a length limit cuts after the last whole message that fits, and the scored part equals scoring that prefix', async () => {
  const engine = new Engine();
  await engine.load(loadRequest(info.dir), () => undefined, never);
  const axis = randomAxis(4, 32, CAP_LAYERS);
  const messages = transcript('therapy.json', 6, 60);
  const full = await engine.score({ id: 2, type: 'score', messages, axis, capping: false }, never);
  assert.equal(full.scoredMessages, messages.length);
  assert.equal(full.tokenLimit, null);
  const limit = Math.floor(full.totalTokens * 0.6);
  const cut = await engine.score({ id: 3, type: 'score', messages, axis, capping: false, maxTokens: limit }, never);
  assert.ok(cut.scoredMessages > 0 && cut.scoredMessages < messages.length, `kept ${cut.scoredMessages}`);
  assert.ok(cut.totalTokens <= limit, `${cut.totalTokens} tokens within ${limit}`);
  assert.equal(cut.fullTokens, full.totalTokens);
  assert.equal(cut.tokenLimit, limit);
  // One more message would not have fitted.
  const prefix = await engine.score({ id: 4, type: 'score', messages: messages.slice(0, cut.scoredMessages + 1), axis, capping: false }, never);
  assert.ok(prefix.totalTokens > limit);
  const same = await engine.score({ id: 5, type: 'score', messages: messages.slice(0, cut.scoredMessages), axis, capping: false }, never);
  assert.deepEqual(Array.from(cut.turns, (t) => Array.from(t.means)), Array.from(same.turns, (t) => Array.from(t.means)));
  await assert.rejects(engine.score({ id: 6, type: 'score', messages, axis, capping: false, maxTokens: 3 }, never), /first message alone is longer than 3 tokens/);
});
