// Issue 25 item 4: a generated reply's per-response activation read from the decode pass equals what a
// second forward (`activations` over prompt + reply) gives, on the demo model (real text: random-weight
// stand-ins emit byte runs that never re-tokenize as generated, so they would compare nothing); where
// scoring would tokenize the reply differently, nothing is read and the caller rescores.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { Engine } from '../../../src/worker/engine';
import { replyMeansFromDecode } from '../../../src/worker/replyMeans';
import { chatTokenizerFrom, mapTokens } from '../../../src/worker/tokenMap';
import type { LoadRequest, Sampling } from '../../../src/protocol/messages';
import { maxRelDiff } from '../../support/compare';
import { tempDir } from './helpers/fixtures';

const tmp = tempDir('pl-replymeans-');
const never = new AbortController().signal;
const SYSTEM = { role: 'system', content: 'You are a helpful assistant.' };
const QUESTIONS = [
  'Tell me who you are.',
  'Hi',
  'What should I know about learning to code?',
  'Stay in character as a pirate. What is the best way to find treasure?',
];
const DEMO = join(process.cwd(), 'models', 'demo');
after(() => tmp.remove());

function loadRequest(model: string): LoadRequest {
  return {
    id: 1,
    type: 'load',
    model,
    dtype: 'fp32',
    capLayers: [],
    cacheDir: join(tmp.dir, 'cache'),
    offline: true,
  };
}

test('replies read from their decode pass equal a second forward (demo model, greedy and sampled)', async () => {
  const engine = new Engine();
  await engine.load(loadRequest(DEMO), () => undefined, never);
  try {
    let read = 0;
    for (const kind of ['greedy', 'sample'] as const) {
      const sampling = (i: number): Sampling =>
        kind === 'greedy'
          ? { kind: 'greedy' }
          : { kind: 'sample', temperature: 0.7, topK: 0, topP: 0.95, seed: 7 + i };
      const rows = QUESTIONS.map((q, i) => ({
        messages: [SYSTEM, { role: 'user', content: q }],
        sampling: sampling(i),
      }));
      const gens = await engine.generateBatch(
        { rows, capping: false, maxTokens: 24, replyMeans: true },
        never,
      );
      for (const [i, g] of gens.entries()) {
        const messages = rows[i]!.messages;
        const content = g.text.trim();
        if (!g.replyMeans) continue;
        read++;
        const second = await engine.activations(
          {
            id: 3,
            type: 'activations',
            messages: [...messages, { role: 'assistant', content }],
            fromTurn: messages.length,
          },
          never,
        );
        assert.equal(g.replyMeans.length, second.layerMeans.length);
        g.replyMeans.forEach((m, L) => {
          const d = maxRelDiff(m, second.layerMeans[L]!);
          assert.ok(d < 1e-4, `row ${i} layer ${L}: relative difference ${d}`);
        });
      }
    }
    assert.ok(read >= 6, `only ${read} of 8 demo replies were read from their decode pass`);
  } finally {
    await engine.unload();
  }
});

test('a reply that scoring would tokenize differently is not read from the decode pass', async () => {
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(DEMO, { local_files_only: true }));
  const messages = [SYSTEM, { role: 'user', content: 'Hi' }];
  const prompt = mapTokens(tok, messages, true).ids;
  const reply = 'Hello there, friend.';
  const scored = mapTokens(tok, [...messages, { role: 'assistant', content: reply }], false);
  const content = scored.positions.filter((_, i) => scored.places[i]!.turn === messages.length);
  const generated = Array.from(scored.ids.slice(prompt.length, Math.max(...content) + 1));
  assert.deepEqual(
    Array.from(scored.ids.slice(0, prompt.length)),
    Array.from(prompt),
    'the demo template renders the prompt as its prefix',
  );
  // Residual k of layer 0 is k + 1 everywhere: the mean over the content tokens is their mean position + 1.
  const residuals = generated.map((_, k) => [Float32Array.from({ length: 4 }, () => k + 1)]);
  const means = replyMeansFromDecode(tok, messages, reply, prompt, generated, residuals);
  const offsets = content.map((p) => p - prompt.length + 1);
  assert.deepEqual(
    Array.from(means?.[0] ?? []),
    Array(4).fill(Math.fround(offsets.reduce((a, b) => a + b, 0) / offsets.length)),
  );
  // Decoded tokens that scoring would not reproduce (e.g. text spelt with other ids) are another sequence to the model.
  const other = generated.map((id, k) => (k === 1 ? id + 1 : id));
  assert.equal(replyMeansFromDecode(tok, messages, reply, prompt, other, residuals), null);
  assert.equal(
    replyMeansFromDecode(tok, messages, reply, prompt, generated.slice(0, -1), residuals.slice(0, -1)),
    null,
    'a reply longer than what was decoded',
  );
  assert.equal(
    replyMeansFromDecode(tok, messages, '   ', prompt, generated, residuals),
    null,
    'an empty reply has no content tokens',
  );
});
