// The compare view's side of a re-run (src/extension/rerunFeed.ts, no vscode): batched and chunked
// token messages, a page that reloads mid-run catching up, a superseded re-run falling silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RerunFeed } from '../../../src/extension/rerunFeed';
import type { RerunResult } from '../../../src/engine/rerun';
import { LIMITS, type ToPanelMessage } from '../../../webview/protocol';

const target = { uri: 'file:///t.json', conversation: 0, turn: 3 };

function result(cappedText: string): RerunResult {
  const reply = { text: 'x', value: 1, zone: 'assistant' as const, surprise: 0.2, outOfDomain: false, tokens: [], layerValues: [1] };
  return {
    turn: 3,
    original: { ...reply, value: -1, zone: 'role' },
    replies: [
      { ...reply, variant: 'uncapped', stopReason: 'maxTokens', generatedTokens: 8 },
      { ...reply, text: cappedText, value: 1.7, variant: 'capped', stopReason: 'eos', generatedTokens: 5 },
    ],
    settings: { sampling: { kind: 'sample', temperature: 0.8, topP: 0.95, topK: 0, seed: 4 }, maxTokens: 8, monitorLayer: 2, capLayers: [2, 3], capTaus: [1, 2], percentile: 25, population: 'response', monitorTau: 1, steering: null },
  };
}

function feed(batchMs = 10_000): { feed: RerunFeed; sent: ToPanelMessage[] } {
  const sent: ToPanelMessage[] = [];
  return { feed: new RerunFeed((m) => sent.push(m), batchMs), sent };
}

const summary = (msgs: readonly ToPanelMessage[]): string[] =>
  msgs.map((m) => (m.type === 'rerunTokens' ? `tokens ${m.variant} ${m.text}` : m.type === 'rerunVariant' ? `variant ${m.variant}` : m.type));

test('tokens wait for the batch; a new variant first sends what the old one streamed', () => {
  const { feed: f, sent } = feed();
  const view = f.begin(target, 'the recorded reply');
  assert.deepEqual(sent, [{ type: 'rerunStarted', ...target, originalText: 'the recorded reply', steer: null }]);
  view.variant('uncapped');
  view.tokens('uncapped', 'Hel');
  view.tokens('uncapped', 'lo');
  assert.deepEqual(summary(sent), ['rerunStarted', 'variant uncapped'], 'nothing sent before the batch time');
  view.variant('capped');
  view.tokens('capped', 'Arr');
  view.done(result('Arr'));
  assert.deepEqual(summary(sent), ['rerunStarted', 'variant uncapped', 'tokens uncapped Hello', 'variant capped', 'tokens capped Arr', 'rerunDone']);
  f.dispose();
});

test('the batch timer sends the streamed text as one message', async () => {
  const { feed: f, sent } = feed(5);
  const view = f.begin(target, 'o');
  view.variant('uncapped');
  for (const t of ['a', 'b', 'c']) view.tokens('uncapped', t);
  await sleep(50);
  assert.deepEqual(summary(sent), ['rerunStarted', 'variant uncapped', 'tokens uncapped abc']);
  f.dispose();
});

test('long text is sent in chunks within the protocol limit, and the original text is bounded', () => {
  const { feed: f, sent } = feed();
  const view = f.begin(target, 'o'.repeat(LIMITS.replyText + 10));
  const start = sent[0];
  assert.equal(start?.type === 'rerunStarted' && start.originalText.length, LIMITS.replyText);
  view.tokens('capped', 'z'.repeat(LIMITS.chunkText * 2 + 1));
  view.ended('failed', 'e'.repeat(5000));
  const chunks = sent.flatMap((m) => (m.type === 'rerunTokens' ? [m.text.length] : []));
  assert.deepEqual(chunks, [LIMITS.chunkText, LIMITS.chunkText, 1]);
  const ended = sent.at(-1);
  assert.ok(ended?.type === 'rerunEnded' && ended.reason === 'failed' && ended.message.length === 2000);
});

test('a page that reloads mid-run gets the start, the text so far and the current variant', () => {
  const { feed: f, sent } = feed();
  assert.deepEqual(f.replay(), [], 'nothing to show before any re-run');
  const view = f.begin(target, 'o');
  view.variant('uncapped');
  view.tokens('uncapped', 'one two');
  view.variant('capped');
  view.tokens('capped', 'thr');
  assert.equal(f.isRunning, true);
  assert.deepEqual(summary(f.replay()), ['rerunStarted', 'tokens uncapped one two', 'tokens capped thr', 'variant capped']);
  assert.deepEqual(summary(sent).at(-1), 'tokens capped thr', 'the replay also flushed the pending text to the live page');
  view.done(result('three'));
  assert.equal(f.isRunning, false);
  const replay = f.replay();
  assert.equal(replay.length, 1);
  assert.ok(replay[0]?.type === 'rerunDone' && replay[0].compare.capped?.value === 1.7);
  assert.equal(f.lastCappedText(), 'three');
});

test('a new re-run supersedes the running one: the old one\'s late reports are dropped', () => {
  const { feed: f, sent } = feed();
  const first = f.begin(target, 'first');
  first.tokens('uncapped', 'late');
  const second = f.begin({ ...target, turn: 5 }, 'second');
  first.tokens('uncapped', 'later');
  first.variant('capped');
  first.done(result('stale'));
  first.ended('cancelled', 'cancelled');
  assert.deepEqual(summary(sent), ['rerunStarted', 'rerunStarted']);
  assert.equal(f.lastCappedText(), null, 'the superseded result is not kept');
  second.ended('cancelled', 'cancelled');
  assert.deepEqual(summary(sent), ['rerunStarted', 'rerunStarted', 'rerunEnded']);
  assert.deepEqual(f.replay(), []);
});
