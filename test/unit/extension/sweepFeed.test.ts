// The Sweep tab's side of a capping sweep (src/extension/sweepFeed.ts, no vscode): whole states, sent
// at once on start, plan and end and throttled while text streams; every state parses as the page
// parses it; a reload gets the last state; a superseded sweep falls silent; a cancel keeps finished cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SweepFeed } from '../../../src/extension/sweepFeed';
import type { SweepPlan } from '../../../src/core/interventions/sweepPlan';
import type { SweepCellReply } from '../../../src/engine/sweep';
import { parseToPanel, type SweepState, type ToPanelMessage } from '../../../webview/protocol';

const target = { uri: 'file:///t.json', conversation: 0, turn: 8 };
const decoding = { sampling: { kind: 'greedy' }, maxTokens: 32, population: 'response' } as const;
const plan: SweepPlan = {
  population: 'response',
  baselineKey: 'uncapped',
  cells: [
    { percentile: 5, band: 'axis', layers: [2, 3], taus: [1, 2], key: 'cap:response:p5:axis' },
    { percentile: 25, band: 'axis', layers: [2, 3], taus: [1.5, 2.5], key: 'cap:response:p25:axis' },
  ],
};

function reply(text: string, value: number, extra: Partial<SweepCellReply> = {}): SweepCellReply {
  return {
    text,
    value,
    zone: value > 1 ? 'assistant' : 'role',
    surprise: 1,
    outOfDomain: false,
    tokens: [],
    layerValues: [],
    stopReason: 'eos',
    generatedTokens: 4,
    percentile: null,
    band: null,
    layers: [],
    taus: [],
    problems: [],
    ...extra,
  };
}

function states(sent: ToPanelMessage[]): SweepState[] {
  return sent.map((m) => {
    assert.equal(m.type, 'sweepState');
    assert.deepEqual(parseToPanel(JSON.parse(JSON.stringify(m))), m, 'the page parses what the host sends');
    return m;
  });
}

test('a sweep: start, plan, streamed text batched, cells done, the end sent at once; a reload gets the last state', () => {
  const sent: ToPanelMessage[] = [];
  const f = new SweepFeed((m) => sent.push(m), 10_000);
  const view = f.begin(target, 'Arr, the sea!', decoding);
  assert.equal(states(sent).at(-1)?.cells.length, 0, 'the start goes out at once (the panel opens on it)');
  view.plan(plan);
  assert.deepEqual(states(sent).at(-1)?.cells.map((c) => [c.band, c.percentile, c.status]), [[null, null, 'pending'], ['axis', 5, 'pending'], ['axis', 25, 'pending']]);
  const before = sent.length;
  view.original(reply('Arr, the sea!', -0.2));
  view.cellDone(1, reply('Sure.', 1.6, { band: 'axis', percentile: 5 }), true);
  // The cells not in the cache decode together: their tokens arrive interleaved.
  view.cell(0);
  view.cell(2);
  view.tokens(0, 'Yo ');
  view.tokens(2, 'Su');
  view.tokens(0, 'ho');
  assert.equal(sent.length, before, 'streaming waits for the batch timer');
  const mid = f.replay()[0] as SweepState;
  assert.deepEqual(mid.cells.map((c) => [c.status, c.text]), [['running', 'Yo ho'], ['done', 'Sure.'], ['running', 'Su']]);
  view.cellDone(0, reply('Yo ho', -0.1, { problems: ['cut at the token limit'], stopReason: 'maxTokens' }), false);
  view.cellDone(2, reply('Sure thing.', 1.7, { band: 'axis', percentile: 25 }), false);
  view.done();
  const last = states(sent).at(-1);
  assert.equal(last?.phase, 'done');
  assert.equal(last?.original.value, -0.2);
  assert.deepEqual(last?.cells.map((c) => [c.status, c.text, c.cached]), [['done', 'Yo ho', false], ['done', 'Sure.', true], ['done', 'Sure thing.', false]]);
  assert.deepEqual(last?.cells[0]?.problems, ['cut at the token limit']);
  assert.deepEqual(f.replay(), [last]);
  f.dispose();
});

test('a cancel keeps the finished cells and puts the running one back to pending; a superseded sweep is silent', () => {
  const sent: ToPanelMessage[] = [];
  const f = new SweepFeed((m) => sent.push(m), 10_000);
  const old = f.begin(target, 'x', decoding);
  old.plan(plan);
  old.cell(0);
  old.cellDone(0, reply('Yo', -0.1), false);
  old.cell(1);
  old.tokens(1, 'Su');
  old.ended('cancelled', 'cancelled');
  const ended = states(sent).at(-1);
  assert.equal(ended?.phase, 'cancelled');
  assert.deepEqual(ended?.cells.map((c) => c.status), ['done', 'pending', 'pending']);
  const next = f.begin({ ...target, turn: 6 }, 'y', decoding);
  const count = sent.length;
  old.cellDone(1, reply('late', 2), false);
  old.done();
  assert.equal(sent.length, count, 'reports of a superseded sweep are dropped');
  next.ended('failed', 'the worker stopped');
  assert.deepEqual([states(sent).at(-1)?.phase, states(sent).at(-1)?.message, states(sent).at(-1)?.turn], ['failed', 'the worker stopped', 6]);
  f.dispose();
});
