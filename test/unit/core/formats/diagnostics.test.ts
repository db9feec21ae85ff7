import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { createLineIndex } from '../../../../src/core/textPosition';
import { fixture, invariantProblems } from './helpers';

const codes = (r: ReturnType<typeof parse>): string[] => r.diagnostics.map((d) => d.code);

test('malformed JSON: the error is placed at the missing comma, and the turns around it are still read', () => {
  const good = fixture('openai-array.json');
  // Drop the comma after the second message (line 3, zero-based 2).
  const cut = good.indexOf('},\n  {"role": "assistant"');
  const text = good.slice(0, cut + 1) + good.slice(cut + 2);
  const r = parse(text, 'chat.json');
  const err = r.diagnostics.find((d) => d.code === 'json-syntax');
  assert.ok(err);
  assert.equal(err.severity, 'error');
  const pos = createLineIndex(text).positionAt(err.range.start);
  assert.deepEqual(pos, { line: 3, column: 2 });
  assert.equal(r.format, 'openai-chat');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.role),
    ['system', 'user', 'assistant', 'user', 'assistant'],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('JSONL: a broken line is reported at its position and every complete line before and after is read', () => {
  const lines = fixture('openai-finetune.jsonl').split('\n');
  lines[1] = (lines[1] ?? '').replace('"role": "user", "content"', '"role": "user" "content"');
  const text = lines.join('\n');
  const r = parse(text, 'train.jsonl');
  assert.deepEqual(
    r.conversations.map((c) => c.label),
    ['line 1', 'line 3'],
  );
  const errors = r.diagnostics.filter((d) => d.code === 'json-syntax');
  assert.equal(errors.length, 1);
  const pos = createLineIndex(text).positionAt(errors[0]?.range.start ?? -1);
  assert.equal(pos.line, 1);
  assert.equal(pos.column, (lines[1] ?? '').indexOf('"role": "user" "content"') + '"role": "user" '.length);
  assert.match(errors[0]?.message ?? '', /expected ','.*line 2 is skipped/);
  assert.deepEqual(invariantProblems(text, r), []);
});

test('unknown roles are reported at the role string and the message is skipped', () => {
  const text = '[{"role": "user", "content": "Hi"}, {"role": "narrator", "content": "It rains."}, {"role": "assistant", "content": "Hello"}]';
  const r = parse(text, 'chat.json');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.text),
    ['Hi', 'Hello'],
  );
  const d = r.diagnostics.find((x) => x.code === 'unknown-role');
  assert.equal(d?.severity, 'warning');
  assert.equal(text.slice(d?.range.start, d?.range.end), '"narrator"');
});

test('empty turns are kept, with a warning at their (empty) place', () => {
  const text = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "  "}, {"role": "user", "content": null}]}';
  const r = parse(text, 'chat.json');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [
      ['user', 'Hi'],
      ['assistant', '  '],
    ],
  );
  const empties = r.diagnostics.filter((d) => d.code === 'empty-turn');
  assert.equal(empties.length, 2);
  assert.equal(text.slice(empties[0]?.range.start, empties[0]?.range.end), '  ');
  assert.equal(text.slice(empties[1]?.range.start, empties[1]?.range.end), 'null');
});

test('a conversation without an assistant turn parses, with an info at its turn list that there is nothing to score', () => {
  const text = '{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}';
  const r = parse(text, 'chat.json');
  assert.deepEqual(r.conversations[0]?.turns.map((t) => t.role), ['system', 'user']);
  const d = r.diagnostics.find((x) => x.code === 'no-assistant-turn');
  assert.equal(d?.severity, 'info');
  assert.equal(text.slice(d?.range.start, d?.range.end), '"messages"');
});

test('files over the size limit are refused with a message, not parsed', () => {
  const small = parse(fixture('openai-array.json'), 'chat.json', { maxBytes: 100 });
  assert.equal(small.conversations.length, 0);
  assert.deepEqual(codes(small), ['too-large']);
  assert.match(small.diagnostics[0]?.message ?? '', /chat\.json is larger than the 100 bytes limit/);

  const big = 'x'.repeat(10 * 1024 * 1024 + 1);
  assert.deepEqual(codes(parse(big, 'big.jsonl')), ['too-large']);
  assert.deepEqual(codes(parse(big.slice(1), 'big.jsonl')).includes('too-large'), false);
  // Bytes, not characters: 4 MB of "é" is 8 MB of UTF-8, over a 6 MB limit.
  const accents = 'é'.repeat(4 * 1024 * 1024);
  assert.deepEqual(codes(parse(accents, 'a.md', { maxBytes: 6 * 1024 * 1024 })), ['too-large']);
});

test('binary content is refused; a few undecodable bytes are a warning and the file is still read', () => {
  const bin = parse('\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR', 'image.json');
  assert.deepEqual(codes(bin), ['binary']);
  assert.equal(bin.conversations.length, 0);

  // A Latin-1 file decoded as UTF-8: "café" becomes "caf\uFFFD".
  const latin1 = Buffer.from('[{"role": "user", "content": "un caf\xe9"}, {"role": "assistant", "content": "Voil\xe0."}]', 'latin1');
  const text = new TextDecoder('utf-8').decode(latin1);
  const r = parse(text, 'chat.json');
  assert.deepEqual(codes(r), ['invalid-utf8']);
  assert.equal(r.diagnostics[0]?.range.start, text.indexOf('\uFFFD'));
  assert.match(r.diagnostics[0]?.message ?? '', /2 character\(s\) could not be decoded/);
  assert.equal(r.conversations[0]?.turns.length, 2);

  const garbage = new TextDecoder('utf-8').decode(Uint8Array.from({ length: 600 }, (_, i) => 0x80 + (i % 64)));
  assert.deepEqual(codes(parse(garbage, 'x.json')), ['binary']);
});

test('a string with a raw control character is reported and only its turn is skipped', () => {
  const text = '[{"role": "user", "content": "two\tcolumns"}, {"role": "assistant", "content": "ok"}]';
  const r = parse(text, 'chat.json');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.text),
    ['ok'],
  );
  assert.ok(codes(r).includes('json-syntax'));
  const bad = r.diagnostics.find((d) => d.code === 'invalid-string');
  assert.equal(text.slice(bad?.range.start, bad?.range.end), '"two\tcolumns"');
});

test('a JSONL line of another shape is reported and skipped', () => {
  const text = '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n{"comment": "generated 2026-11-01"}\n';
  const r = parse(text, 'set.jsonl');
  assert.equal(r.conversations.length, 1);
  const d = r.diagnostics.find((x) => x.code === 'unrecognized-record');
  assert.match(d?.message ?? '', /line 2/);
  assert.equal(d?.range.start, text.indexOf('{"comment"'));
});

test('a UTF-8 byte order mark does not shift ranges', () => {
  const text = '\uFEFF' + fixture('openai-array.json');
  const r = parse(text, 'chat.json');
  assert.equal(r.conversations[0]?.turns.length, 5);
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('JSON that is no known format is "unknown", with syntax errors still shown', () => {
  const r = parse('{"name": "persona-lens", "version": 1', 'package.json');
  assert.equal(r.format, 'unknown');
  assert.deepEqual(codes(r), ['unknown-format', 'json-syntax']);
});

test('a format can be forced; an unknown id is an error', () => {
  const text = fixture('openai-array.json');
  assert.equal(parse(text, 'x.json', { format: 'openai-chat' }).conversations[0]?.turns.length, 5);
  const r = parse(text, 'x.json', { format: 'nope' });
  assert.equal(r.format, 'unknown');
  assert.deepEqual(codes(r), ['unknown-format']);
});

test('a file with thousands of broken lines gets a bounded number of diagnostics', () => {
  const text = Array.from({ length: 3000 }, () => '{"messages": [').join('\n');
  const r = parse(text, 'bad.jsonl');
  assert.ok(r.diagnostics.length <= 501);
  assert.equal(r.diagnostics[r.diagnostics.length - 1]?.code, 'too-many-diagnostics');
});

test('absurdly deep JSON is refused at the bracket that goes too deep, without a stack overflow', () => {
  const text = '{"messages": ' + '['.repeat(20000);
  const r = parse(text, 'deep.json');
  const d = r.diagnostics.find((x) => x.code === 'json-syntax');
  assert.match(d?.message ?? '', /nested deeper than 512 levels/);
  assert.equal(d?.range.start, '{"messages": '.length + 511);
  assert.ok(!codes(r).includes('internal-error'));

  const lines = [fixture('openai-finetune.jsonl').split('\n')[0] ?? '', '['.repeat(5000) + ']'.repeat(5000)].join('\n');
  const jl = parse(lines, 'deep.jsonl');
  assert.equal(jl.conversations.length, 1);
  assert.match(jl.diagnostics.find((x) => x.code === 'json-syntax')?.message ?? '', /line 2 is skipped/);
});
