import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstWords, formatBytes, formatDelta, formatValue, printable } from '../../../../src/core/report/format';
import { renderCsv, renderTable } from '../../../../src/core/report/table';
import { evaluateGate, GateUnusableError } from '../../../../src/core/gate';
import { withDeltas } from '../../../../src/core/scores';
import { calibrationOf } from '../../../../src/core/axis/calibration';
import { conversationScores, syntheticAxis, turnScores } from '../../../support/scores';
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

function turns(values: number[], surprise?: (number | null)[]): ReturnType<typeof conversationScores> {
  return conversationScores(turnScores(values, surprise ? { surprise } : {}));
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

test('--fail-zone fails on the zone asked for and worse, never on assistant turns', () => {
  // Synthetic axis: assistant >= 1.55, role <= 0.775 (see test/support/scores.ts).
  const s = turns([2, 1.2, 0.3]);
  assert.deepEqual(s.turns.map((t) => t.zone), ['assistant', 'drifting', 'role']);
  assert.deepEqual(evaluateGate(s, { failZone: 'role' }).map((f) => f.turn), [5]);
  assert.deepEqual(evaluateGate(s, { failZone: 'drifting' }).map((f) => f.turn), [3, 5]);
  assert.match(evaluateGate(s, { failZone: 'role' })[0]?.message ?? '', /turn 5 reads role/);
  assert.deepEqual(evaluateGate(turns([2, 1.9]), { failZone: 'drifting' }), []);
});

test('gates fail closed: unscored and out-of-domain assistant turns fail every gate unless allowed', () => {
  const cut = conversationScores(turnScores([2]), {
    unscored: [{ turn: 3, reason: 'beyond-token-limit' }],
    truncated: { firstTurnLeftOut: 2, tokenLimit: 100, fullTokens: 250 },
  });
  for (const gate of [{ failBelow: -100 }, { failDrop: 100 }, { failZone: 'role' as const }]) {
    const f = evaluateGate(cut, gate);
    assert.deepEqual(f.map((x) => x.turn), [3], JSON.stringify(gate));
    assert.match(f[0]?.message ?? '', /assistant turn 3 is beyond the 100-token limit/);
    assert.equal(f[0]?.value, null);
    assert.deepEqual(evaluateGate(cut, { ...gate, allowUnscored: true }), []);
  }
  assert.deepEqual(evaluateGate(cut, {}), [], 'no gate, no failure');
  const empty = conversationScores(turnScores([2]), { unscored: [{ turn: 3, reason: 'no-tokens' }] });
  assert.match(evaluateGate(empty, { failBelow: 0 })[0]?.message ?? '', /no content tokens/);
  // Surprise above the synthetic limit (2.49 nats/token): out of domain, value not trusted either way.
  const ood = turns([2, 1.9], [0.5, 6]);
  assert.equal(ood.turns[1]?.outOfDomain, true);
  assert.equal(ood.turns[1]?.zone, null);
  const f = evaluateGate(ood, { failBelow: 0 });
  assert.deepEqual(f.map((x) => x.turn), [3]);
  assert.match(f[0]?.message ?? '', /out of the model's domain \(surprise 6\.00 nats\/token\)/);
  assert.deepEqual(evaluateGate(ood, { failBelow: 0, allowUnscored: true }), []);
  // An out-of-domain first turn is not the reference of --fail-drop.
  assert.deepEqual(evaluateGate(turns([5, 2, 1.9], [6, 0.5, 0.5]), { failDrop: 0.5, allowUnscored: true }), []);
});

test('a zone gate this axis cannot evaluate is refused, not passed', () => {
  const v1 = { ...syntheticAxis(), version: 1 as const, layers: syntheticAxis().layers.map(({ populations: _p, ...l }) => l) };
  const noRole = conversationScores(turnScores([2], { calibration: calibrationOf(v1, 0) }), { calibration: calibrationOf(v1, 0) });
  assert.throws(() => evaluateGate(noRole, { failZone: 'role' }), (e: unknown) => e instanceof GateUnusableError && /needs a role population/.test(e.message));
  assert.equal(evaluateGate(noRole, { failZone: 'drifting' }).length, 0);
  const overlap = syntheticAxis();
  const layer = overlap.layers[0]!;
  const crossed = { ...overlap, layers: [{ ...layer, populations: { default: layer.populations!.default, role: layer.populations!.default } }] };
  const c = calibrationOf(crossed, 0);
  assert.equal(c.zones, null);
  assert.match(c.noZones ?? '', /does not separate at layer 0/);
  assert.throws(() => evaluateGate(conversationScores(turnScores([2], { calibration: c }), { calibration: c }), { failZone: 'drifting' }), /draws none at layer 0/);
});

test('layer lists accept single layers, ranges and lists', () => {
  assert.deepEqual(parseLayerList('2-3'), [2, 3]);
  assert.deepEqual(parseLayerList(' 5, 1-2 ,2 '), [1, 2, 5]);
  assert.deepEqual(parseLayerList(''), []);
  assert.throws(() => parseLayerList('3-1'), /backwards/);
  assert.throws(() => parseLayerList('a'), /not a layer/);
});
