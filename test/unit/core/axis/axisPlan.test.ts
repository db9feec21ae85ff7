import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBattery } from '../../../../src/core/battery';
import { planAxisRuns, responseProblem, runSeed } from '../../../../src/core/axis/axisPlan';

test('a quick plan builds on training items and validates on held-out ones', () => {
  const battery = loadBattery();
  const runs = planAxisRuns(battery, 'quick');
  const keys = new Set(runs.map((r) => r.key));
  assert.equal(keys.size, runs.length, 'keys are unique');
  const heldRoles = new Set(battery.split.heldOutRoles);
  const heldQuestions = new Set(battery.split.heldOutQuestions);
  for (const r of runs) {
    const mustBeHeld = heldRoles.has(r.persona) || heldQuestions.has(r.questionId);
    assert.equal(r.heldOut, mustBeHeld, r.key);
  }
  const train = runs.filter((r) => !r.heldOut);
  assert.ok(train.some((r) => r.persona === 'default'));
  assert.equal(new Set(train.filter((r) => r.persona !== 'default').map((r) => r.persona)).size, battery.quick.roles.length);
  assert.ok(runs.some((r) => r.heldOut && r.persona === 'default'));
  assert.ok(runs.some((r) => r.heldOut && heldRoles.has(r.persona)));
  assert.ok(runs.length < planAxisRuns(battery, 'full').length);
  // The default prompts rotate, including "no system prompt".
  assert.ok(train.some((r) => r.persona === 'default' && r.systemPrompt === null));
});

test('the in-role heuristic drops refusals and AI self-identification for roles only', () => {
  assert.equal(responseProblem('Arr, the sea be calm today, matey.', 'pirate'), null);
  assert.equal(responseProblem('As an AI, I do not sail ships.', 'pirate'), 'identifies as an AI');
  assert.equal(responseProblem("I'm sorry, but I can't role-play that.", 'pirate'), 'refuses the role');
  assert.equal(responseProblem('I am an AI assistant and can help with that.', 'default'), null);
  assert.equal(responseProblem('Yes.', 'default'), null);
  assert.equal(responseProblem('  \n', 'pirate'), 'empty reply');
});

test('every run gets its own sampling seed, the same on every computation with the same axis seed', () => {
  const battery = loadBattery();
  const keys = planAxisRuns(battery, 'full').map((r) => r.key);
  const seeds = keys.map((k) => runSeed(0, k));
  assert.equal(new Set(seeds).size, keys.length);
  assert.deepEqual(keys.map((k) => runSeed(0, k)), seeds);
  assert.notDeepEqual(keys.map((k) => runSeed(1, k)), seeds);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
});
