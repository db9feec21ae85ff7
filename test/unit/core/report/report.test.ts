import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstWords, formatBytes, formatDelta, formatValue, printable } from '../../../../src/core/report/format';
import { renderCsv, renderTable } from '../../../../src/core/report/table';
import { evaluateGate } from '../../../../src/core/gate';
import { withDeltas, type TurnScore } from '../../../../src/core/scores';
import { parseLayerList } from '../../../../src/core/layers';

test('values carry an explicit sign and fixed decimals', () => {
  assert.equal(formatValue(0.4249), '+0.42');
  assert.equal(formatValue(-1.3), '-1.30');
  assert.equal(formatValue(-0.001), '+0.00');
  assert.equal(formatDelta(null), '');
  assert.equal(formatDelta(-0.125, 3), 'Δ -0.125');
  assert.equal(firstWords('  Hello\n\n  world,   how are you today my friend?', 20), 'Hello world, how ar…');
});

test('text from files cannot drive a terminal: control characters and bidi overrides are escaped or replaced', () => {
  assert.equal(printable('a\u001b[31mb\u0007\r\nc\td\u202ee\ufffd'), 'a\\u001b[31mb\\u0007\\u000d\nc\td\\u202ee\\ufffd');
  assert.equal(printable('x'.repeat(10), 4), 'xxxx…');
  assert.equal(firstWords('\u001b]0;pwned\u0007 reply \u202eevil'), '\ufffd]0;pwned\ufffd reply \ufffdevil');
  assert.deepEqual([0, 1023, 1024, 10 * 1024 ** 2, 5 * 1024 ** 3].map((n) => formatBytes(n)), ['0 bytes', '1023 bytes', '1.0 KB', '10.0 MB', '5.0 GB']);
});

test('tables pad columns and CSV quotes what needs quoting', () => {
  const t = renderTable([{ a: 'x', b: 1 }, { a: 'longer', b: 22 }], [
    { header: 'name', cell: (r) => r.a },
    { header: 'n', cell: (r) => String(r.b), align: 'right' },
  ]);
  assert.equal(t, 'name     n\n------  --\nx        1\nlonger  22');
  assert.equal(renderCsv(['a', 'b'], [['x,y', 'say "hi"'], [null, 2]]), 'a,b\r\n"x,y","say ""hi"""\r\n,2\r\n');
});

function turns(values: number[]): TurnScore[] {
  return withDeltas(values.map((value, i) => ({ turn: 2 * i + 1, role: 'assistant' as const, value, belowFloor: false, minToken: value, maxToken: value, tokenCount: 3, layerValues: [value], tokens: [] })));
}

test('deltas compare with the previous turn of the same role', () => {
  const t = withDeltas([
    { role: 'user', value: 5 },
    { role: 'assistant', value: 1 },
    { role: 'user', value: 4 },
    { role: 'assistant', value: 0.5 },
  ]);
  assert.deepEqual(t.map((x) => x.delta), [null, null, -1, -0.5]);
});

test('gates fail on values below a floor or drops from the first assistant turn', () => {
  assert.deepEqual(evaluateGate(turns([2, 1.5, 1.8]), { failBelow: 1 }), []);
  const below = evaluateGate(turns([2, 0.5, 1.8]), { failBelow: 1 });
  assert.equal(below.length, 1);
  assert.equal(below[0]?.turn, 3);
  const drop = evaluateGate(turns([2, 1.5, 0.9]), { failDrop: 1 });
  assert.deepEqual(drop.map((f) => f.turn), [5]);
  assert.match(drop[0]?.message ?? '', /dropped 1\.100 below the first assistant turn/);
  assert.deepEqual(evaluateGate(turns([2, 0.9]), {}), []);
});

test('layer lists accept single layers, ranges and lists', () => {
  assert.deepEqual(parseLayerList('2-3'), [2, 3]);
  assert.deepEqual(parseLayerList(' 5, 1-2 ,2 '), [1, 2, 5]);
  assert.deepEqual(parseLayerList(''), []);
  assert.throws(() => parseLayerList('3-1'), /backwards/);
  assert.throws(() => parseLayerList('a'), /not a layer/);
});
