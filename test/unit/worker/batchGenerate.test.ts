import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Engine } from '../../../src/worker/engine';
import type { LoadRequest, Sampling } from '../../../src/protocol/messages';
import { writeTinyModel, type TinyModelInfo } from '../../support/tinyModels';
import { randomAxis, tempDir } from './helpers/fixtures';

const tmp = tempDir('pl-batch-');
const never = new AbortController().signal;
const SYSTEM = { role: 'system', content: 'You are a helpful assistant.' };
// Prompts of different lengths, so the stacked caches have gaps of different widths.
const QUESTIONS = ['Tell me who you are.', 'Hi', 'What is the capital of France, and why is it that one?', 'Count to three please.'];
const models: Record<string, TinyModelInfo> = {};

function loadRequest(model: string): LoadRequest {
  return { id: 1, type: 'load', model, dtype: 'fp32', capLayers: [1], cacheDir: join(tmp.dir, 'cache'), offline: true };
}

before(async () => {
  models['genai'] = await writeTinyModel(join(tmp.dir, 'genai'), { numLayers: 3, hiddenSize: 32, seed: 31 });
  models['demo'] = { dir: join(process.cwd(), 'models', 'demo') } as TinyModelInfo;
  models['optimum'] = await writeTinyModel(join(tmp.dir, 'optimum'), { layout: 'optimum', numLayers: 3, hiddenSize: 32, seed: 32 });
});
after(() => tmp.remove());

for (const layout of ['genai', 'optimum', 'demo']) {
  for (const kind of ['greedy', 'sample'] as const) {
    test(`batched generation gives each row the tokens of single-stream generation (${layout}, ${kind})`, async () => {
      const engine = new Engine();
      await engine.load(loadRequest((models[layout] as TinyModelInfo).dir), () => undefined, never);
      const sampling = (i: number): Sampling => (kind === 'greedy' ? { kind: 'greedy' } : { kind: 'sample', temperature: 0.9, topK: 0, topP: 0.95, seed: 100 + i });
      const rows = QUESTIONS.map((q, i) => ({ messages: [SYSTEM, { role: 'user', content: q }], sampling: sampling(i) }));
      let compared = 0;
      const batched = await engine.generateBatch({ rows, capping: false, maxTokens: 12 }, never);
      for (const [i, r] of rows.entries()) {
        const single = await engine.generate({ id: 2, type: 'generate', messages: r.messages, capping: false, maxTokens: 12, sampling: r.sampling }, () => undefined, never);
        const b = batched[i]!;
        assert.deepEqual([...b.tokens.tokenId], [...single.tokens.tokenId], `row ${i} tokens`);
        assert.equal(b.text, single.text);
        assert.equal(b.stopReason, single.stopReason);
        compared += single.tokens.tokenId.length;
      }
      assert.ok(compared >= 12, `only ${compared} tokens compared`);
      await engine.unload();
    });
  }
}

// A capping sweep decodes its cells together: each row under its own floors (and one without any).
for (const layout of ['genai', 'optimum', 'demo']) {
  for (const kind of ['greedy', 'sample'] as const) {
    test(`per-row floors: each row decodes as single-stream generation under its own floors, streamed by row (${layout}, ${kind})`, async () => {
      const engine = new Engine();
      const info = await engine.load({ ...loadRequest((models[layout] as TinyModelInfo).dir), capLayers: [0, 1] }, () => undefined, never);
      const axis = randomAxis(info.numLayers, info.hiddenSize, [0, 1], 7);
      const messages = [SYSTEM, { role: 'user', content: QUESTIONS[0] as string }];
      const sampling: Sampling = kind === 'greedy' ? { kind: 'greedy' } : { kind: 'sample', temperature: 0.9, topK: 0, topP: 0.95, seed: 5 };
      const free = await engine.generate({ id: 2, type: 'generate', messages, axis, capping: false, maxTokens: 12, sampling }, () => undefined, never);
      // Floors well above every uncapped projection, so they change the reply (the demo model shrugs off small pushes).
      const floorAt = (L: number): number => {
        const p = free.projections[L]!;
        return Math.max(...p) + 2 * (Math.max(...p) - Math.min(...p)) + 1;
      };
      const [t0, t1] = [floorAt(0), floorAt(1)];
      const floors = [undefined, { layers: [1], taus: [t1] }, { layers: [0, 1], taus: [t0, t1] }, { layers: [0], taus: [t0 - 0.25] }];
      const streamed = floors.map(() => '');
      const batched = await engine.generateBatch(
        { rows: floors.map((f) => ({ messages, sampling, ...(f ? { floors: f } : {}) })), axis, capping: false, maxTokens: 12 },
        never,
        (t) => (streamed[t.row] += t.text),
      );
      const texts = new Set<string>();
      for (const [i, f] of floors.entries()) {
        const own = f ? { ...axis, capLayers: f.layers, taus: Float32Array.from(f.taus) } : axis;
        const single = await engine.generate({ id: 3, type: 'generate', messages, axis: own, capping: f !== undefined, maxTokens: 12, sampling }, () => undefined, never);
        const b = batched[i]!;
        assert.deepEqual([...b.tokens.tokenId], [...single.tokens.tokenId], `row ${i} tokens`);
        assert.equal(b.text, single.text);
        assert.equal(b.capped, f !== undefined);
        assert.equal(streamed[i], b.tokens.text.join(''), `row ${i}: the streamed pieces are the reply's`);
        for (const [j, L] of (f?.layers ?? []).entries()) {
          for (const x of b.projections[L]!) assert.ok(x >= f!.taus[j]! - 1e-3, `row ${i} layer ${L}: ${x} < ${f!.taus[j]}`);
        }
        texts.add(b.text);
      }
      assert.ok(texts.size >= 2, 'the floors changed no reply');
      await engine.unload();
    });
  }
}
