import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems } from './helpers';

test('Prompty: front matter into metadata, role sections as turns, templates kept', () => {
  const text = fixture('support-bot.prompty');
  const r = parse(text, 'support-bot.prompty');
  assert.equal(r.format, 'prompty');
  const c = r.conversations[0];
  assert.equal(c?.metadata.name, 'Support Bot');
  assert.deepEqual(c?.metadata.sample, { firstName: 'Jane', question: 'Where is my package?' });
  const turns = c?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => [t.role, t.text.split('\n')[0]]),
    [
      ['system', 'You are an AI assistant who helps people find information about their orders.'],
      ['user', '{{question}}'],
      ['assistant', 'Hi {{firstName}}! Let me look that up for you.'],
      ['user', "Thanks, it's order A-1042."],
    ],
  );
  assert.ok(turns[0]?.text.endsWith('Orders are shipped within 2 business days.'));
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('Prompty: text before the first role is the system message; a prompt without assistant turn is only noted', () => {
  const text = '---\nname: tiny\n---\nYou are kind.\n\nuser:\nHello {{name}}\n';
  const r = parse(text, 'tiny.prompty');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [
      ['system', 'You are kind.'],
      ['user', 'Hello {{name}}'],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [['info', 'no-assistant-turn']],
  );
});

test('Prompty: broken YAML front matter is reported at its line, the body is still read', () => {
  const text = '---\nname: tiny\nmodel: [unclosed\n---\nuser:\nHi\n\nassistant:\nHello!\n';
  const r = parse(text, 'broken.prompty');
  const yamlErrors = r.diagnostics.filter((d) => d.code === 'front-matter');
  assert.ok(yamlErrors.length > 0);
  assert.ok(yamlErrors.every((d) => d.severity === 'error' && d.range.start >= 4 && d.range.end <= text.indexOf('\n---\n') + 1));
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.text),
    ['Hi', 'Hello!'],
  );
});

test('Prompty: "human:" is flagged as a role Prompty does not know', () => {
  const text = 'system:\nBe brief.\n\nhuman:\nhi\n';
  const r = parse(text, 'x.prompty');
  assert.deepEqual(
    r.diagnostics.filter((d) => d.code === 'unknown-role').map((d) => text.slice(d.range.start, d.range.end)),
    ['human'],
  );
  assert.equal(r.conversations[0]?.turns[0]?.text, 'Be brief.\n\nhuman:\nhi');
});
