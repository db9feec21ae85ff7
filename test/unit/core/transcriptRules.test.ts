// The rules every layer asks of a conversation (src/core/transcript.ts), each with one home: is
// there anything to score, which turns can be re-run (and why not), which reply the cursor is in;
// and the axis token budget the editor and the CLI share (src/core/axis/axisPlan.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AXIS_MAX_TOKENS } from '../../../src/core/axis/axisPlan';
import { AXIS_USAGE } from '../../../src/cli/axis';
import { assistantTurnAt, assistantTurnIndices, hasAssistantTurn, rerunProblem, type Conversation, type Turn } from '../../../src/core/transcript';

/** Turns laid end to end in a notional file, each `text.length` long with a one-character gap. */
function conversation(...turns: [Turn['role'], string][]): Conversation {
  let at = 0;
  return {
    turns: turns.map(([role, text]) => {
      const t: Turn = { role, text, range: { start: at, end: at + text.length } };
      at += text.length + 1;
      return t;
    }),
    metadata: {},
  };
}

const chat = conversation(['system', 'be kind'], ['user', 'hi'], ['assistant', 'hello'], ['user', 'more'], ['assistant', 'sure thing']);

test('something to score: a conversation with an assistant turn', () => {
  assert.equal(hasAssistantTurn(chat), true);
  assert.equal(hasAssistantTurn(conversation(['system', 's'], ['user', 'u'])), false);
  assert.equal(hasAssistantTurn(conversation()), false);
});

test('the re-runnable turns are the assistant turns, in order', () => {
  assert.deepEqual(assistantTurnIndices(chat), [2, 4]);
  assert.deepEqual(assistantTurnIndices(conversation(['user', 'u'])), []);
});

test('only an assistant turn can be re-run; the message says which turns can', () => {
  assert.equal(rerunProblem(chat, 2), null);
  assert.equal(rerunProblem(chat, 4), null);
  assert.equal(rerunProblem(chat, 1), 'turn 1 is a user turn; only assistant turns can be re-run (assistant turns: 2, 4)');
  assert.equal(rerunProblem(chat, 0), 'turn 0 is a system turn; only assistant turns can be re-run (assistant turns: 2, 4)');
  assert.equal(rerunProblem(chat, 7), 'there is no turn 7; the conversation has turns 0-4 (assistant turns: 2, 4)');
  assert.equal(rerunProblem(chat, -1), 'there is no turn -1; the conversation has turns 0-4 (assistant turns: 2, 4)');
  assert.match(rerunProblem(conversation(['user', 'u']), 0) ?? '', /\(assistant turns: none\)$/);
});

test('the assistant turn at an offset: inside or at either end of its range, across conversations', () => {
  // chat: system [0,7) user [8,10) assistant [11,16) user [17,21) assistant [22,32)
  assert.deepEqual(assistantTurnAt([chat], 11), { conversation: 0, turn: 2 });
  assert.deepEqual(assistantTurnAt([chat], 16), { conversation: 0, turn: 2 }, 'a cursor just after the reply names it');
  assert.deepEqual(assistantTurnAt([chat], 25), { conversation: 0, turn: 4 });
  assert.equal(assistantTurnAt([chat], 9), null, 'inside a user turn');
  assert.equal(assistantTurnAt([chat], 3), null, 'inside the system prompt');
  assert.equal(assistantTurnAt([chat], 500), null, 'past the end');
  const second = conversation(['user', 'x'.repeat(40)], ['assistant', 'y'.repeat(5)]);
  assert.deepEqual(assistantTurnAt([conversation(['user', 'u']), second], 43), { conversation: 1, turn: 1 });
});

test('one axis token budget: the CLI default is the editor command\'s', () => {
  assert.ok(Number.isInteger(AXIS_MAX_TOKENS) && AXIS_MAX_TOKENS > 0);
  assert.match(AXIS_USAGE, new RegExp(`--max-tokens N .*\\(default ${AXIS_MAX_TOKENS}\\)`));
});
