// The register classifier and the template matcher, built from the committed generator files
// (models/demo/eval): they must label the generator's own replies exactly and reject what is not
// the generator's language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeRegisterClassifier } from '../../../src/core/demo/registerClassifier';
import { makeTemplateMatcher, escapeRegExp } from '../../../src/core/demo/templateMatcher';
import { hasRoleMarkers, inPromptedPersona, personaKeeping } from '../../../src/core/demo/persona';
import { EvalSetError, parseEvalFile, RegisterLexiconsSchema } from '../../../src/core/demo/evalSets';
import { loadEvalSets } from '../../../tools/demo-model/proof/evalFiles';

const sets = loadEvalSets(join(process.cwd(), 'models', 'demo'));

test('the classifier calls every default reference reply assistant', () => {
  const labels = [...sets.default.items, ...sets.axis.items.filter((it) => it.persona === 'default')].map((it) => sets.classify(it.reference).label);
  assert.deepEqual(labels, labels.map(() => 'assistant'));
});

test('the classifier names the role of every zero-mix role reference reply (pure role register)', () => {
  const zero = sets.role.items.filter((it) => it.mix === 0);
  assert.ok(zero.length >= 60);
  for (const it of zero) assert.equal(sets.classify(it.reference).label, it.role, it.reference);
});

test('role references that carry role markers carry the prompted role\'s (graded roles may be all assistant sentences)', () => {
  let withMarkers = 0;
  for (const it of sets.role.items) {
    const v = sets.classify(it.reference);
    if (!hasRoleMarkers(v.counts)) continue;
    withMarkers++;
    assert.ok(inPromptedPersona(v, it.role), `${it.role}: ${it.reference}`);
  }
  // Most references carry markers: graded roles' all-assistant replies are the only ones without.
  assert.ok(withMarkers >= 0.85 * sets.role.items.length, `${withMarkers} of ${sets.role.items.length}`);
  assert.equal(inPromptedPersona(sets.classify('Arr, matey! Happy to help.'), 'pirate'), true);
  assert.equal(inPromptedPersona(sets.classify('Arr, matey! Happy to help.'), 'ghost'), false);
});

test('classifier rule: assistant must strictly outnumber every role; ties go to the first role id; no markers is none', () => {
  const c = makeRegisterClassifier({ description: '', wordPattern: "[a-z']+", lexicons: { assistant: ['glad', 'help'], pirate: ['arr', 'matey'], bard: ['hark', 'thee'] } });
  assert.equal(c('Glad to help, matey.').label, 'assistant');
  assert.equal(c('Glad, arr.').label, 'pirate', 'a tie with a role is not assistant');
  assert.equal(c('Hark, arr!').label, 'bard', 'ties between roles: sorted id order');
  assert.equal(c('Nothing here.').label, 'none');
  assert.deepEqual(c('ARR arr Matey').counts, { assistant: 0, pirate: 3, bard: 0 });
});

test('persona keeping counts trained roles only, and only replies that carry role markers', () => {
  const c = makeRegisterClassifier({ description: '', wordPattern: "[a-z']+", lexicons: { assistant: ['glad', 'help'], pirate: ['arr', 'matey'], bard: ['hark', 'thee'] } });
  const k = personaKeeping(
    [
      { text: 'Arr, matey!', role: 'pirate' },
      { text: 'Hark, arr, matey.', role: 'bard' },
      { text: 'Glad to help.', role: 'pirate' },
      { text: 'Hark!', role: 'cowboy' },
    ],
    c,
    ['cowboy'],
  );
  assert.deepEqual(k, { share: 50, voiced: 2, trained: 3 });
  assert.ok(Number.isNaN(personaKeeping([{ text: 'Glad.', role: 'bard' }], c, []).share));
});

test('every reference reply of every set matches the generator templates', () => {
  const texts = [
    ...sets.default.items.map((it) => it.reference),
    ...sets.role.items.map((it) => it.reference),
    ...sets.drift.items.map((it) => it.reference),
    ...sets.axis.items.map((it) => it.reference),
    ...sets.driftFull.items.flatMap((it) => it.messages.filter((m) => m.role === 'assistant').map((m) => m.content)),
  ];
  let total = 0;
  for (const t of texts) {
    const c = sets.match(t);
    assert.deepEqual(c.unmatched, [], t);
    total += c.total;
  }
  assert.ok(total > 2500, `only ${total} sentences checked`);
});

test('the matcher rejects spliced, cut and unknown sentences and requires a known tip', () => {
  const m = makeTemplateMatcher({ description: '', sentenceSplit: '(?<=[.!?])\\s+', slots: { tip: ['take short breaks', 'keep a steady pace'], topic: '[^.!?\\n]+' }, templates: { assistant: ['First, {tip}.', 'Here are a few steps for {topic}.'], pirate: ['Arr, {tip}, matey!'] } });
  assert.deepEqual(m('First, take short breaks. Here are a few steps for baking (a cake). Arr, keep a steady pace, matey!'), { matched: 3, total: 3, unmatched: [], lastMatched: true });
  const bad = m('First, take a nap. First, keep a steady pace, matey! Here are a few steps for');
  assert.equal(bad.matched, 0);
  assert.equal(bad.total, 3);
  assert.equal(bad.lastMatched, false);
  assert.equal(escapeRegExp('a.b*(c)'), 'a\\.b\\*\\(c\\)');
});

test('a malformed lexicon file is refused with its name', () => {
  assert.throws(() => parseEvalFile(RegisterLexiconsSchema, '{"description":"","wordPattern":"x","lexicons":{"pirate":[]}}', 'lex.json'), (e: unknown) => e instanceof EvalSetError && /lex\.json/.test(e.message) && /assistant/.test(e.message));
  assert.throws(() => parseEvalFile(RegisterLexiconsSchema, '{', 'lex.json'), /lex\.json: not JSON/);
});
