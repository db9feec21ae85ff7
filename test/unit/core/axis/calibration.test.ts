// How values are read: zone cuts from an axis file's held-out populations, their error rates, the
// domain check, older (version 1) files, and axes whose populations do not separate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAxisFile, type AxisFile } from '../../../../src/core/axis/axisFile';
import { calibrationOf, domainLimit, isOutOfDomain, readReply, zoneOf } from '../../../../src/core/axis/calibration';
import { percentileTable, shareAtOrBelow } from '../../../../src/core/stats/descriptive';
import { evenPopulation, syntheticAxis } from '../../../support/scores';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function withPopulations(defaults: readonly number[] | null, roles: readonly number[] | null): AxisFile {
  const a = syntheticAxis();
  const pop = (xs: readonly number[] | null) => (xs ? { n: xs.length, table: percentileTable(xs) } : null);
  return { ...a, layers: a.layers.map((l) => ({ ...l, populations: { default: pop(defaults), role: pop(roles) } })) };
}

test('shares read back from a percentile table invert it', () => {
  const t = percentileTable([0, 1, 2, 3, 4]);
  assert.equal(shareAtOrBelow(t, -1), 0);
  assert.equal(shareAtOrBelow(t, 4), 1);
  close(shareAtOrBelow(t, 1), 0.25);
  close(shareAtOrBelow(t, 2.5), 0.625);
  assert.ok(Number.isNaN(shareAtOrBelow(t, NaN)));
  assert.throws(() => shareAtOrBelow([1, 2], 1), /101 entries/);
});

test('zones: assistant at the default p5, role halfway from the role median, with the rates that follow', () => {
  // Default replies evenly over [1.5, 2.5], role replies over [-0.5, 0.5].
  const c = calibrationOf(syntheticAxis(), 0);
  const z = c.zones;
  assert.ok(z);
  close(z.assistantFrom, 1.55);
  assert.equal(z.roleMedian, 0);
  close(z.roleTo ?? NaN, 0.775);
  assert.equal(z.roleRule, 'midpoint');
  assert.deepEqual(z.assistantSource, { population: 'held-out default-Assistant replies', n: 101, percentile: 5 });
  assert.deepEqual(z.roleSource, { population: 'held-out role replies', n: 101, percentile: 50 });
  close(z.rates.defaultNotAssistant, 0.05);
  assert.equal(z.rates.defaultInRole, 0);
  assert.equal(z.rates.roleInRole, 1, 'every role reply of this population is below the cut');
  assert.equal(z.rates.roleInAssistant, 0);
  assert.deepEqual(c.notes, []);
  assert.equal(zoneOf(1.55, z), 'assistant');
  assert.equal(zoneOf(1.549, z), 'drifting');
  assert.equal(zoneOf(0.776, z), 'drifting');
  assert.equal(zoneOf(0.775, z), 'role');
  assert.equal(zoneOf(-3, z), 'role');
});

test('where the populations overlap, the role cut stops at the default p1 so at most 1% of normal replies alarm', () => {
  // Most default replies over [1.5, 2.5], a few in a long lower tail reaching into the role replies.
  const defaults = [...Array.from({ length: 10 }, (_, i) => -0.5 + i * 0.15), ...Array.from({ length: 190 }, (_, i) => 1.5 + i / 190)];
  const roles = Array.from({ length: 200 }, (_, i) => -1 + i / 100); // -1 .. 0.99 (median ~0)
  const c = calibrationOf(withPopulations(defaults, roles), 0);
  const z = c.zones;
  assert.ok(z);
  assert.equal(z.roleRule, 'default-p1');
  assert.ok((z.roleTo ?? Infinity) < (z.roleMedian! + z.assistantFrom) / 2);
  close(z.rates.defaultInRole ?? NaN, 0.01, 1e-6);
  assert.match(c.notes.join(' '), /1st percentile of default replies/);
});

test('populations whose cuts cross draw no zones and say why', () => {
  const same = Array.from({ length: 50 }, (_, i) => i / 10);
  const c = calibrationOf(withPopulations(same, same), 0);
  assert.equal(c.zones, null);
  assert.match(c.noZones ?? '', /does not separate at layer 0: the median role reply \(2\.45\) is not below the 5th percentile of default replies/);
  assert.deepEqual(readReply(1, 0.5, c), { zone: null, outOfDomain: false });
});

test('small populations and a missing role population are noted', () => {
  const c = calibrationOf(withPopulations([1, 2, 3], null), 0);
  assert.ok(c.zones);
  assert.equal(c.zones.roleTo, null);
  assert.equal(c.zones.rates.roleInRole, null);
  assert.equal(zoneOf(-100, c.zones), 'drifting', 'without a role cut nothing reads role');
  assert.match(c.notes.join(' '), /only 3 held-out default-Assistant replies: the cuts are rough/);
});

test('a version 1 axis file still loads: assistant zone from its training replies, no role zone, a note', () => {
  const v2 = syntheticAxis();
  const v1 = { ...v2, version: 1, layers: v2.layers.map(({ populations: _p, ...l }) => l), surprise: undefined };
  const parsed = parseAxisFile(JSON.stringify(v1), 'old.axis.json');
  const c = calibrationOf(parsed, 0);
  assert.ok(c.zones);
  close(c.zones.assistantFrom, 1.64); // p5 of the floors table (even over [1.6, 2.4])
  assert.equal(c.zones.assistantSource.population, 'training default-Assistant replies');
  assert.equal(c.zones.roleTo, null);
  assert.equal(c.domain, null);
  assert.match(c.notes.join(' '), /axis file version 1: .*no role zone; recompute the axis/);
  assert.match(c.notes.join(' '), /no surprise distribution/);
  assert.throws(() => parseAxisFile(JSON.stringify({ ...v2, version: 3 }), 'new.axis.json'), /version 3 is not supported \(this build reads versions 1 and 2\)/);
});

test('the domain check flags only turns far above the model\'s own surprise', () => {
  const c = calibrationOf(syntheticAxis(), 0);
  assert.ok(c.domain);
  close(c.domain.ownP99, 0.992);
  close(c.domain.limit, 0.992 + 1.5);
  assert.equal(domainLimit(2), 4, 'twice the own p99 when that is further out');
  assert.equal(isOutOfDomain(2.4, c.domain), false);
  assert.equal(isOutOfDomain(2.6, c.domain), true);
  assert.equal(isOutOfDomain(null, c.domain), false, 'unknown surprise is not out of domain');
  assert.equal(isOutOfDomain(9, null), false, 'no domain check without a distribution');
  assert.deepEqual(readReply(-5, 9, c), { zone: null, outOfDomain: true });
  assert.deepEqual(readReply(-5, 0.5, c), { zone: 'role', outOfDomain: false });
  assert.deepEqual(readReply(NaN, 0.5, c), { zone: null, outOfDomain: false });
});

test('with a vocabulary size, the domain limit sits halfway from the own p99 to a uniform guess', () => {
  const base = syntheticAxis();
  const c = calibrationOf({ ...base, model: { ...base.model, vocabSize: 1024 } }, 0);
  assert.ok(c.domain);
  close(c.domain.limit, (0.992 + Math.log(1024)) / 2);
  close(domainLimit(1, 151_936), (1 + Math.log(151_936)) / 2); // a Qwen-size vocabulary
  assert.equal(domainLimit(3, 8), 6, 'never nearer than twice the own p99');
  assert.equal(isOutOfDomain(3.9, c.domain), false);
  assert.equal(isOutOfDomain(4.0, c.domain), true);
});

test('every axis file the CLI writes parses with its populations (the schema keeps them)', () => {
  const a = syntheticAxis({ layers: [{ ...syntheticAxis().layers[0]!, populations: { default: evenPopulation(1, 2), role: null } }] });
  const back = parseAxisFile(JSON.stringify(a), 'x.axis.json');
  assert.equal(back.layers[0]?.populations?.role, null);
  assert.equal(back.layers[0]?.populations?.default?.n, 101);
});
