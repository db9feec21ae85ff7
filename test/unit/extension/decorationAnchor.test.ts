// Where the per-turn value is drawn: visible on JSON transcripts' one-line messages too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseAnchor, LONG_LINE_CHARS } from '../../../src/extension/decorationAnchor';

const short = { line: 16, text: '      "content": "Short answer."' };
const long = { line: 16, text: `      "content": "${'word '.repeat(1000)}"` };
const end = { line: 18, character: 7 };

test('auto: after a short first line, before the text of a long one', () => {
  assert.deepEqual(chooseAnchor('auto', short, end, false), {
    side: 'after',
    line: 16,
    character: short.text.length,
  });
  assert.deepEqual(chooseAnchor('auto', long, end, false), { side: 'before', line: 16, character: 6 });
});

test('auto: a wrapping editor shows the end of a long line, so the value goes there', () => {
  assert.deepEqual(chooseAnchor('auto', long, end, true), {
    side: 'after',
    line: 16,
    character: long.text.length,
  });
});

test('auto switches at LONG_LINE_CHARS', () => {
  const at = { line: 0, text: 'x'.repeat(LONG_LINE_CHARS) };
  const over = { line: 0, text: 'x'.repeat(LONG_LINE_CHARS + 1) };
  assert.equal(chooseAnchor('auto', at, end, false).side, 'after');
  assert.equal(chooseAnchor('auto', over, end, false).side, 'before');
});

test('explicit positions are honoured whatever the line length', () => {
  assert.deepEqual(chooseAnchor('firstLine', long, end, false), {
    side: 'after',
    line: 16,
    character: long.text.length,
  });
  assert.deepEqual(chooseAnchor('lineStart', short, end, true), { side: 'before', line: 16, character: 6 });
  assert.deepEqual(chooseAnchor('end', short, end, false), { side: 'after', line: 18, character: 7 });
});

test('a blank first line anchors at its end', () => {
  assert.deepEqual(chooseAnchor('lineStart', { line: 3, text: '   ' }, end, false), {
    side: 'before',
    line: 3,
    character: 3,
  });
});
