import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems } from './helpers';

test('Inspect eval log: one conversation per sample, tool calls in assistant turns, results as tool turns', () => {
  const text = fixture('inspect-eval.json');
  const r = parse(text, '2026-11-20T09-14-03_ctf-bash.json');
  assert.equal(r.format, 'inspect-eval');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.metadata.task, c.metadata.model, c.metadata.target]),
    [
      ['sample find-flag (epoch 1)', 'ctf_bash', 'openai/gpt-4o-mini', 'flag{d0t_f1l3s}'],
      ['sample count-lines (epoch 1)', 'ctf_bash', 'openai/gpt-4o-mini', '7'],
    ],
  );
  const first = r.conversations[0]?.turns ?? [];
  assert.deepEqual(
    first.map((t) => [t.role, t.kind, t.name]),
    [
      ['system', 'message', undefined],
      ['user', 'message', undefined],
      ['assistant', 'message', undefined],
      ['tool', 'toolResult', 'bash'],
      ['assistant', 'message', undefined],
    ],
  );
  assert.equal(first[2]?.text, '[reasoning]\nI\'ll list all files, including hidden ones.\n{"name":"bash","arguments":{"cmd":"ls -la ~"}}');
  assert.equal(first[2]?.parts?.[2]?.toolCallId, 'call_a1');
  assert.equal(first[3]?.text, 'total 12\n-rw-r--r-- 1 ctf ctf 16 Nov 20 09:14 .flag\n');
  // Sample 2's assistant message that only calls a tool (content "") is an assistant turn of kind toolCall.
  assert.deepEqual(
    r.conversations[1]?.turns.map((t) => [t.role, t.kind]),
    [
      ['user', 'message'],
      ['assistant', 'toolCall'],
      ['tool', 'toolResult'],
      ['assistant', 'message'],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [['info', 'placeholder']],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Inspect eval log without samples is recognised and says so', () => {
  const text = JSON.stringify({ version: 2, status: 'started', eval: { task: 'ctf_bash', model: 'openai/gpt-4o-mini' } });
  const r = parse(text, 'header.json');
  assert.equal(r.format, 'inspect-eval');
  assert.equal(r.conversations.length, 0);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['no-turns'],
  );
});
