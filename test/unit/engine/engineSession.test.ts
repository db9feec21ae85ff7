// One engine session with its own lifetime (src/engine/engineSession.ts), with the real worker and
// the demo model: callers share one load but not its cancellation, load progress reaches whoever
// waits, a crash is a phase until the next request succeeds, and dispose aborts a running load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EngineClient } from '../../../src/engine/client';
import { EngineSession, type SessionPhase } from '../../../src/engine/engineSession';
import { scoreConversation } from '../../../src/engine/session';
import { CancelledError } from '../../../src/protocol/errors';
import { parse } from '../../../src/core/formats';
import { readFileSync } from 'node:fs';
import { crashWorker } from '../../support/workerHooks';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

const tmp = tempDir('pl-engine-session-');
let workerPath: string;
const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');

before(async () => {
  workerPath = await buildWorkerScript(join(tmp.dir, 'worker'));
});
after(() => tmp.remove());

function newSession(phases: SessionPhase['kind'][] = []): EngineSession {
  let s: EngineSession | null = null;
  const client = new EngineClient(workerPath, { onCrash: (m) => s?.crashed(m) });
  s = new EngineSession(client, { packageRoot: process.cwd(), cacheDir: join(tmp.dir, 'cache'), model: 'demo', dtype: 'auto', offline: true }, (p) => phases.push(p.kind));
  return s;
}

test('cancelling one caller\'s wait leaves the shared load running for the others', async () => {
  const phases: SessionPhase['kind'][] = [];
  const s = newSession(phases);
  try {
    const first = new AbortController();
    const seen: string[] = [];
    const a = s.open(first.signal, (p) => seen.push(`a:${p.phase}`));
    const b = s.open(undefined, (p) => seen.push(`b:${p.phase}`));
    first.abort();
    await assert.rejects(a, (e) => e instanceof CancelledError);
    const session = await b;
    assert.equal(session.ref.label, 'demo');
    assert.ok(seen.some((x) => x.startsWith('b:')), 'the remaining caller hears load progress');
    assert.deepEqual([phases[0], phases.at(-1)], ['loading', 'ready']);
    // The session is usable: a conversation scores on it.
    const conversation = parse(readFileSync(SAMPLE, 'utf8'), SAMPLE).conversations[0];
    assert.ok(conversation);
    const scores = await scoreConversation(s.client, session, conversation);
    assert.ok(scores.turns.some((t) => 'value' in t && Number.isFinite(t.value)));
    // A later caller gets the same session at once, without another load.
    assert.equal(await s.open(), session);
    assert.equal(phases.filter((p) => p === 'loading').length >= 1, true);
  } finally {
    await s.dispose();
  }
});

test('a worker crash is a phase of the session until a request succeeds again', async () => {
  const phases: SessionPhase['kind'][] = [];
  const s = newSession(phases);
  try {
    await s.open();
    crashWorker(s.client);
    for (let i = 0; i < 500 && s.phase.kind !== 'crashed'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.phase.kind, 'crashed');
    const session = await s.open();
    const conversation = parse(readFileSync(SAMPLE, 'utf8'), SAMPLE).conversations[0];
    assert.ok(conversation);
    await scoreConversation(s.client, session, conversation);
    s.recovered();
    assert.equal(s.phase.kind, 'ready');
  } finally {
    await s.dispose();
  }
});

test('dispose aborts a running load: its waiters end with a cancellation, and the session opens no more', async () => {
  const s = newSession();
  const waiting = s.open();
  await s.dispose();
  await assert.rejects(waiting, (e) => e instanceof Error && /cancel|abort|disposed/i.test(`${e.name} ${e.message}`));
  assert.equal(s.phase.kind, 'disposed');
  await assert.rejects(s.open(), /closed/);
});

test('when the last waiting caller cancels, the load stops; the next caller starts it again', async () => {
  const phases: SessionPhase['kind'][] = [];
  const s = newSession(phases);
  try {
    const only = new AbortController();
    const waiting = s.open(only.signal);
    only.abort();
    await assert.rejects(waiting, (e) => e instanceof CancelledError);
    for (let i = 0; i < 500 && s.phase.kind === 'loading'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.phase.kind, 'new', `phases: ${phases.join(' ')}`);
    const session = await s.open();
    assert.equal(session.ref.label, 'demo');
    assert.equal(s.phase.kind, 'ready');
  } finally {
    await s.dispose();
  }
});

test('a caller arriving right after the last waiter cancelled gets a fresh load, not the aborted one', async () => {
  // An edit during the first load does this: it cancels the analysis (the only waiter), and the
  // debounced re-analysis can start before the worker has acknowledged the cancel; it used to get
  // the aborted load's CancelledError, which the Analyzer's callers drop silently.
  const s = newSession();
  try {
    const only = new AbortController();
    const waiting = s.open(only.signal);
    only.abort();
    await assert.rejects(waiting, (e) => e instanceof CancelledError);
    const session = await s.open();
    assert.equal(session.ref.label, 'demo');
    assert.equal(s.phase.kind, 'ready');
  } finally {
    await s.dispose();
  }
});
