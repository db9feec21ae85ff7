// The A/B comparison: the system prompt is swapped without renumbering turns, and the parting
// turn is the first assistant turn whose |B - A| exceeds the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, withSystemPrompt } from '../../../src/core/abCompare';
import { parse } from '../../../src/core/formats';
import { toEngineMessages } from '../../../src/core/turnScores';
import type { ConversationScores } from '../../../src/core/scores';
import { conversationScores, turnScores } from '../../support/scores';
import type { Conversation } from '../../../src/core/transcript';

function conversation(json: unknown): Conversation {
  const c = parse(JSON.stringify(json), 'c.json').conversations[0];
  assert.ok(c);
  return c;
}

test('the system prompt is replaced where it is, or added, and turn numbers stay', () => {
  const inList = conversation({
    messages: [
      { role: 'system', content: 'old' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ],
  });
  const swapped = withSystemPrompt(inList, 'new');
  assert.deepEqual(
    toEngineMessages(swapped).messages.map((m) => [m.role, m.content]),
    [
      ['system', 'new'],
      ['user', 'q'],
      ['assistant', 'a'],
    ],
  );
  assert.equal(swapped.turns.length, inList.turns.length);

  const none = conversation({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ],
  });
  const added = withSystemPrompt(none, 'new');
  assert.deepEqual(
    toEngineMessages(added).messages.map((m) => m.role),
    ['system', 'user', 'assistant'],
  );
  assert.deepEqual(added.turns, none.turns);

  // The paper's transcripts keep the prompt outside the turn list ("system_prompt").
  const outside = parse(
    JSON.stringify({
      system_prompt: 'old',
      conversation: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    }),
    'p.json',
  ).conversations[0];
  assert.ok(outside?.system, 'fixture has a top-level system prompt');
  const replaced = withSystemPrompt(outside, 'new');
  assert.deepEqual(
    toEngineMessages(replaced).messages.map((m) => [m.role, m.content]),
    [
      ['system', 'new'],
      ['user', 'q'],
      ['assistant', 'a'],
    ],
  );
});

function scores(values: [number, 'user' | 'assistant', number][]): ConversationScores {
  const turns = turnScores(
    values.map(([, , value]) => value),
    { roles: values.map(([, role]) => role) },
  ).map((t, i) => ({ ...t, turn: values[i]?.[0] ?? t.turn }));
  return conversationScores(turns);
}

test('the trajectories part at the first assistant turn past the threshold', () => {
  const a = scores([
    [0, 'user', 5],
    [1, 'assistant', 2],
    [2, 'user', 5],
    [3, 'assistant', 1.5],
    [5, 'assistant', 1],
  ]);
  const b = scores([
    [0, 'user', 0],
    [1, 'assistant', 1.9],
    [2, 'user', 5],
    [3, 'assistant', 0.7],
    [5, 'assistant', -1],
  ]);
  const c = compareRuns(a, b, 0.5);
  assert.deepEqual(
    c.turns.map((t) => t.turn),
    [0, 1, 2, 3, 5],
  );
  assert.ok(Math.abs((c.turns[1]?.difference ?? 0) + 0.1) < 1e-12);
  // Turn 0 differs by 5 but is a user turn: only assistant turns can part.
  assert.equal(c.partsAt?.turn, 3);
  assert.equal(c.largest?.turn, 5);
  // Synthetic axis zones (test/support/scores.ts): -1 is in the role zone, 1 drifts.
  assert.equal(c.turns[4]?.readingB, '▼ role');
  assert.equal(c.turns[4]?.readingA, 'drifting');
  assert.equal(c.turns[0]?.readingA, '', 'user turns have no reading');
  assert.equal(compareRuns(a, b, 3).partsAt, null);
  assert.equal(compareRuns(a, b, 3).largest?.turn, 5);
});

test('turns cut from either run are left out of the comparison', () => {
  const a = scores([
    [1, 'assistant', 2],
    [3, 'assistant', 1],
  ]);
  const b = scores([[1, 'assistant', 2]]);
  assert.deepEqual(
    compareRuns(a, b, 0.5).turns.map((t) => t.turn),
    [1],
  );
  assert.equal(compareRuns(a, a, 0).partsAt, null, 'identical runs never part');
});
