import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems, slice } from './helpers';

test('OpenAI: a bare message array, with escapes, names and non-BMP characters', () => {
  const text = fixture('openai-array.json');
  const r = parse(text, 'openai-array.json');
  assert.equal(r.format, 'openai-chat');
  const turns = r.conversations[0]?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => t.role),
    ['system', 'user', 'assistant', 'user', 'assistant'],
  );
  assert.equal(turns[1]?.text, 'Do you have a gluten-free "sourdough" loaf? Café customers keep asking 🙂');
  assert.equal(turns[1]?.name, 'dana');
  // The range holds the escaped source; the text is the decoded value.
  assert.equal(slice(text, turns[1]?.range ?? { start: 0, end: 0 }).endsWith('\\ud83d\\ude42'), true);
  assert.equal(turns[4]?.text, 'Done: two gluten-free seeded loaves, ready Friday from 8 a.m.\tPay at pickup.');
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('OpenAI: request body with developer role, content parts, an image, tool calls and a tool result', () => {
  const text = fixture('openai-request.json');
  const r = parse(text, 'openai-request.json');
  assert.equal(r.format, 'openai-chat');
  const c = r.conversations[0];
  assert.equal(c?.metadata.model, 'gpt-4o-mini');
  const turns = c?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => [t.role, t.kind, t.rawRole]),
    [
      ['system', 'message', 'developer'],
      ['user', 'message', 'user'],
      ['assistant', 'toolCall', 'assistant'],
      ['tool', 'toolResult', 'tool'],
      ['assistant', 'message', 'assistant'],
    ],
  );
  const user = turns[1];
  assert.equal(user?.encoding, 'parts');
  assert.equal(user?.text, 'Where is my order? Here is the receipt:\n[image_url]\nOrder number is A-1042.');
  assert.deepEqual(
    user?.parts?.map((p) => [p.encoding, p.placeholderType]),
    [
      ['json-string', undefined],
      ['placeholder', 'image_url'],
      ['json-string', undefined],
    ],
  );
  assert.ok(slice(text, user?.parts?.[1]?.range ?? { start: 0, end: 0 }).startsWith('{"type": "image_url"'));
  // An assistant message that only calls a tool is an assistant turn: the call rendered as text.
  assert.equal(turns[2]?.text, '{"name":"get_order_status","arguments":{"order_id":"A-1042"}}');
  assert.deepEqual(
    turns[2]?.parts?.map((p) => [p.encoding, p.name, p.toolCallId]),
    [['toolCall', 'get_order_status', 'call_7Qm2']],
  );
  assert.equal(turns[3]?.toolCallId, 'call_7Qm2');
  // The image is reported once, as info, at the image part.
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [['info', 'placeholder']],
  );
  assert.deepEqual(r.diagnostics[0]?.range, user?.parts?.[1]?.range);
  assert.deepEqual(invariantProblems(text, r), []);
});

test('OpenAI fine-tuning JSONL: one conversation per line, with line labels and ranges', () => {
  const text = fixture('openai-finetune.jsonl');
  const r = parse(text, 'train.jsonl');
  assert.equal(r.format, 'openai-chat');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.turns.length]),
    [
      ['line 1', 3],
      ['line 2', 3],
      ['line 3', 3],
    ],
  );
  const lines = text.split('\n');
  assert.deepEqual(r.conversations[1]?.range, { start: (lines[0]?.length ?? 0) + 1, end: (lines[0]?.length ?? 0) + 1 + (lines[1]?.length ?? 0) });
  assert.equal(r.conversations[2]?.turns[1]?.text, 'How far is the Moon from Earth?');
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('OpenAI JSONL with CRLF line ends keeps exact ranges', () => {
  const text = fixture('openai-finetune.jsonl').replace(/\n/g, '\r\n');
  const r = parse(text, 'train.jsonl');
  assert.equal(r.conversations.length, 3);
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('OpenAI JSONL saved as .json is still read line by line', () => {
  const text = fixture('openai-finetune.jsonl');
  const r = parse(text, 'train.json');
  assert.equal(r.format, 'openai-chat');
  assert.equal(r.conversations.length, 3);
  assert.deepEqual(r.diagnostics, []);
});

test('OpenAI: assistant message with only tool calls and empty content is an assistant turn, not an empty one', () => {
  const text = JSON.stringify({
    messages: [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '-3°C' },
      { role: 'assistant', content: 'It is -3°C in Oslo.' },
    ],
  });
  const r = parse(text, 'chat.json');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.kind]),
    [
      ['user', 'message'],
      ['assistant', 'toolCall'],
      ['tool', 'toolResult'],
      ['assistant', 'message'],
    ],
  );
  assert.equal(r.conversations[0]?.turns[1]?.text, '{"name":"weather","arguments":{"city":"Oslo"}}');
  assert.deepEqual(r.diagnostics, []);
});
