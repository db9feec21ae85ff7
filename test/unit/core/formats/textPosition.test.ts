import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineIndex, offsetToPosition } from '../../../../src/core/textPosition';

test('offsets map to zero-based line and UTF-16 column for \\n, \\r\\n and lone \\r', () => {
  const text = 'ab\ncd\r\nef\rg😀h';
  const idx = createLineIndex(text);
  assert.equal(idx.lineCount, 4);
  const expect: [number, number, number][] = [
    [0, 0, 0],
    [2, 0, 2],
    [3, 1, 0],
    [5, 1, 2],
    [7, 2, 0],
    [10, 3, 0],
    [11, 3, 1],
    // The emoji is two code units, as in VS Code.
    [13, 3, 3],
    [text.length, 3, 4],
  ];
  for (const [offset, line, column] of expect) assert.deepEqual(idx.positionAt(offset), { line, column }, `offset ${offset}`);
});

test('positionAt and offsetAt round-trip on every offset that is not inside a \\r\\n pair', () => {
  const text = 'line one\r\n\r\nthird\nfourth\rfifth\n';
  const idx = createLineIndex(text);
  for (let o = 0; o <= text.length; o++) {
    if (text[o - 1] === '\r' && text[o] === '\n') continue;
    assert.equal(idx.offsetAt(idx.positionAt(o)), o, `offset ${o}`);
  }
});

test('out-of-range offsets and positions are clamped', () => {
  assert.deepEqual(offsetToPosition('ab\ncd', -5), { line: 0, column: 0 });
  assert.deepEqual(offsetToPosition('ab\ncd', 99), { line: 1, column: 2 });
  assert.deepEqual(offsetToPosition('', 0), { line: 0, column: 0 });
  const idx = createLineIndex('ab\ncd');
  assert.equal(idx.offsetAt({ line: 0, column: 99 }), 2);
  assert.equal(idx.offsetAt({ line: 7, column: 0 }), 5);
});
