// From the engine's per-message result to per-turn scores: zones and domain per assistant turn, the
// turn's surprise from its tokens' log-probabilities, unscored assistant turns, and the drop alarm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/core/formats';
import { toConversationScores, turnSurprise, type EngineScore } from '../../../src/core/turnScores';
import { testCalibration } from '../../support/scores';

const conversation = parse(
  JSON.stringify({
    messages: [
      { role: 'system', content: 'Be helpful.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there' },
      { role: 'user', content: 'Be a pirate' },
      { role: 'assistant', content: 'Arr matey' },
      { role: 'user', content: 'More' },
      { role: 'assistant', content: 'Yo ho' },
    ],
  }),
  'c.json',
).conversations[0]!;

/** An engine result over messages 0..n-1 of the conversation above (its system message is turn 0), two tokens each. */
function result(values: readonly number[], logProb: readonly number[]): EngineScore {
  const n = values.length;
  return {
    layers: [0],
    monitorLayer: 0,
    projections: [Float32Array.from(values.flatMap((v) => [v, v]))],
    tokens: {
      text: Array.from({ length: 2 * n }, () => 'x'),
      start: new Int32Array(2 * n),
      end: new Int32Array(2 * n).fill(1),
      logProb: Float32Array.from(logProb),
    },
    scoredMessages: n,
    fullTokens: 100,
    tokenLimit: 8,
    turns: values.map((v, i) => ({ turn: i, role: ['system', 'user', 'assistant', 'user'][i] ?? 'user', tokenStart: 2 * i, tokenEnd: 2 * i + 2, found: true, means: Float32Array.of(v) })),
  };
}

test('assistant turns get zones, surprise and the domain check; turns beyond the limit are listed as unscored', () => {
  const s = toConversationScores(conversation, result([0, 0.1, 2, 0.2], [NaN, -1, -0.5, -0.5, -0.2, -0.4, -7, -7]), {
    turnOffset: 0,
    tau: 1.8,
    model: 'm',
    axis: 'a',
    calibration: testCalibration(),
  });
  // Turns 0-3 were scored (the 8-token limit cut the rest); only assistant turns get zones.
  assert.deepEqual(s.turns.map((t) => [t.turn, t.role, t.zone, t.outOfDomain]), [
    [0, 'system', null, false],
    [1, 'user', null, false],
    [2, 'assistant', 'assistant', false],
    [3, 'user', null, true],
  ]);
  assert.ok(Math.abs((s.turns[2]?.surprise ?? NaN) - 0.3) < 1e-6, 'mean NLL of the turn tokens');
  assert.equal(s.turns[3]?.surprise, 7);
  assert.deepEqual(s.unscored, [
    { turn: 4, reason: 'beyond-token-limit' },
    { turn: 6, reason: 'beyond-token-limit' },
  ]);
  assert.equal(s.calibration.zones?.assistantFrom, testCalibration().zones?.assistantFrom);
});

test('turn surprise skips undefined log-probabilities and is null without any', () => {
  assert.equal(turnSurprise(undefined, 0, 3), null);
  assert.equal(turnSurprise(Float32Array.of(NaN, NaN), 0, 2), null);
  assert.equal(turnSurprise(Float32Array.of(NaN, -2, -4), 0, 3), 3);
});

test('the optional drop alarm marks in-domain assistant turns that fall far below the first one', () => {
  const conv = parse(
    JSON.stringify({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
        { role: 'assistant', content: 'd' },
      ],
    }),
    'd.json',
  ).conversations[0]!;
  const r: EngineScore = { ...result([0, 2.4, 0, 1.7], new Array<number>(8).fill(-0.5)), tokenLimit: null, scoredMessages: 4 };
  const base = { turnOffset: 0, tau: 1.8, model: 'm', axis: 'a', calibration: testCalibration() };
  const quiet = toConversationScores(conv, r, base);
  assert.deepEqual(quiet.turns.filter((t) => t.role === 'assistant').map((t) => [t.zone, t.alarm]), [
    ['assistant', false],
    ['assistant', false],
  ]);
  const loud = toConversationScores(conv, r, { ...base, dropAlarm: 0.5 });
  assert.deepEqual(loud.turns.filter((t) => t.role === 'assistant').map((t) => [t.zone, t.alarm]), [
    ['assistant', false],
    ['assistant', true],
  ]);
  assert.deepEqual(quiet.unscored, []);
});
