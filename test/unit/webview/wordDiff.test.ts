// Word diff of the uncapped and capped replies: segments rebuild both texts, runs of one kind are
// merged, and word counts add up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordDiff, type DiffSegment } from '../../../webview/wordDiff';

const rebuild = (segs: readonly DiffSegment[], drop: 'added' | 'removed'): string =>
  segs
    .filter((s) => s.kind !== drop)
    .map((s) => s.text)
    .join('');

test('segments rebuild both texts and count changed words', () => {
  const before = 'Arr, gather round, ye landlubber! I be a pirate captain.';
  const after = 'Here is what I suggest. I be a helpful assistant.';
  const d = wordDiff(before, after);
  assert.equal(rebuild(d.segments, 'added'), before);
  assert.equal(rebuild(d.segments, 'removed'), after);
  assert.ok(d.added > 0 && d.removed > 0 && d.same > 0);
  for (let i = 1; i < d.segments.length; i++) {
    assert.notEqual(
      d.segments[i]?.kind,
      d.segments[i - 1]?.kind,
      'adjacent segments of one kind were not merged',
    );
  }
  assert.ok(d.segments.some((s) => s.kind === 'same' && s.text.includes('be a')));
});

test('identical and empty texts', () => {
  const same = wordDiff('one two three', 'one two three');
  assert.deepEqual(same.segments, [{ kind: 'same', text: 'one two three' }]);
  assert.equal(same.same, 3);
  assert.equal(same.added + same.removed, 0);
  const fromEmpty = wordDiff('', 'new words here');
  assert.deepEqual(fromEmpty.segments, [{ kind: 'added', text: 'new words here' }]);
  assert.equal(fromEmpty.added, 3);
  assert.deepEqual(wordDiff('', '').segments, []);
});
