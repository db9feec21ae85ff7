// The panel's persisted view state and keyboard selection (pure; the page wires them to the DOM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseViewState, sameTurn, stepSelection } from '../../../webview/viewState';

test('stored view state round-trips; malformed state falls back to defaults', () => {
  const s = { selected: { conversation: 1, turn: 4 }, view: 'compare' };
  assert.deepEqual(parseViewState(s), s);
  assert.deepEqual(parseViewState({ selected: { conversation: 0, turn: 2 } }), {
    selected: { conversation: 0, turn: 2 },
    view: 'drift',
  });
  for (const bad of [
    undefined,
    null,
    'x',
    { view: 'zoom' },
    { selected: { conversation: -1, turn: 0 } },
    { selected: { conversation: 0 } },
  ]) {
    assert.deepEqual(parseViewState(bad), { selected: null, view: 'drift' }, JSON.stringify(bad));
  }
});

test('arrow keys, Home and End move the selection among the plotted turns, clamped at the ends', () => {
  const pts = [
    { conversation: 0, turn: 2 },
    { conversation: 0, turn: 4 },
    { conversation: 1, turn: 2 },
  ];
  assert.deepEqual(stepSelection(pts, null, 'ArrowRight'), pts[0]);
  assert.deepEqual(stepSelection(pts, pts[0]!, 'ArrowRight'), pts[1]);
  assert.deepEqual(stepSelection(pts, pts[1]!, 'ArrowDown'), pts[2]);
  assert.deepEqual(stepSelection(pts, pts[2]!, 'ArrowRight'), pts[2]);
  assert.deepEqual(stepSelection(pts, pts[2]!, 'ArrowLeft'), pts[1]);
  assert.deepEqual(stepSelection(pts, pts[0]!, 'ArrowUp'), pts[0]);
  assert.deepEqual(stepSelection(pts, pts[1]!, 'Home'), pts[0]);
  assert.deepEqual(stepSelection(pts, pts[0]!, 'End'), pts[2]);
  assert.deepEqual(
    stepSelection(pts, { conversation: 9, turn: 9 }, 'ArrowLeft'),
    pts[0],
    'a stale selection restarts at the first turn',
  );
  assert.equal(stepSelection(pts, pts[0]!, 'a'), null);
  assert.equal(stepSelection([], null, 'ArrowRight'), null);
  assert.ok(sameTurn(pts[0]!, { conversation: 0, turn: 2 }));
  assert.ok(!sameTurn(pts[0]!, pts[2]!));
  assert.ok(!sameTurn(null, null));
});
