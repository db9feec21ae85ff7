// Role-play chats (SillyTavern), OpenAI Responses items and evaluation datasets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems } from './helpers';

test('SillyTavern chat: header line into metadata, the character greeting as an assistant turn', () => {
  const text = fixture('sillytavern-aqua.jsonl');
  const r = parse(text, 'Aqua - 2023-1-8 @15h 12m 26s 0ms.jsonl');
  assert.equal(r.format, 'sillytavern');
  const c = r.conversations[0];
  assert.equal(c?.label, 'Aqua');
  assert.equal(c?.metadata.user_name, 'You');
  assert.deepEqual(
    c?.turns.map((t) => [t.role, t.name]),
    [['assistant', 'Aqua']],
  );
  assert.match(c?.turns[0]?.text ?? '', /^\*I am in the town square at a city named "Axel"\./);
  assert.deepEqual(invariantProblems(text, r), []);
});

test('SillyTavern chat: the shown swipe (mes) is the turn, user lines are user turns, narrator lines system turns', () => {
  const text = [
    '{"user_name":"unused","character_name":"unused","create_date":"2025-09-26@15h04m33s","chat_metadata":{"integrity":"1e6905db"}}',
    '{"name":"Seraphina","is_user":false,"is_system":false,"mes":"Second swipe.","swipes":["First swipe.","Second swipe."],"swipe_id":1}',
    '{"name":"User","is_user":true,"is_system":false,"mes":"Who are you?","extra":{"isSmallSys":false}}',
    '{"name":"SillyTavern System","is_user":false,"is_system":true,"mes":"The forest grows quiet.","extra":{"type":"narrator"}}',
  ].join('\n');
  const r = parse(text, 'chat.jsonl');
  assert.equal(r.format, 'sillytavern');
  assert.equal(r.conversations[0]?.label, 'chat');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [
      ['assistant', 'Second swipe.'],
      ['user', 'Who are you?'],
      ['system', 'The forest grows quiet.'],
    ],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('OpenAI Responses request: a function_call item is an assistant turn, its output a tool turn', () => {
  const text = fixture('openai-responses-request.json');
  const r = parse(text, 'request.json');
  assert.equal(r.format, 'openai-responses');
  const turns = r.conversations[0]?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => [t.role, t.kind, t.text]),
    [
      ['user', 'message', 'What is the capital of PotatoLand?'],
      ['assistant', 'toolCall', '{"name":"get_capital","arguments":{"country":"PotatoLand"}}'],
      ['tool', 'toolResult', 'Potato City'],
    ],
  );
  assert.equal(turns[2]?.toolCallId, 'call_YfwRsW8sUxDKipwyhWTzOXCA');
  assert.equal(r.conversations[0]?.metadata.model, 'gpt-4o');
  assert.deepEqual(invariantProblems(text, r), []);
});

test('OpenAI Responses response: output message items; developer is system, instructions the system prompt, reasoning an info', () => {
  const resp = fixture('openai-responses-response.json');
  const r = parse(resp, 'response.json');
  assert.equal(r.format, 'openai-responses');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [['assistant', 'The capital of PotatoLand is Potato City.']],
  );
  const text = JSON.stringify({
    model: 'gpt-5',
    instructions: 'Talk like a pirate.',
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be brief.' }] },
      { role: 'user', content: 'Are semicolons optional in JavaScript?' },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Arr, mostly.' }] },
      { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"q":"ASI"}' },
    ],
  });
  const q = parse(text, 'request.json');
  assert.equal(q.format, 'openai-responses');
  assert.equal(q.conversations[0]?.system?.text, 'Talk like a pirate.');
  assert.deepEqual(
    q.conversations[0]?.turns.map((t) => [t.role, t.rawRole, t.text]),
    [
      ['system', 'developer', 'Be brief.'],
      ['user', 'user', 'Are semicolons optional in JavaScript?'],
      ['assistant', 'assistant', 'Arr, mostly.\n{"name":"lookup","arguments":{"q":"ASI"}}'],
    ],
  );
  assert.deepEqual(
    q.diagnostics.map((d) => [d.severity, d.code]),
    [['info', 'placeholder']],
  );
  assert.deepEqual(invariantProblems(text, q), []);
});

test('MT-Bench questions: user turns only, read without error and with an info that there is nothing to score', () => {
  const text = fixture('mt-bench-question.jsonl');
  const r = parse(text, 'question.jsonl');
  assert.equal(r.format, 'eval-dataset');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.turns.map((t) => t.role).join(' '), c.metadata.category]),
    [
      ['sample 81', 'user user', 'writing'],
      ['sample 82', 'user user', 'writing'],
      ['sample 95', 'user user', 'roleplay'],
    ],
  );
  assert.equal(r.conversations[2]?.turns[1]?.text, 'Ich verstehe nur Bahnhof');
  assert.deepEqual(
    [...new Set(r.diagnostics.map((d) => `${d.severity}:${d.code}`))],
    ['info:no-assistant-turn'],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('MT-Bench reference answers: choices[].turns are assistant turns; bare numbers are kept as written', () => {
  const text = fixture('mt-bench-reference.jsonl');
  const r = parse(text, 'gpt-4.jsonl');
  assert.equal(r.format, 'eval-dataset');
  assert.deepEqual(
    r.conversations.map((c) => c.turns.map((t) => t.role).join(' ')),
    ['assistant assistant', 'assistant assistant'],
  );
  assert.equal(r.conversations[0]?.metadata.model_id, 'gpt-4');
  const numbers =
    '{"question_id": 112, "model_id": "human", "choices": [{"index": 0, "turns": ["12000", 2000]}]}';
  const n = parse(numbers, 'ref.jsonl');
  assert.deepEqual(
    n.conversations[0]?.turns.map((t) => t.text),
    ['12000', '2000'],
  );
  assert.deepEqual(invariantProblems(numbers, n), []);
});

test('Inspect datasets: input as a string or as messages', () => {
  const text = [
    '{"id": "q1", "input": "What is 2+2?", "target": "4"}',
    '{"id": "q2", "input": [{"role": "system", "content": "You are a pirate."}, {"role": "user", "content": "Hello"}], "target": "Ahoy"}',
  ].join('\n');
  const r = parse(text, 'dataset.jsonl');
  assert.equal(r.format, 'eval-dataset');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.turns.map((t) => `${t.role}:${t.text}`), c.metadata.target]),
    [
      ['sample q1', ['user:What is 2+2?'], '4'],
      ['sample q2', ['system:You are a pirate.', 'user:Hello'], 'Ahoy'],
    ],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('OpenAI Responses items one per line (JSONL): consecutive items are one conversation', () => {
  const text = [
    '{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather in Oslo?"}]}',
    '{"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}',
    '{"type": "function_call_output", "call_id": "c1", "output": "-3°C"}',
    '{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "It is -3°C."}]}',
  ].join('\n');
  const r = parse(text, 'items.jsonl');
  assert.equal(r.format, 'openai-responses');
  assert.equal(r.conversations.length, 1);
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => `${t.role}/${t.kind}`),
    ['user/message', 'assistant/toolCall', 'tool/toolResult', 'assistant/message'],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});
