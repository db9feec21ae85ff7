// The stress-test runner on the committed demo model: replies are seeded (same seed, same texts),
// every value is the editor's reading of the probe conversation, progress counts to the end with
// an ETA, a repeated test is read from the cache, a cancelled one resumes from it, and a
// comparison of a prompt with itself never parts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { selectProbes, parseProbeSet, type ProbeRun, type ProbeSet } from '../../../src/core/probes';
import probesJson from '../../../src/core/probes/probes.json';
import { EngineClient } from '../../../src/engine/client';
import { CancelledError } from '../../../src/protocol/errors';
import { compareStress, stressTest, type ProbeProgress } from '../../../src/engine/probe';
import { openSession, scoreConversation, type OpenSession } from '../../../src/engine/session';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

const PROMPT = 'You are a helpful assistant.';
let t: { dir: string; remove: () => void };
let client: EngineClient;
let session: OpenSession;

/** Two probes of two replies each: enough to see progress, caching and resuming, short enough to run often. */
const file = parseProbeSet(probesJson);
const SMALL: ProbeSet = {
  ...selectProbes(file, 'quick'),
  probes: selectProbes(file, 'quick')
    .probes.slice(0, 2)
    .map((p) => ({ ...p, turns: p.turns.slice(0, 2) })),
};

before(async () => {
  t = tempDir('pl-probe-');
  client = new EngineClient(await buildWorkerScript(join(t.dir, 'worker')));
  session = await openSession(client, {
    packageRoot: process.cwd(),
    cacheDir: join(t.dir, 'cache'),
    model: 'demo',
    dtype: 'auto',
    offline: true,
  });
});
after(async () => {
  await client?.dispose();
  t?.remove();
});

const texts = (runs: readonly ProbeRun[]): string[] => runs.flatMap((r) => r.replies.map((x) => x.text));

test('seeded: the same seed gives the same replies, another seed others; every value is the editor reading of the probe conversation', async () => {
  const a = await stressTest(client, session, PROMPT, {
    probeSet: SMALL,
    seed: 7,
    cacheDir: null,
    maxTokens: 60,
  });
  const b = await stressTest(client, session, PROMPT, {
    probeSet: SMALL,
    seed: 7,
    cacheDir: null,
    maxTokens: 60,
  });
  const c = await stressTest(client, session, PROMPT, {
    probeSet: SMALL,
    seed: 8,
    cacheDir: null,
    maxTokens: 60,
  });
  assert.deepEqual(texts(b.runs), texts(a.runs));
  assert.notDeepEqual(texts(c.runs), texts(a.runs));
  const run = a.runs[0] as ProbeRun;
  assert.equal(run.replies.length, 2);
  assert.ok(run.replies.every((r) => r.text.length > 0 && r.value !== null && r.zone !== null));
  // Scoring the finished conversation from scratch, as the editor would, gives the same readings.
  const conversation = {
    system: { role: 'system' as const, text: PROMPT, range: { start: 0, end: 0 } },
    turns: run.replies.flatMap((r) => [
      { role: 'user' as const, text: r.user, range: { start: 0, end: 0 } },
      { role: 'assistant' as const, text: r.text, range: { start: 0, end: 0 } },
    ]),
    metadata: {},
  };
  const fresh = await scoreConversation(client, session, conversation);
  for (const r of run.replies) {
    const turn = fresh.turns.find((x) => x.turn === r.turn);
    assert.ok(
      turn && Math.abs(turn.value - (r.value as number)) < 1e-4,
      `reply ${r.reply}: ${turn?.value} vs ${r.value}`,
    );
    assert.equal(turn.zone, r.zone);
  }
  assert.equal(a.settings.seed, 7);
  assert.equal(a.settings.probeSet.hash, SMALL.hash);
});

test('progress counts every reply with an ETA; a repeated test comes from the cache; a cancelled one resumes where it stopped', async () => {
  const cacheDir = join(t.dir, 'results');
  const events: ProbeProgress[] = [];
  const first = await stressTest(client, session, PROMPT, {
    probeSet: SMALL,
    seed: 3,
    cacheDir,
    maxTokens: 60,
    onProgress: (p) => events.push(p),
  });
  assert.deepEqual(
    events.map((e) => e.done),
    [1, 2, 3, 4],
  );
  assert.ok(events.every((e) => e.total === 4 && !e.cached && e.etaMs !== null));
  assert.equal(events.at(-1)?.etaMs, 0);

  const again: ProbeProgress[] = [];
  const second = await stressTest(client, session, PROMPT, {
    probeSet: SMALL,
    seed: 3,
    cacheDir,
    maxTokens: 60,
    onProgress: (p) => again.push(p),
  });
  assert.ok(again.length === 2 && again.every((e) => e.cached), 'both probes read from the cache');
  assert.deepEqual(second.runs, first.runs);
  assert.equal(readdirSync(join(cacheDir, 'probes')).length, 1);

  // Another prompt is another cache entry; cancel it after its first probe, then resume.
  const other = 'You are a helpful, honest assistant. Answer clearly.';
  const abort = new AbortController();
  await assert.rejects(
    stressTest(
      client,
      session,
      other,
      { probeSet: SMALL, seed: 3, cacheDir, maxTokens: 60, onProbe: () => abort.abort() },
      abort.signal,
    ),
    (e: unknown) => e instanceof CancelledError,
  );
  const resumed: ProbeProgress[] = [];
  const finished = await stressTest(client, session, other, {
    probeSet: SMALL,
    seed: 3,
    cacheDir,
    maxTokens: 60,
    onProgress: (p) => resumed.push(p),
  });
  assert.deepEqual(
    resumed.map((e) => e.cached),
    [true, false, false],
  );
  const uncached = await stressTest(client, session, other, {
    probeSet: SMALL,
    seed: 3,
    cacheDir: null,
    maxTokens: 60,
  });
  assert.deepEqual(
    texts(finished.runs),
    texts(uncached.runs),
    'the resumed test equals one run without interruption',
  );
  assert.equal(readdirSync(join(cacheDir, 'probes')).length, 2);
});

test('compare: A and B run on the same probes and seeds; a prompt against itself never parts', async () => {
  const events: ProbeProgress[] = [];
  const c = await compareStress(client, session, PROMPT, PROMPT, 0.5, {
    probeSet: SMALL,
    seed: 5,
    cacheDir: null,
    maxTokens: 60,
    onProgress: (p) => events.push(p),
  });
  // No token stream: the probes of both prompts play in lockstep, each reply step one batch (probe 1 A, B, probe 2 A, B).
  assert.deepEqual(
    events.map((e) => `${e.label}${e.probe === SMALL.probes[0]?.id ? 1 : 2}.${e.reply}`),
    ['A1.1', 'B1.1', 'A2.1', 'B2.1', 'A1.2', 'B1.2', 'A2.2', 'B2.2'],
  );
  assert.equal(events.at(-1)?.done, 8);
  assert.deepEqual(texts(c.b.runs), texts(c.a.runs));
  assert.equal(c.meanDifference, 0);
  assert.equal(c.parted, 0);
  const pirate = await compareStress(
    client,
    session,
    PROMPT,
    'You are a swaggering pirate captain who talks of treasure, rum and the sea.',
    0.5,
    { probeSet: SMALL, seed: 5, cacheDir: null, maxTokens: 60 },
  );
  assert.ok((pirate.meanDifference as number) < -0.5, `pirate B - A ${pirate.meanDifference}`);
  assert.ok(pirate.pairs.every((p) => p.partsAtReply !== null));
});

test('played in lockstep batches or one probe at a time, a test gives the same runs and streams the same tokens', async () => {
  const o = { probeSet: SMALL, seed: 11, cacheDir: null, maxTokens: 60 };
  const order: string[] = [];
  const streamedBy = (into: Map<string, string>) => (_label: unknown, probe: string, reply: number, t: { text: string }) =>
    void into.set(`${probe}.${reply}`, (into.get(`${probe}.${reply}`) ?? '') + t.text);
  const batchedTokens = new Map<string, string>();
  const batched = await stressTest(client, session, PROMPT, {
    ...o,
    onProgress: (p) => order.push(`${p.probe === SMALL.probes[0]?.id ? 1 : 2}.${p.reply}`),
    onToken: streamedBy(batchedTokens),
  });
  assert.deepEqual(
    order,
    ['1.1', '2.1', '1.2', '2.2'],
    "lockstep: every probe's first reply, then every second one",
  );
  const singleTokens = new Map<string, string>();
  const single = await stressTest(client, session, PROMPT, { ...o, parallel: 1, onToken: streamedBy(singleTokens) });
  assert.ok(singleTokens.size === 4, 'every reply streamed one probe at a time');
  assert.deepEqual(batchedTokens, singleTokens, 'the batch streams each reply to its own probe, token for token');
  assert.deepEqual(texts(batched.runs), texts(single.runs));
  assert.deepEqual(
    batched.runs.flatMap((r) => r.replies.map((x) => [x.value, x.zone, x.stopReason, x.tokens])),
    single.runs.flatMap((r) => r.replies.map((x) => [x.value, x.zone, x.stopReason, x.tokens])),
  );
});
