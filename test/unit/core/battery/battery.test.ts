import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatteryError, batteryHash, loadBattery, parseBattery, selectBattery } from '../../../../src/core/battery/index';

// Golden hash of src/core/battery/battery.json. Changing the battery changes every axis fitted
// with it, so an edit must update this value on purpose (and regenerate models/demo).
const BATTERY_SHA256 = '3b49297c75c273b7889574de868c678d30cb870430fd03b1a6f81b6f0865cfc7';

const b = loadBattery();

test('battery has enough roles, questions and prompt variants', () => {
  assert.ok(b.roles.length >= 60, `roles: ${b.roles.length}`);
  assert.ok(b.questions.length >= 40, `questions: ${b.questions.length}`);
  for (const r of b.roles) assert.ok(r.systemPrompts.length >= 3, `${r.id} has ${r.systemPrompts.length} prompts`);
  assert.ok(b.defaultPrompts.some((p) => p.systemPrompt === null), 'a "no system prompt" default is missing');
  assert.ok(b.defaultPrompts.length >= 3);
  assert.ok(b.questions.some((q) => q.kind === 'identity'));
});

test('roles span the assistant-likeness scale', () => {
  const grades = b.roles.map((r) => r.assistantLikeness);
  assert.ok(Math.min(...grades) <= 0.05 && Math.max(...grades) >= 0.9, `grades ${Math.min(...grades)}..${Math.max(...grades)}`);
  const thirds = [0, 1, 2].map((k) => grades.filter((g) => g >= k / 3 && g < (k + 1) / 3 + (k === 2 ? 1 : 0)).length);
  for (const n of thirds) assert.ok(n >= 10, `grade thirds ${thirds.join('/')}`);
});

test('ids, system prompts and question texts are unique', () => {
  const unique = (xs: readonly string[]): boolean => new Set(xs).size === xs.length;
  assert.ok(unique(b.roles.map((r) => r.id)));
  assert.ok(unique(b.roles.flatMap((r) => r.systemPrompts)));
  assert.ok(unique(b.questions.map((q) => q.id)));
  assert.ok(unique(b.questions.map((q) => q.text)));
  assert.ok(unique(b.defaultPrompts.map((p) => p.id)));
});

test('train and held-out splits are disjoint and cover the battery', () => {
  const train = selectBattery(b, 'train');
  const held = selectBattery(b, 'heldOut');
  const trainRoles = new Set(train.roles.map((r) => r.id));
  const trainQuestions = new Set(train.questions.map((q) => q.id));
  assert.ok(held.roles.length >= 2 && held.questions.length >= Math.floor(b.questions.length / 5));
  for (const r of held.roles) assert.ok(!trainRoles.has(r.id), `role ${r.id} in both splits`);
  for (const q of held.questions) assert.ok(!trainQuestions.has(q.id), `question ${q.id} in both splits`);
  assert.equal(train.roles.length + held.roles.length, b.roles.length);
  assert.equal(train.questions.length + held.questions.length, b.questions.length);
});

test('quick subset is 12 training roles x 10 training questions', () => {
  const quick = selectBattery(b, 'quick');
  assert.equal(quick.roles.length, 12);
  assert.equal(quick.questions.length, 10);
  const held = new Set([...b.split.heldOutRoles, ...b.split.heldOutQuestions]);
  for (const x of [...quick.roles, ...quick.questions]) assert.ok(!held.has(x.id), `${x.id} is held out`);
  const grades = quick.roles.map((r) => r.assistantLikeness);
  assert.ok(Math.max(...grades) - Math.min(...grades) >= 0.8, 'quick roles should span the scale');
});

test('battery hash is stable and independent of key order', () => {
  assert.equal(batteryHash(b), BATTERY_SHA256);
  const reversed = reverseKeys(b);
  assert.notEqual(JSON.stringify(reversed), JSON.stringify(b));
  assert.equal(batteryHash(parseBattery(reversed)), BATTERY_SHA256);
  const edited = structuredClone(b) as unknown as { roles: { assistantLikeness: number }[] };
  edited.roles[0]!.assistantLikeness = 0.5;
  assert.notEqual(batteryHash(parseBattery(edited)), BATTERY_SHA256);
});

test('parseBattery rejects malformed data with the source name', () => {
  const dup = structuredClone(b) as unknown as { roles: { id: string }[] };
  dup.roles[1]!.id = dup.roles[0]!.id;
  assert.throws(() => parseBattery(dup, 'x.json'), (e: unknown) => e instanceof BatteryError && /x\.json: duplicate role id/.test(e.message));
  const unknownSplit = structuredClone(b) as unknown as { split: { heldOutRoles: string[] } };
  unknownSplit.split.heldOutRoles.push('no_such_role');
  assert.throws(() => parseBattery(unknownSplit), /unknown id 'no_such_role'/);
  const fewPrompts = structuredClone(b) as unknown as { roles: { systemPrompts: string[] }[] };
  fewPrompts.roles[0]!.systemPrompts = ['only one'];
  assert.throws(() => parseBattery(fewPrompts), /roles\.0\.systemPrompts/);
});

function reverseKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(reverseKeys);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).reverse().map(([k, y]) => [k, reverseKeys(y)]));
  return x;
}
