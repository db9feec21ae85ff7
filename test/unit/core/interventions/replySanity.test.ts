import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replyProblems } from '../../../../src/core/interventions/replySanity';

test('a plain reply has no problems', () => {
  assert.deepEqual(replyProblems('Sure, I can help with that. Here is a short answer.', 'eos'), []);
});

test('an empty or blank reply is flagged alone', () => {
  assert.deepEqual(replyProblems('', 'eos'), ['empty reply']);
  assert.deepEqual(replyProblems(' \n ', 'maxTokens'), ['empty reply']);
});

test('chat-template markup of the common families is named', () => {
  for (const m of ['<|im_start|>', '<|eot_id|>', '[INST]', '[/INST]', '<end_of_turn>', '<|assistant|>', '</s>']) {
    assert.deepEqual(replyProblems(`Fine. ${m} user`, 'eos'), [`chat-template markup in the text (${m})`], m);
  }
  assert.deepEqual(replyProblems('a <b>bold</b> word and x < y', 'eos'), [], 'ordinary markup is not template markup');
});

test('writing the next user turn, unclosed code blocks and loops are flagged', () => {
  assert.deepEqual(replyProblems('Done.\nUser: and now?', 'eos'), ["writes the user's next turn"]);
  assert.deepEqual(replyProblems('Here:\n```js\nlet x = 1;\n', 'eos'), ['unclosed code block']);
  assert.deepEqual(replyProblems('Here:\n```js\nlet x = 1;\n```\n', 'eos'), []);
  const loop = Array(10).fill('arr matey ho').join(' ');
  assert.deepEqual(replyProblems(loop, 'eos'), ['repeats itself']);
  const varied = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';
  assert.deepEqual(replyProblems(varied, 'eos'), []);
});

test('a reply cut at the token limit says so, and its open code block is not blamed on the model', () => {
  assert.deepEqual(replyProblems('Here:\n```js\nlet x = 1;', 'maxTokens'), ['cut at the token limit']);
});
