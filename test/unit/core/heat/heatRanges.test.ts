// Per-token heat: shades from the zone cuts, runs of same-shade tokens merged into file ranges,
// turns without a reading (out of domain, no zones) never shaded, edited turns left plain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { driftingMidpoint, heatBucket, heatLegend } from '../../../../src/core/heat/heatBuckets';
import { heatRanges, tokensSpell } from '../../../../src/core/heat/heatRanges';
import { toConversationScores, type EngineScore } from '../../../../src/core/turnScores';
import type { Conversation } from '../../../../src/core/transcript';
import { testCalibration } from '../../../support/scores';

const calibration = testCalibration();
const cuts = calibration.zones!;

test('buckets follow the zone cuts, with the drifting band split at its midpoint', () => {
  assert.ok(cuts.roleTo !== null);
  const mid = driftingMidpoint(cuts)!;
  assert.ok(cuts.roleTo < mid && mid < cuts.assistantFrom);
  assert.equal(heatBucket(cuts.assistantFrom, cuts), 'assistant');
  assert.equal(heatBucket(cuts.assistantFrom + 5, cuts), 'assistant');
  assert.equal(heatBucket((mid + cuts.assistantFrom) / 2, cuts), 'drifting');
  assert.equal(heatBucket((mid + cuts.roleTo) / 2, cuts), 'deepDrifting');
  assert.equal(heatBucket(cuts.roleTo, cuts), 'role');
  assert.equal(heatBucket(-10, cuts), 'role');
  assert.equal(heatBucket(NaN, cuts), null);
  // Without a role population (version 1 axes) nothing is "role": below the assistant cut is drifting.
  const noRole = { ...cuts, roleTo: null };
  assert.equal(heatBucket(-10, noRole), 'drifting');
  assert.deepEqual(heatLegend(noRole).map((r) => r.bucket), ['assistant', 'drifting']);
  assert.deepEqual(heatLegend(cuts).map((r) => r.bucket), ['assistant', 'drifting', 'deepDrifting', 'role']);
});

const source = JSON.stringify(
  {
    messages: [
      { role: 'user', content: 'Tell me "a story"' },
      { role: 'assistant', content: 'Sure.\nOnce upon a time, a "ship" sailed.' },
      { role: 'user', content: 'Be a pirate' },
      { role: 'assistant', content: 'Arr, matey!' },
    ],
  },
  null,
  2,
);
const conversation = parse(source, 'c.json').conversations[0] as Conversation;

/** Word-and-space tokens of a text: [start, end) pairs. */
function words(text: string): [number, number][] {
  return [...text.matchAll(/\s*\S+/g)].map((m) => [m.index, m.index + m[0].length]);
}

/** An engine result with one value per token of each turn (turn i's tokens get values[i][k]). */
function engine(values: readonly (readonly number[])[], logProb = -0.5): EngineScore {
  const text: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const proj: number[] = [];
  const turns: EngineScore['turns'][number][] = [];
  conversation.turns.forEach((t, i) => {
    const tokenStart = text.length;
    words(t.text).forEach(([a, b], k) => {
      text.push(t.text.slice(a, b));
      start.push(a);
      end.push(b);
      proj.push(values[i]?.[k] ?? 0);
    });
    turns.push({ turn: i, role: t.role, tokenStart, tokenEnd: text.length, found: true, means: Float32Array.of(values[i]?.[0] ?? 0) });
  });
  return {
    layers: [0],
    monitorLayer: 0,
    projections: [Float32Array.from(proj)],
    tokens: { text, start: Int32Array.from(start), end: Int32Array.from(end), logProb: new Float32Array(text.length).fill(logProb) },
    scoredMessages: turns.length,
    fullTokens: text.length,
    tokenLimit: null,
    turns,
  };
}

const ctx = { turnOffset: 0, tau: null, model: 'm', axis: 'a', calibration };
const high = cuts.assistantFrom + 0.5;
const mid = (driftingMidpoint(cuts)! + cuts.assistantFrom) / 2;
const low = (cuts.roleTo ?? 0) - 0.5;

test('tokens of assistant turns become merged runs over the escaped file text', () => {
  // Turn 1 has 8 word tokens: two assistant, three drifting, three role; turn 3 has two role tokens.
  const scores = toConversationScores(conversation, engine([[0, 0, 0], [high, high, mid, mid, mid, low, low, low], [0, 0, 0], [low, low]]), ctx);
  const ranges = heatRanges(conversation, scores, source, { checkTokens: false });
  assert.deepEqual(ranges.map((r) => [r.turn, r.bucket, r.tokens]), [
    [1, 'assistant', 2],
    [1, 'drifting', 3],
    [1, 'role', 3],
    [3, 'role', 2],
  ]);
  // Ranges are file text: the escaped newline and quotes are inside them, user turns are not shaded.
  assert.deepEqual(ranges.map((r) => source.slice(r.start, r.end)), ['Sure.\\nOnce', ' upon a time,', ' a \\"ship\\" sailed.', 'Arr, matey!']);
  // Contiguous runs tile the whole reply.
  const reply = conversation.turns[1]!;
  assert.equal(ranges[0]?.start, reply.range.start);
  assert.equal(ranges[2]?.end, reply.range.end);
  assert.ok(Math.abs((ranges[0]?.min ?? 0) - high) < 1e-6);
  assert.ok(Math.abs((ranges[1]?.max ?? 0) - mid) < 1e-6);
});

test('out-of-domain turns and axes without zones are never shaded', () => {
  const ood = toConversationScores(conversation, engine([[0], [low, low], [0], [low]], -50), ctx);
  assert.ok(ood.turns.filter((t) => t.role === 'assistant').every((t) => t.outOfDomain));
  assert.deepEqual(heatRanges(conversation, ood, source, { checkTokens: false }), []);
  const noZones = toConversationScores(conversation, engine([[0], [low], [0], [low]]), { ...ctx, calibration: { ...calibration, zones: null } });
  assert.deepEqual(heatRanges(conversation, noZones, source, { checkTokens: false }), []);
});

test('after an edit, a turn whose tokens no longer spell its text is left plain; moved turns follow', () => {
  const scores = toConversationScores(conversation, engine([[0], [high, high, high, high, high, high, high, high], [0], [low, low]]), ctx);
  // A line inserted above and the last reply edited: turn 1 moves, turn 3 changed.
  const edited = `\n${source.replace('Arr, matey!', 'Arr, me hearty!')}`;
  const reparsed = parse(edited, 'c.json').conversations[0] as Conversation;
  const ranges = heatRanges(reparsed, scores, edited, { checkTokens: true });
  assert.deepEqual([...new Set(ranges.map((r) => r.turn))], [1]);
  assert.equal(ranges[0]?.start, reparsed.turns[1]?.range.start);
  assert.equal(tokensSpell(scores.turns[3]!.tokens, 'Arr, me hearty!'), false);
  assert.equal(tokensSpell(scores.turns[3]!.tokens, 'Arr, matey!'), true);
  // Not checking trusts the offsets (fresh scores).
  assert.ok(heatRanges(reparsed, scores, edited, { checkTokens: false }).some((r) => r.turn === 3));
});
