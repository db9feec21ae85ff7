import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { EngineClient, type LogLevel } from '../../../src/engine/client';
import { CancelledError, EngineError, WorkerCrashedError } from '../../../src/protocol/errors';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { crashWorker, postRaw } from '../../support/workerHooks';
import { buildWorkerScript, randomAxis, tempDir, transcript } from '../worker/helpers/fixtures';

const tmp = tempDir('pl-client-');
let workerPath: string;
let info: TinyModelInfo;
const CAP = [1];

before(async () => {
  workerPath = await buildWorkerScript(join(tmp.dir, 'worker'));
  info = await writeTinyModel(join(tmp.dir, 'model'), { numLayers: 2, hiddenSize: 32, seed: 31, maxPositions: 4096 });
});
after(() => tmp.remove());

function logger(): { lines: { level: LogLevel; message: string }[]; log: (level: LogLevel, message: string) => void } {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, log: (level, message) => lines.push({ level, message }) };
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('client: ready, load with progress, score and generate through the worker thread', async () => {
  const client = new EngineClient(workerPath);
  try {
    await client.start();
    const phases: string[] = [];
    const model = await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true }, (p) => phases.push(p.phase));
    assert.deepEqual(phases, ['check', 'instrument', 'session']);
    assert.equal(model.numLayers, 2);
    const axis = randomAxis(2, 32, CAP);
    const messages = transcript('writing.json', 4, 100);
    const r = await client.score(messages, { axis });
    assert.ok(r.projections[0] instanceof Float32Array);
    assert.equal(r.projections.length, 2);
    assert.equal(r.turns.length, 4);
    assert.ok(r.turns.every((t) => t.means.length === 2 && Number.isFinite(t.means[0])));
    const tokens: number[] = [];
    const g = await client.generate(messages.slice(0, 3), { axis, capping: false, maxTokens: 5, sampling: { kind: 'greedy' } }, (t) => tokens.push(t.tokenId));
    assert.deepEqual(tokens, Array.from(g.tokens.tokenId));
    assert.ok(g.projections.every((p) => p.length === tokens.length));
    const act = await client.activations([...messages.slice(0, 3), { role: 'assistant', content: g.text }], 3);
    assert.equal(act.layerMeans.length, 2);
    assert.ok(act.layerMeans.every((m) => m instanceof Float32Array && m.length === 32));
  } finally {
    await client.dispose();
  }
});

test('client: the thread count reaches onnxruntime (its intra-op pool); the default is every CPU the process may use', async () => {
  const client = new EngineClient(workerPath);
  // onnxruntime's intra-op pool runs N - 1 threads beside the caller's: counted in /proc on Linux.
  const osThreads = (): number => readdirSync('/proc/self/task').length;
  try {
    await client.start();
    const one = await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true, threads: 1 });
    assert.equal(one.threads, 1);
    const withOne = process.platform === 'linux' ? osThreads() : 0;
    const four = await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true, threads: 4 });
    assert.equal(four.threads, 4);
    if (process.platform === 'linux') assert.ok(osThreads() - withOne >= 3, `${osThreads() - withOne} more OS threads with 4 intra-op threads than with 1`);
    const byDefault = await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true });
    assert.equal(byDefault.threads, availableParallelism());
  } finally {
    await client.dispose();
  }
});

test('client: load errors arrive with their code; a bad axis is a bad request', async () => {
  const client = new EngineClient(workerPath);
  try {
    await assert.rejects(client.load(join(tmp.dir, 'nope'), { cacheDir: join(tmp.dir, 'cache'), offline: true }), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.code, 'model-files');
      assert.match(e.message, /nope: model folder does not exist/);
      return true;
    });
    await assert.rejects(client.score([{ role: 'user', content: 'hi' }], { axis: randomAxis(2, 32, CAP) }), /no model is loaded/);
    await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true });
    await assert.rejects(client.score([{ role: 'user', content: 'hi' }], { axis: randomAxis(3, 32, CAP) }), (e: unknown) => {
      assert.ok(e instanceof EngineError && e.code === 'bad-request');
      assert.match(e.message, /3 layer vectors, model has 2/);
      return true;
    });
    await assert.rejects(client.score([{ role: 'user', content: 'hi' }], { axis: randomAxis(2, 32, [0]), capping: true }), /no capping node/);
  } finally {
    await client.dispose();
  }
});

test('client: an AbortSignal cancels a running generate and a queued score; the worker keeps serving', async () => {
  const client = new EngineClient(workerPath);
  try {
    await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true });
    const axis = randomAxis(2, 32, CAP);
    const ac = new AbortController();
    const queued = new AbortController();
    let seen = 0;
    const running = client.generate([{ role: 'user', content: 'Go on.' }], { axis, capping: false, maxTokens: 3000, sampling: { kind: 'greedy' } }, () => {
      seen++;
      // The score below is queued in the worker behind this generate by now.
      if (seen === 1) queued.abort();
      if (seen === 3) ac.abort();
    }, ac.signal);
    const waiting = client.score(transcript('coding.json', 2, 50), { axis }, queued.signal);
    await Promise.all([assert.rejects(running, CancelledError), assert.rejects(waiting, CancelledError)]);
    assert.ok(seen >= 3 && seen < 100, `cancelled after ${seen} tokens`);
    const already = new AbortController();
    already.abort();
    await assert.rejects(client.score([{ role: 'user', content: 'x' }], { axis }, already.signal), CancelledError);
    const after = await client.score(transcript('coding.json', 2, 50), { axis });
    assert.equal(after.turns.length, 2);
  } finally {
    await client.dispose();
  }
});

test('client: a crash rejects pending requests promptly, the next request restarts and reloads; restarts are limited', async () => {
  const { lines, log } = logger();
  const client = new EngineClient(workerPath, { log, maxRestartsPerMinute: 2 });
  try {
    await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true });
    const axis = randomAxis(2, 32, CAP);
    const firstThread = client.threadId;
    const pending = client.generate([{ role: 'user', content: 'Go on.' }], { axis, capping: false, maxTokens: 3000, sampling: { kind: 'greedy' } });
    crashWorker(client);
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof WorkerCrashedError);
      assert.match(e.message, /during generate request \d+ \(model: .*model\)/);
      return true;
    });
    assert.ok(lines.some((l) => l.level === 'error' && /crash requested/.test(l.message)));
    // The next request starts a new worker and reloads the model before scoring.
    const r = await client.score([{ role: 'user', content: 'hello' }], { axis });
    assert.equal(r.turns.length, 1);
    assert.notEqual(client.threadId, firstThread);
    crashWorker(client);
    await waitFor(() => client.threadId === null, 'the second crash');
    await client.score([{ role: 'user', content: 'hello' }], { axis });
    crashWorker(client);
    await waitFor(() => client.threadId === null, 'the third crash');
    await assert.rejects(client.score([{ role: 'user', content: 'hello' }], { axis }), /restarted 2 times in the last minute/);
    client.resetRestartLimit();
    assert.equal((await client.score([{ role: 'user', content: 'hello' }], { axis })).turns.length, 1);
  } finally {
    await client.dispose();
  }
});

test('client: start rejects when the worker exits before ready', async () => {
  const client = new EngineClient(join(tmp.dir, 'missing-worker.js'));
  await assert.rejects(client.start(), WorkerCrashedError);
  await client.dispose();
});

test('worker: malformed messages are logged and dropped, and the worker keeps working', async () => {
  const { lines, log } = logger();
  const client = new EngineClient(workerPath, { log });
  try {
    await client.load(info.dir, { cacheDir: join(tmp.dir, 'cache'), capLayers: CAP, offline: true });
    postRaw(client, { type: 'score', id: 'seven' });
    postRaw(client, { type: 'launchMissiles', id: 3 });
    postRaw(client, 'not an object');
    postRaw(client, { type: 'generate', id: 4, messages: [], axis: {}, capping: 'yes', maxTokens: 0, sampling: { kind: 'greedy' } });
    await waitFor(() => lines.filter((l) => /dropped a malformed message/.test(l.message)).length === 4, 'four dropped-message logs');
    const r = await client.score([{ role: 'user', content: 'still here' }], { axis: randomAxis(2, 32, CAP) });
    assert.equal(r.turns.length, 1);
  } finally {
    await client.dispose();
  }
});
