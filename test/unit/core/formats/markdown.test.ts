import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems } from './helpers';

test('Markdown headings: front matter, code fences and "---" rules are not turns', () => {
  const text = fixture('transcript-headings.md');
  const r = parse(text, 'refund.md');
  assert.equal(r.format, 'markdown');
  const c = r.conversations[0];
  assert.equal(c?.metadata.title, 'Support chat, 2026-11-18');
  assert.equal(c?.metadata.model, 'smollm2-360m-instruct');
  const turns = c?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => t.role),
    ['system', 'user', 'assistant', 'user', 'assistant'],
  );
  assert.equal(turns[1]?.text, 'I was charged twice this month. Can I get one of the charges back?');
  const answer = turns[2]?.text ?? '';
  assert.ok(answer.startsWith("I'm sorry about that."));
  assert.ok(answer.includes('This heading is inside a code block and is not a turn.'));
  assert.ok(answer.endsWith('```'), 'the rule after the code block is not part of the turn');
  assert.equal(turns[4]?.text, "You're on the **Personal 200 GB** plan, billed monthly.");
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('Markdown bold prefixes: text on the marker line, unknown speakers reported and skipped', () => {
  const text = fixture('transcript-bold.md');
  const r = parse(text, 'names.md');
  assert.equal(r.format, 'markdown');
  const turns = r.conversations[0]?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => [t.role, t.text.split('\n')[0]]),
    [
      ['user', 'I need a name for a budgeting app aimed at students.'],
      ['assistant', 'A few ideas:'],
      ['user', 'Something shorter?'],
      ['assistant', '*Tally*, *Stash*, or *Kip*.'],
      ['user', "Let's go with Stash."],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code, text.slice(d.range.start, d.range.end)]),
    [['warning', 'unknown-role', 'Narrator']],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Plain "User:" prefixes in a .txt file; other "Word:" lines stay text', () => {
  const text = fixture('transcript-plain.txt');
  const r = parse(text, 'chat.txt');
  assert.equal(r.format, 'markdown');
  const turns = r.conversations[0]?.turns ?? [];
  assert.equal(turns.length, 4);
  assert.equal(turns[3]?.text, 'JavaScript, since every browser runs it.\nNote: this line is a note, not a turn marker.');
  assert.deepEqual(invariantProblems(text, r), []);
});

test('In a heading-style file, a quoted "User:" line inside an answer does not split it', () => {
  const text = '## User\nHow do I write a chat log?\n\n## Assistant\nLike this:\nUser: hi\nAssistant: hello\n';
  const turns = parse(text, 'x.md').conversations[0]?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => t.role),
    ['user', 'assistant'],
  );
  assert.equal(turns[1]?.text, 'Like this:\nUser: hi\nAssistant: hello');
});

test('A Markdown file without role markers is not taken for a transcript', () => {
  const r = parse('# Notes\n\nSome text.\n', 'README.md');
  assert.equal(r.format, 'unknown');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [['info', 'unknown-format']],
  );
});

test('role headings may use different levels; unknown one-word headings count only at those levels', () => {
  const text = '# Chat\n\n## User\nHi there\n\n### Assistant\nHello! Some notes:\n\n#### Details\nNothing else.\n\n## Moderator\nKeep it civil.\n\n## User\nBye\n';
  const r = parse(text, 'x.md');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [
      ['user', 'Hi there'],
      ['assistant', 'Hello! Some notes:\n\n#### Details\nNothing else.'],
      ['user', 'Bye'],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, text.slice(d.range.start, d.range.end)]),
    [['unknown-role', 'Moderator']],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});
