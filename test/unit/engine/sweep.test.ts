// The capping sweep's cell cache on the demo model: a second sweep under the same model, context and
// decoding takes every cell from the cache with the same replies; a change of decoding or of the floor
// grid generates what is new, and only that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/formats';
import { sweepPlan } from '../../../src/core/interventions/sweepPlan';
import { EngineClient } from '../../../src/engine/client';
import { openSession } from '../../../src/engine/session';
import { sweepLayers, sweepTurn, type SweepCellReply } from '../../../src/engine/sweep';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');

test('a sweep run again takes its cells from the cache; new decoding or floors generate only what is new', async () => {
  const t = tempDir('pl-sweep-cache-');
  const client = new EngineClient(await buildWorkerScript(join(t.dir, 'worker')));
  try {
    const conversation = parse(readFileSync(SAMPLE, 'utf8'), SAMPLE).conversations[0];
    assert.ok(conversation);
    const last = conversation.turns.length - 1;
    const base = { packageRoot: process.cwd(), cacheDir: join(t.dir, 'cache'), model: 'demo', dtype: 'auto', offline: true };
    const first = await openSession(client, base);
    const plan = sweepPlan(first.axis, { percentiles: [25], bands: ['axis', 'all'], population: first.spec.population });
    const session = await openSession(client, { ...base, choices: { capLayers: sweepLayers(plan) } });
    const store = new Map<string, SweepCellReply>();
    const cache = { get: (k: string) => store.get(k), set: (k: string, r: SweepCellReply) => void store.set(k, r) };
    const sampling = { kind: 'sample', temperature: 0.8, topK: 0, topP: 0.95, seed: 3 } as const;
    const run = async (o: { maxTokens: number; percentiles?: number[] }) => {
      const p = o.percentiles ? sweepPlan(session.axis, { percentiles: o.percentiles, bands: ['axis', 'all'], population: session.spec.population }) : plan;
      const cached: boolean[] = [];
      const streamed: string[] = [];
      const r = await sweepTurn(client, session, conversation, last, p, {
        sampling,
        maxTokens: o.maxTokens,
        cache,
        onToken: (i, t) => (streamed[i] = (streamed[i] ?? '') + t.text),
        onCellDone: (i, _reply, hit) => (cached[i] = hit),
      });
      return { r, cached, streamed };
    };

    const a = await run({ maxTokens: 24 });
    assert.deepEqual(a.cached, [false, false, false]);
    assert.equal(store.size, 3);
    for (const c of a.r.cells) assert.ok(Array.isArray(c.problems));
    assert.notEqual(a.r.cells[2]?.text, a.r.cells[0]?.text, 'capping every layer changes the drifted reply');
    // The cells decode in one batch, each under its own floors: every reply is the one a re-run with
    // those floors alone gives, and its tokens streamed to its own cell.
    const prefix = conversation.turns.slice(0, last).map((t) => ({ role: t.role, content: t.text }));
    if (conversation.system) prefix.unshift({ role: 'system', content: conversation.system.text });
    for (const [k, c] of a.r.cells.entries()) {
      const axis = c.band === null ? session.spec : { ...session.spec, capLayers: [...c.layers], taus: Float32Array.from(c.taus) };
      const single = await client.generate(prefix, { axis, capping: c.band !== null, maxTokens: 24, sampling });
      assert.equal(c.text, single.text, `cell ${k}`);
      assert.equal(a.streamed[k]?.trim(), c.text.trim(), `cell ${k} streamed`);
    }

    const b = await run({ maxTokens: 24 });
    assert.deepEqual(b.cached, [true, true, true]);
    assert.deepEqual(b.r.cells.map((c) => [c.text, c.value]), a.r.cells.map((c) => [c.text, c.value]));

    const c = await run({ maxTokens: 16 });
    assert.deepEqual(c.cached, [false, false, false], 'another token limit is another reply');

    const d = await run({ maxTokens: 24, percentiles: [5, 25] });
    // Cells: uncapped, axis p5, axis p25, all p5, all p25; the p25 cells and the uncapped reply are known.
    assert.deepEqual(d.cached, [true, false, true, false, true]);
  } finally {
    await client.dispose();
    t.remove();
  }
});
