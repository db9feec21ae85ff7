import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripScale, stripWeight, tokenStripHtml } from '../../../../src/core/report/tokenStrip';

test('the strip scale centres on tau and spans the farthest token', () => {
  assert.deepEqual(stripScale([1, 2, 5], 2), { centre: 2, spread: 3 });
  assert.deepEqual(stripScale([1, 2, 5], null), { centre: 2, spread: 3 });
  assert.deepEqual(stripScale([], null), { centre: 0, spread: 1 });
  assert.equal(stripWeight(-10, { centre: 0, spread: 2 }), -1);
  assert.equal(stripWeight(1, { centre: 0, spread: 2 }), 0.5);
  assert.ok(Number.isNaN(stripWeight(NaN, { centre: 0, spread: 2 })));
});

test('the strip keeps every token text, escaped, with its sign and weight', () => {
  const html = tokenStripHtml(
    [
      { text: 'Arr', start: 0, end: 3, value: -1 },
      { text: ' <b>&', start: 3, end: 8, value: 0.5 },
    ],
    { centre: 0, spread: 1 },
  );
  assert.match(html, /<span class="pl-tok neg w10" data-value="-1"[^>]*>Arr<\/span>/);
  assert.match(html, /<span class="pl-tok pos w5"[^>]*> &lt;b&gt;&amp;<\/span>/);
  assert.doesNotMatch(html, /<b>|style=/);
});
