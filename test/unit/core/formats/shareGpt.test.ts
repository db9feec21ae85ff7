import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems } from './helpers';

test('ShareGPT: a JSON array of records, human/gpt roles, system; function_call is the assistant side, observation the tool side', () => {
  const text = fixture('sharegpt.json');
  const r = parse(text, 'sharegpt.json');
  assert.equal(r.format, 'sharegpt');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.metadata.id, c.turns.length]),
    [
      ['record 1', 'identity_0', 4],
      ['record 2', 'tool_17', 4],
    ],
  );
  const [first, second] = r.conversations;
  assert.deepEqual(
    first?.turns.map((t) => [t.role, t.rawRole]),
    [
      ['user', 'human'],
      ['assistant', 'gpt'],
      ['user', 'human'],
      ['assistant', 'gpt'],
    ],
  );
  assert.equal(first?.turns[3]?.text, 'Crisp leaves drift and fall\nAmber light on quiet paths\nThe year exhales slow');
  assert.equal(second?.system?.text, 'You are a helpful assistant with access to a calculator.');
  assert.deepEqual(
    second?.turns.map((t) => [t.role, t.kind]),
    [
      ['user', 'message'],
      ['assistant', 'toolCall'],
      ['tool', 'toolResult'],
      ['assistant', 'message'],
    ],
  );
  assert.equal(second?.turns[2]?.text, '399.5');
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('ShareGPT JSONL: one record per line, system as a "from" entry', () => {
  const text = fixture('sharegpt.jsonl');
  const r = parse(text, 'sharegpt.jsonl');
  assert.equal(r.format, 'sharegpt');
  assert.deepEqual(
    r.conversations.map((c) => c.turns.map((t) => t.role)),
    [
      ['system', 'user', 'assistant'],
      ['user', 'assistant'],
    ],
  );
  assert.equal(r.conversations[1]?.turns[1]?.text, 'Bom dia.');
  assert.deepEqual(invariantProblems(text, r), []);
});
