// The compare view's state machine: streaming accumulates per variant, a cancel keeps what had
// streamed, late tokens after the end change nothing, and a result replaces everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE, nextCompareState } from '../../../webview/compareState';
import type { Compare } from '../../../webview/protocol';

test('a re-run streams both variants, then a cancel keeps the streamed text', () => {
  let s = nextCompareState(IDLE, { type: 'rerunTokens', variant: 'capped', text: 'early' });
  assert.equal(s, IDLE, 'tokens before a start are ignored');
  s = nextCompareState(s, { type: 'rerunStarted', uri: 'u', conversation: 0, turn: 8, originalText: 'Arr!', steer: null });
  s = nextCompareState(s, { type: 'rerunVariant', variant: 'uncapped' });
  s = nextCompareState(s, { type: 'rerunTokens', variant: 'uncapped', text: 'Yo' });
  s = nextCompareState(s, { type: 'rerunTokens', variant: 'uncapped', text: ' ho' });
  s = nextCompareState(s, { type: 'rerunVariant', variant: 'capped' });
  s = nextCompareState(s, { type: 'rerunTokens', variant: 'capped', text: 'Here' });
  assert.equal(s.phase, 'running');
  if (s.phase === 'running') {
    assert.equal(s.current, 'capped');
    assert.deepEqual(s.streamed, { uncapped: 'Yo ho', capped: 'Here', steered: '' });
    assert.equal(s.originalText, 'Arr!');
  }
  s = nextCompareState(s, { type: 'rerunEnded', reason: 'cancelled', message: 'cancelled' });
  assert.equal(s.phase, 'ended');
  if (s.phase === 'ended') assert.deepEqual(s.streamed, { uncapped: 'Yo ho', capped: 'Here', steered: '' });
  const after = nextCompareState(s, { type: 'rerunTokens', variant: 'capped', text: ' late' });
  assert.equal(after, s);
});

test('a finished re-run replaces the streamed state; a new start clears it', () => {
  const compare = { uri: 'u', conversation: 0, turn: 8 } as Compare;
  let s = nextCompareState(IDLE, {
    type: 'rerunStarted',
    uri: 'u',
    conversation: 0,
    turn: 8,
    originalText: 'x',
    steer: null,
  });
  s = nextCompareState(s, { type: 'rerunDone', compare });
  assert.deepEqual(s, { phase: 'done', compare });
  s = nextCompareState(s, { type: 'rerunStarted', uri: 'u', conversation: 0, turn: 4, originalText: 'y', steer: null });
  assert.equal(s.phase, 'running');
  if (s.phase === 'running') assert.deepEqual(s.streamed, { uncapped: '', capped: '', steered: '' });
});
