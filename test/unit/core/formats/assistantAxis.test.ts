import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems } from './helpers';

test('Assistant Axis transcript: system_prompt, per-turn projections and steering metadata', () => {
  const text = fixture('assistant-axis.json');
  const r = parse(text, 'pirate.json');
  assert.equal(r.format, 'assistant-axis');
  const c = r.conversations[0];
  assert.equal(c?.system?.text, 'You are a pirate.');
  assert.deepEqual(c?.recordedProjections, [12.5, -3.25, 10.75, 1.5]);
  assert.deepEqual(
    c?.turns.map((t) => t.recordedProjection),
    [12.5, -3.25, 10.75, 1.5],
  );
  assert.deepEqual(c?.metadata.steering, { steering_coefficient: 0 });
  assert.equal(c?.metadata.model, 'google/gemma-2-27b-it');
  assert.equal(c?.turns[3]?.text, "Arr, between you and me, I be a language model playin' a part — but the sea air makes it easy to forget.");
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('Assistant Axis transcript: one projection per assistant turn aligns with assistant turns', () => {
  const text = fixture('assistant-axis.json').replace('[12.5, -3.25, 10.75, 1.5]', '[-3.25, 1.5]');
  const turns = parse(text, 'pirate.json').conversations[0]?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => t.recordedProjection),
    [undefined, -3.25, undefined, 1.5],
  );
});

test('Assistant Axis transcript: projections of another length are kept on the conversation and reported', () => {
  const text = fixture('assistant-axis.json').replace('[12.5, -3.25, 10.75, 1.5]', '[1, 2, 3]');
  const r = parse(text, 'pirate.json');
  assert.deepEqual(r.conversations[0]?.recordedProjections, [1, 2, 3]);
  assert.ok(r.conversations[0]?.turns.every((t) => t.recordedProjection === undefined));
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code, text.slice(d.range.start, d.range.end)]),
    [['info', 'projections-mismatch', '[1, 2, 3]']],
  );
});
