import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuationError,
  columnMessages,
  continuationTranscript,
  startContinuation,
  withReplies,
  withUserTurn,
} from '../../../src/core/continuation';
import type { Conversation, Turn } from '../../../src/core/transcript';

const turn = (role: Turn['role'], text: string): Turn => ({ role, text, range: { start: 0, end: 0 } });
const conv = (turns: Turn[], system?: string): Conversation => ({ turns, metadata: {}, ...(system ? { system: turn('system', system) } : {}) });

test('both columns share the user turns and keep their own replies', () => {
  let s = startContinuation(conv([turn('user', 'hi'), turn('assistant', 'hello')], 'be nice'));
  s = withUserTurn(s, 'how are you?');
  s = withReplies(s, { uncapped: 'arr, fine', capped: 'fine, thanks' });
  s = withUserTurn(s, 'and now?');
  assert.deepEqual(columnMessages(s, 'uncapped').map((m) => `${m.role}:${m.content}`), [
    'system:be nice', 'user:hi', 'assistant:hello', 'user:how are you?', 'assistant:arr, fine', 'user:and now?',
  ]);
  assert.deepEqual(columnMessages(s, 'capped').slice(4).map((m) => m.content), ['fine, thanks', 'and now?']);
});

test('a step needs a user turn: the conversation\'s own last one, or a typed one', () => {
  const endsWithUser = startContinuation(conv([turn('user', 'q')]));
  assert.equal(withUserTurn(endsWithUser, undefined), endsWithUser);
  const endsWithAssistant = startContinuation(conv([turn('user', 'q'), turn('assistant', 'a')]));
  assert.throws(() => withUserTurn(endsWithAssistant, undefined), (e) => e instanceof ContinuationError && /ends with an assistant turn: type a user turn/.test(e.message));
  assert.throws(() => withUserTurn(startContinuation(conv([])), undefined), /conversation is empty/);
  assert.throws(() => withUserTurn(endsWithAssistant, '   '), /user turn is empty/);
});

test('the transcript holds one OpenAI chat line per column with its whole history', () => {
  let s = withUserTurn(startContinuation(conv([turn('user', 'q'), turn('assistant', 'a')])), 'next "quoted"\nline');
  s = withReplies(s, { uncapped: 'u', capped: 'c' });
  const lines = continuationTranscript(s, { model: 'demo', continuedAfter: 2 }).trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; metadata: { persona_lens: { column: string; continued_after_message: number } } });
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0]?.messages.at(-1), { role: 'assistant', content: 'u' });
  assert.deepEqual(lines[1]?.messages.at(-1), { role: 'assistant', content: 'c' });
  assert.equal(lines[0]?.messages[2]?.content, 'next "quoted"\nline');
  assert.deepEqual(lines.map((l) => l.metadata.persona_lens.column), ['uncapped', 'capped']);
  assert.equal(lines[1]?.metadata.persona_lens.continued_after_message, 2);
});
