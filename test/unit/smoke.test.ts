import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TextRange } from '../../src/core/transcript';

test('test runner compiles TypeScript', () => {
  const r: TextRange = { start: 1, end: 3 };
  assert.equal(r.end - r.start, 2);
});
