// Re-run with capping on the committed demo model: the same seed gives the same reply, capping
// changes the drifted reply and pulls its value up, and non-assistant turns are refused clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/formats';
import { EngineClient } from '../../../src/engine/client';
import { rerunTurn, RerunError } from '../../../src/engine/rerun';
import { openSession, scoreConversation } from '../../../src/engine/session';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');

test('a capped re-run of a drifted demo turn keeps every cap layer at its floor and differs from the uncapped one', async () => {
  const t = tempDir('pl-rerun-');
  const client = new EngineClient(await buildWorkerScript(join(t.dir, 'worker')));
  try {
    const session = await openSession(client, {
      packageRoot: process.cwd(),
      cacheDir: join(t.dir, 'cache'),
      model: 'demo',
      dtype: 'auto',
      offline: true,
    });
    const conversation = parse(readFileSync(SAMPLE, 'utf8'), SAMPLE).conversations[0];
    assert.ok(conversation);
    const last = conversation.turns.length - 1;
    assert.equal(conversation.turns[last]?.role, 'assistant');
    const streamed: Record<string, string> = { uncapped: '', capped: '' };
    // Lowest streamed projection per cap layer and variant: the generation-time residual, after any cap.
    const lowest: Record<string, number[]> = { uncapped: [], capped: [] };
    const options = {
      sampling: { kind: 'sample', temperature: 0.8, topK: 0, topP: 0.95, seed: 7 },
      maxTokens: 80,
    } as const;
    const r = await rerunTurn(client, session, conversation, last, {
      ...options,
      onToken: (v, tok) => {
        streamed[v] += tok.text;
        session.spec.capLayers.forEach((l, i) => {
          const low = lowest[v] as number[];
          low[i] = Math.min(low[i] ?? Infinity, tok.projections[l] as number);
        });
      },
    });

    // The original reply's value is the same measurement the editor shows for that turn.
    const scores = await scoreConversation(client, session, conversation);
    const shown = scores.turns.find((s) => s.turn === last);
    assert.ok(
      shown && Math.abs(shown.value - r.original.value) < 1e-4,
      `${shown?.value} vs ${r.original.value}`,
    );
    assert.equal(r.original.tokens.map((x) => x.text).join(''), conversation.turns[last]?.text);

    const [uncapped, capped] = r.replies;
    assert.ok(uncapped && capped);
    assert.equal(uncapped.variant, 'uncapped');
    assert.equal(streamed['uncapped'], uncapped.text);
    assert.equal(streamed['capped'], capped.text);
    assert.ok(uncapped.text.length > 0 && capped.text.length > 0);
    assert.notEqual(capped.text, uncapped.text, 'capping changed nothing');
    // The cap's contract at each cap layer: uncapped, the drifted reply dips below the floor;
    // capped, no generated token's residual does (design.md: h += (tau - <h,v>) v when below tau).
    session.spec.capLayers.forEach((l, i) => {
      const tau = session.spec.taus[i] as number;
      assert.ok((lowest['uncapped']?.[i] ?? Infinity) < tau, `layer ${l}: the uncapped reply never went below tau ${tau}`);
      assert.ok((lowest['capped']?.[i] ?? -Infinity) >= tau - 1e-3, `layer ${l}: capped ${lowest['capped']?.[i]} < tau ${tau}`);
    });
    assert.ok(Number.isFinite(capped.value) && Number.isFinite(uncapped.value));
    assert.deepEqual(r.settings.capLayers, session.spec.capLayers);

    const again = await rerunTurn(client, session, conversation, last, { ...options, variants: ['capped'] });
    assert.equal(again.replies[0]?.text, capped.text, 'same seed, different capped reply');

    const user = conversation.turns.findIndex((x) => x.role === 'user');
    await assert.rejects(
      rerunTurn(client, session, conversation, user, options),
      (e: unknown) => e instanceof RerunError && /user turn/.test(e.message),
    );
  } finally {
    await client.dispose();
    t.remove();
  }
});
