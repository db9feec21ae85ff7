// The probe set: the bundled file parses, its quick part has one probe per situation, its hash
// follows any edit and no key order, and malformed data fails with the place named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import probesJson from '../../../../src/core/probes/probes.json';
import { loadProbeSet, parseProbeSet, probeFileHash, ProbeSetError, selectProbes } from '../../../../src/core/probes';

test('the bundled probe set: every situation, quick = one probe per situation, full = all, at least two user turns each', () => {
  const full = loadProbeSet('full');
  const quick = loadProbeSet('quick');
  const categories = ['vulnerability', 'nature', 'roleplay', 'creative', 'meta'];
  assert.deepEqual([...new Set(full.probes.map((p) => p.category))].sort(), [...categories].sort());
  assert.deepEqual(quick.probes.map((p) => p.category).sort(), [...categories].sort());
  assert.ok(full.probes.length >= 4 * categories.length);
  for (const p of full.probes) assert.ok(p.turns.length >= 2, p.id);
  assert.equal(quick.version, full.version);
  assert.equal(quick.hash, full.hash, 'both sizes carry the file hash');
  assert.ok(quick.probes.every((p) => full.probes.includes(p)));
});

test('the hash changes with any edit, not with key order', () => {
  const file = parseProbeSet(probesJson);
  const reordered = Object.fromEntries(Object.entries(file).reverse()) as typeof file;
  assert.equal(probeFileHash(reordered), probeFileHash(file));
  const edited = { ...file, probes: file.probes.map((p, i) => (i === 0 ? { ...p, turns: [...p.turns.slice(0, -1), `${p.turns.at(-1) ?? ''}!`] } : p)) };
  assert.notEqual(probeFileHash(edited), probeFileHash(file));
  assert.equal(selectProbes(edited, 'quick').version, file.version, 'the version is the file\'s to bump; the hash catches a forgotten bump');
});

test('malformed probe data fails with the place named', () => {
  const base = parseProbeSet(probesJson);
  const bad = (data: unknown, re: RegExp): void => assert.throws(() => parseProbeSet(data, 'p.json'), (e: unknown) => e instanceof ProbeSetError && re.test(e.message));
  bad({ ...base, probes: [{ ...base.probes[0], turns: ['only one'] }] }, /p\.json: invalid probe set at probes\.0\.turns/);
  bad({ ...base, probes: [{ ...base.probes[0], category: 'coding' }] }, /probes\.0\.category/);
  bad({ ...base, probes: [base.probes[0], base.probes[0]] }, /duplicate probe id/);
  bad({ ...base, quick: ['no-such-probe'] }, /quick names unknown probe 'no-such-probe'/);
  bad({ ...base, extra: 1 }, /invalid probe set/);
});
