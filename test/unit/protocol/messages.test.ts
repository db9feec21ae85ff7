import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as v from 'valibot';
import * as p from '../../../src/protocol/messages';

const axis = { hiddenSize: 2, vectors: [Float32Array.from([1, 0])], monitorLayer: 0, capLayers: [0], taus: Float32Array.from([0.5]) };
const tokens = { turn: new Int32Array(1), start: new Int32Array(1), end: Int32Array.from([2]), position: Int32Array.from([5]), tokenId: Int32Array.from([9]), text: ['hi'], logProb: Float32Array.from([NaN]) };

/** One valid and at least one malformed example per message and result schema. */
const cases: [string, v.GenericSchema<unknown, unknown>, unknown, unknown[]][] = [
  ['load', p.HostToWorkerSchema, { id: 1, type: 'load', model: '/m', dtype: 'fp32', capLayers: [1], cacheDir: '/c', offline: false, threads: 2 }, [
    { id: 1, type: 'load', model: '/m', dtype: 'fp32', capLayers: [], cacheDir: '/c', offline: false, threads: -1 },
    { id: 1, type: 'load', model: '/m', dtype: 'fp32', capLayers: [], cacheDir: '/c', offline: false, threads: 1.5 },
    { id: 1, type: 'load', model: '', dtype: 'fp32', capLayers: [], cacheDir: '/c', offline: false },
    { id: 1, type: 'load', model: '/m', dtype: 'fp32', capLayers: [-1], cacheDir: '/c', offline: false },
    { id: 1, type: 'load', model: '/m', dtype: 'fp32', capLayers: [], cacheDir: '/c' },
  ]],
  ['score', p.HostToWorkerSchema, { id: 2, type: 'score', messages: [{ role: 'user', content: 'x' }], axis, capping: false }, [
    { id: 2, type: 'score', messages: [{ role: 'user' }], axis, capping: false },
    { id: 2, type: 'score', messages: [], axis: { ...axis, vectors: [[1, 0]] }, capping: false },
    { id: 0, type: 'score', messages: [], axis, capping: false },
  ]],
  ['generate', p.HostToWorkerSchema, { id: 3, type: 'generate', messages: [], axis, capping: true, maxTokens: 4, sampling: { kind: 'sample', temperature: 1, topK: 0, topP: 0.9, seed: 1 } }, [
    { id: 3, type: 'generate', messages: [], axis, capping: true, maxTokens: 0, sampling: { kind: 'greedy' } },
    { id: 3, type: 'generate', messages: [], axis, capping: true, maxTokens: 4, sampling: { kind: 'sample', temperature: 1, topK: 0, topP: 2, seed: 1 } },
    { id: 3, type: 'generate', messages: [], axis, capping: true, maxTokens: 4, sampling: { kind: 'beam' } },
    { id: 3, type: 'generate', messages: [], axis: null, capping: false, maxTokens: 4, sampling: { kind: 'greedy' } },
  ]],
  ['activations', p.HostToWorkerSchema, { id: 8, type: 'activations', messages: [{ role: 'user', content: 'x' }], fromTurn: 0 }, [
    { id: 8, type: 'activations', messages: [], fromTurn: -1 },
    { id: 8, type: 'activations', messages: [{ role: '', content: 'x' }], fromTurn: 0 },
  ]],
  ['activations result', p.ActivationsResultSchema, { layerMeans: [new Float32Array(2)], tokens: 3, surprise: 2.5 }, [
    { layerMeans: [[0, 1]], tokens: 3, surprise: 2.5 },
    { layerMeans: [new Float32Array(2)], tokens: 3 },
    { layerMeans: [new Float32Array(2)], tokens: 3, surprise: '2.5' },
  ]],
  ['activations result without a defined surprise', p.ActivationsResultSchema, { layerMeans: [], tokens: 0, surprise: NaN }, [{ layerMeans: [], tokens: 0, surprise: null }]],
  ['unload', p.HostToWorkerSchema, { id: 4, type: 'unload' }, [{ id: '4', type: 'unload' }]],
  ['cancel', p.HostToWorkerSchema, { id: 5, type: 'cancel' }, [{ type: 'cancel' }]],
  ['no crash hook in the product', p.HostToWorkerSchema, { id: 6, type: 'cancel' }, [{ id: 6, type: 'crash' }]],
  ['unknown type', p.HostToWorkerSchema, { id: 4, type: 'unload' }, [{ id: 7, type: 'launch' }, null, 'load', 42]],
  ['ready', p.WorkerToHostSchema, { type: 'ready', transformersVersion: '4.3.1' }, [{ type: 'ready' }]],
  ['progress', p.WorkerToHostSchema, { type: 'progress', id: 1, phase: 'download', file: 'a', loaded: 1, total: 2 }, [{ type: 'progress', id: 1, phase: 'flying' }]],
  ['token', p.WorkerToHostSchema, { type: 'token', id: 1, index: 0, tokenId: 3, text: 'a', start: 0, end: 1, projections: new Float32Array(2), logProb: -1.5 }, [
    { type: 'token', id: 1, index: 0, tokenId: 3, text: 'a', start: 0, end: 1, projections: [0, 0], logProb: -1.5 },
    { type: 'token', id: 1, index: 0, tokenId: 3, text: 'a', start: 0, end: 1, projections: new Float32Array(2) },
  ]],
  ['log', p.WorkerToHostSchema, { type: 'log', level: 'warn', message: 'm' }, [{ type: 'log', level: 'loud', message: 'm' }]],
  ['ok reply', p.WorkerToHostSchema, { type: 'reply', id: 1, ok: true, result: null }, [{ type: 'reply', id: 1, ok: 'yes', result: null }]],
  ['error reply', p.WorkerToHostSchema, { type: 'reply', id: 1, ok: false, error: { code: 'load', message: 'm' } }, [{ type: 'reply', id: 1, ok: false, error: 'm' }]],
  ['model info', p.ModelInfoSchema, { model: 'm', dir: '/m', modelType: 'llama', dtype: 'fp32', numLayers: 2, hiddenSize: 8, vocabSize: 64, capLayers: [1], kvCache: true, pattern: 'add', instrumentedFromCache: false, threads: 2 }, [
    { model: 'm', dir: '/m', modelType: 'llama', dtype: 'fp32', numLayers: -2, hiddenSize: 8, capLayers: [1], kvCache: true, pattern: 'add', instrumentedFromCache: false },
  ]],
  ['score result', p.ScoreResultSchema, { layers: [0], monitorLayer: 0, tokens, projections: [new Float32Array(1)], turns: [{ turn: 0, role: 'user', tokenStart: 0, tokenEnd: 1, found: true, means: new Float32Array(1) }], totalTokens: 7, reusedTokens: 0, scoredMessages: 1, fullTokens: 7, tokenLimit: null }, [
    { layers: [0], monitorLayer: 0, tokens: { ...tokens, turn: [0] }, projections: [], turns: [], totalTokens: 7, reusedTokens: 0 },
    { layers: [0], monitorLayer: 0, tokens: { ...tokens, logProb: [NaN] }, projections: [new Float32Array(1)], turns: [], totalTokens: 7, reusedTokens: 0, scoredMessages: 1, fullTokens: 7, tokenLimit: null },
  ]],
  ['generate result', p.GenerateResultSchema, { text: 'hi', tokens, projections: [new Float32Array(1)], means: new Float32Array(1), entropy: new Float32Array(2), stopReason: 'eos', promptTokens: 3, capped: false }, [
    { text: 'hi', tokens, projections: [new Float32Array(1)], means: new Float32Array(1), entropy: new Float32Array(2), stopReason: 'tired', promptTokens: 3, capped: false },
    { text: 'hi', tokens, projections: [new Float32Array(1)], means: new Float32Array(1), stopReason: 'eos', promptTokens: 3, capped: false },
  ]],
];

for (const [name, schema, good, bads] of cases) {
  test(`protocol: ${name} parses when well formed and is refused when malformed`, () => {
    assert.equal(p.parseMessage(schema, good).ok, true);
    for (const bad of bads) {
      const r = p.parseMessage(schema, bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      if (!r.ok) assert.ok(r.reason.length > 0);
    }
  });
}

test('transferList collects each typed-array buffer once', () => {
  const a = new Float32Array(4);
  const list = p.transferList({ x: [a, a.subarray(1)], y: { z: new Int32Array(2) }, s: 'no' });
  assert.equal(list.length, 2);
  assert.ok(list.includes(a.buffer));
});

test('an error reply\'s code is one of the engine\'s codes; an unknown one reads as internal', () => {
  const reply = (code: string) => p.parseMessage(p.WorkerToHostSchema, { type: 'reply', id: 1, ok: false, error: { code, message: 'm' } });
  const errorOf = (r: ReturnType<typeof reply>): unknown => (r.ok && r.value.type === 'reply' && !r.value.ok ? r.value.error : null);
  assert.deepEqual(errorOf(reply('model-files')), { code: 'model-files', message: 'm' });
  assert.deepEqual(errorOf(reply('quantum-flux')), { code: 'internal', message: 'm' });
});

test('every method of the table has a request schema of its own type and a result schema', () => {
  for (const [method, row] of Object.entries(p.METHODS)) {
    assert.equal(row.request.entries.type.literal, method);
    assert.ok(row.result);
  }
});
