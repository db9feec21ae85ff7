// From a turn's text (what the engine scores) back to the file: JSON escapes, surrogate pairs,
// verbatim Markdown, multi-part messages, and files that no longer hold the parsed text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { jsonStringOffsets, sourceOffsets, sourceSpan, type SourceOffsets } from '../../../../src/core/heat/sourceOffsets';
import type { Turn } from '../../../../src/core/transcript';

/** Every character of the text is what its source slice decodes to (one unit per escape). */
function assertDecodes(turn: Turn, source: string, map: SourceOffsets, decode: (slice: string) => string): void {
  assert.equal(map.start.length, turn.text.length);
  for (let i = 0; i < turn.text.length; i++) {
    const slice = source.slice(map.start[i], map.end[i]);
    if (slice.length === 0) continue;
    assert.equal(decode(slice), turn.text[i], `character ${i} of ${JSON.stringify(turn.text)} from ${JSON.stringify(slice)}`);
  }
}

const jsonUnit = (slice: string): string => {
  const s = JSON.parse(`"${slice}"`) as string;
  return s;
};

test('JSON string content: every escape maps to its source characters', () => {
  const content = 'Line one\nTab\there "quoted" back\\slash é \u00e9 emoji 😀 / done';
  // JSON.stringify writes \n, \t, \", \\ and keeps é and 😀 raw; add \u escapes and an escaped slash by hand.
  const body = JSON.stringify(content).slice(1, -1).replace('é \u00e9', 'é \\u00e9').replace(' / ', ' \\/ ').replace('😀', '\\ud83d\\ude00');
  const source = `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"${body}"}]}`;
  const turn = parse(source, 'c.json').conversations[0]?.turns[1];
  assert.ok(turn);
  assert.equal(turn.text, content);
  assert.equal(turn.encoding, 'json-string');
  const map = sourceOffsets(turn, source);
  assert.ok(map);
  assert.equal(map.start[0], turn.range.start);
  assert.equal(map.end[content.length - 1], turn.range.end);
  // Contiguous: each character starts where the one before ends.
  for (let i = 1; i < content.length; i++) assert.equal(map.start[i], map.end[i - 1], `offset ${i}`);
  // A surrogate pair written as two \u escapes: each half has its own six characters.
  const e = content.indexOf('😀');
  assert.deepEqual(sourceSpan(map, e, e + 2), { start: source.indexOf('\\ud83d'), end: source.indexOf('\\ude00') + 6 });
  assertDecodes(turn, source, map, (slice) => (slice.startsWith('\\ud8') || slice.startsWith('\\ude') ? String.fromCharCode(parseInt(slice.slice(2), 16)) : jsonUnit(slice)));
  // A token "quoted" (with its quotes) covers the escaped quotes in the file.
  const q = content.indexOf('"quoted"');
  const span = sourceSpan(map, q, q + 8);
  assert.equal(source.slice(span?.start, span?.end), '\\"quoted\\"');
});

test('Markdown turns map one to one', () => {
  const source = '## User\n\nHello\n\n## Assistant\n\nSure — here is *text*.\nSecond line.\n';
  const parsed = parse(source, 'chat.md');
  const turn = parsed.conversations[0]?.turns.find((t) => t.role === 'assistant');
  assert.ok(turn, JSON.stringify(parsed.diagnostics));
  const map = sourceOffsets(turn, source);
  assert.ok(map);
  assertDecodes(turn, source, map, (s) => s);
  const all = sourceSpan(map, 0, turn.text.length);
  assert.equal(source.slice(all?.start, all?.end), turn.text);
});

test('multi-part content: parts map to their own ranges, separators and placeholders to nothing', () => {
  const source = JSON.stringify({
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'First "part"' },
          { type: 'image_url', image_url: { url: 'data:x' } },
          { type: 'text', text: 'Second\npart' },
        ],
      },
    ],
  });
  const turn = parse(source, 'c.json').conversations[0]?.turns[1];
  assert.ok(turn);
  assert.equal(turn.encoding, 'parts');
  const map = sourceOffsets(turn, source);
  assert.ok(map);
  assertDecodes(turn, source, map, jsonUnit);
  const second = turn.text.indexOf('Second');
  const secondSpan = sourceSpan(map, second, turn.text.length);
  assert.equal(source.slice(secondSpan?.start, secondSpan?.end), 'Second\\npart');
  // The "[image_url]" placeholder and the separators around it cover no characters of the file.
  const ph = turn.text.indexOf('[');
  assert.equal(sourceSpan(map, ph - 1, second), null);
  const firstSpan = sourceSpan(map, 0, ph);
  assert.equal(source.slice(firstSpan?.start, firstSpan?.end), 'First \\"part\\"');
});

test('a file that no longer holds the text, or a broken escape, gives no mapping', () => {
  const source = '{"messages":[{"role":"assistant","content":"abc\\ndef"}]}';
  const turn = parse(source, 'c.json').conversations[0]?.turns[0];
  assert.ok(turn);
  assert.ok(sourceOffsets(turn, source));
  assert.equal(sourceOffsets(turn, source.replace('abc', 'abd')), null);
  assert.equal(sourceOffsets(turn, source.slice(0, 20)), null);
  assert.equal(jsonStringOffsets('a', { start: 0, end: 2 }, '\\q'), null);
  assert.equal(jsonStringOffsets('a', { start: 0, end: 4 }, '\\u00'), null);
  assert.equal(sourceOffsets({ text: 'x', range: { start: 0, end: 1 }, encoding: 'yaml-double-json' }, 'x'), null);
});
