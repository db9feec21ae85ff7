// The panel protocol: well-formed messages parse both ways, and malformed or oversized ones
// (the panel is untrusted input for the host) are rejected with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LIMITS,
  parseFromPanel,
  parseToPanel,
  toStripTokens,
  toWireValue,
  type DataMessage,
} from '../../../webview/protocol';

const turn = {
  turn: 2,
  value: 1.25,
  delta: -0.5,
  zone: 'drifting' as const,
  outOfDomain: false,
  alarm: false,
  preview: 'Sure, I can help',
  tokens: [
    { text: 'Sure', value: 1.5 },
    { text: ',', value: null },
  ],
  tokenCount: 2,
  layerValues: [0.1, 0.4, null, 1.2],
  recorded: null,
};

const data: DataMessage = {
  type: 'data',
  uri: 'file:///w/t.json',
  fileName: 't.json',
  model: 'demo',
  axis: 'demo/axis.json',
  monitorLayer: 2,
  tau: 0.3,
  zones: { assistantFrom: 1.5, roleTo: 0.7, assistantLabel: 'assistant zone ≥ +1.50', roleLabel: 'role zone ≤ +0.70' },
  readingNote: null,
  capping: { layers: [2, 3], floors: [3.03, null] },
  conversations: [{ conversation: 0, label: 'assistant turns', turns: [turn] }],
  reruns: [{ conversation: 0, turn: 2, capped: 1.6, uncapped: -0.1 }],
};

test('a data message with tokens, layer values and capping parses unchanged', () => {
  assert.deepEqual(parseToPanel(data), data);
});

test('data messages that break the schema or its limits are dropped', () => {
  const tooManyTokens = Array.from({ length: LIMITS.stripTokens + 1 }, () => ({ text: 'a', value: 0 }));
  const bad: unknown[] = [
    {
      ...data,
      conversations: [{ conversation: 0, label: 'x', turns: [{ ...turn, tokens: tooManyTokens }] }],
    },
    {
      ...data,
      conversations: [
        {
          conversation: 0,
          label: 'x',
          turns: [{ ...turn, tokens: [{ text: 'x'.repeat(LIMITS.tokenText + 1), value: 0 }] }],
        },
      ],
    },
    { ...data, conversations: [{ conversation: 0, label: 'x', turns: [{ ...turn, value: Number.NaN }] }] },
    { ...data, conversations: [{ conversation: 0, label: 'x', turns: [{ ...turn, layerValues: 'many' }] }] },
    { ...data, capping: { layers: [2, 3], floors: [1] } },
    { ...data, capping: { layers: [-1], floors: [1] } },
    { ...data, reruns: [{ conversation: 0, turn: 1.5, capped: 1, uncapped: 0 }] },
    { ...data, type: 'dat' },
    null,
    'data',
  ];
  for (const m of bad) assert.equal(parseToPanel(m), null, JSON.stringify(m).slice(0, 200));
});

test('re-run messages parse, and a reply over the text limit does not', () => {
  const reply = {
    text: 'Arr',
    value: -0.2,
    zone: 'role',
    outOfDomain: false,
    tokens: [{ text: 'Arr', value: -0.2 }],
    tokenCount: 1,
    stopReason: 'eos',
    generatedTokens: 1,
  };
  const compare = {
    uri: 'file:///w/t.json',
    conversation: 0,
    turn: 8,
    original: { ...reply, stopReason: null, generatedTokens: null },
    uncapped: reply,
    capped: { ...reply, value: 1.5, zone: 'assistant' },
    steered: { ...reply, value: 0.7, zone: 'drifting' },
    settings: {
      sampling: 'temperature 0.8, top-p 0.95',
      seed: 4,
      maxTokens: 128,
      monitorLayer: 2,
      tau: 3.03,
      capping: { layers: [2, 3], floors: [3.03, 4.46] },
      percentile: 25,
      population: 'response',
      steering: { alpha: 8, layers: [2, 3], amounts: [0.79, 1.01] },
    },
  };
  assert.deepEqual(parseToPanel({ type: 'rerunDone', compare }), { type: 'rerunDone', compare });
  assert.ok(parseToPanel({ type: 'rerunStarted', uri: 'u', conversation: 0, turn: 8, originalText: 'Arr', steer: null }));
  assert.ok(parseToPanel({ type: 'rerunStarted', uri: 'u', conversation: 0, turn: 8, originalText: 'Arr', steer: -4 }));
  assert.ok(parseToPanel({ type: 'rerunTokens', variant: 'steered', text: ' ye' }));
  assert.ok(parseToPanel({ type: 'rerunTokens', variant: 'capped', text: ' ye' }));
  assert.ok(parseToPanel({ type: 'rerunEnded', reason: 'cancelled', message: '' }));
  assert.equal(parseToPanel({ type: 'rerunTokens', variant: 'both', text: 'x' }), null);
  assert.equal(
    parseToPanel({
      type: 'rerunDone',
      compare: { ...compare, capped: { ...reply, text: 'x'.repeat(LIMITS.replyText + 1) } },
    }),
    null,
  );
  assert.equal(
    parseToPanel({
      type: 'rerunDone',
      compare: { ...compare, settings: { ...compare.settings, population: 'tokens' } },
    }),
    null,
  );
});

test('panel messages: the allowlist parses, anything else is rejected with a reason', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  for (const m of [
    { type: 'ready' },
    { type: 'revealTurn', uri: 'file:///w/t.json', conversation: 0, turn: 2 },
    { type: 'rerunTurn', uri: 'file:///w/t.json', conversation: 0, turn: 2 },
    { type: 'rerunTurn', uri: 'file:///w/t.json', conversation: 0, turn: 2, steer: -8 },
    { type: 'sweepTurn', uri: 'file:///w/t.json', conversation: 0, turn: 2 },
    { type: 'cancelRerun' },
    { type: 'cappedText', action: 'open' },
    { type: 'exportPng', dataUrl: png },
    { type: 'exportValues', format: 'csv' },
  ]) {
    const r = parseFromPanel(m);
    assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.reason}`);
  }
  for (const m of [
    { type: 'runCommand', command: 'workbench.action.files.delete' },
    { type: 'revealTurn', uri: 'file:///w/t.json', conversation: -1, turn: 2 },
    { type: 'cappedText', action: 'write', text: 'x' },
    { type: 'rerunTurn', uri: 'file:///w/t.json', conversation: 0, turn: 2, steer: 1e9 },
    { type: 'rerunTurn', uri: 'file:///w/t.json', conversation: 0, turn: 2, steer: '8' },
    { type: 'sweepTurn', uri: 'file:///w/t.json', conversation: 0 },
    { type: 'exportPng', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' },
    { type: 'exportPng', dataUrl: 'data:text/html,<script>alert(1)</script>' },
    { type: 'exportPng', dataUrl: `${png}\n<x>` },
    { type: 'exportPng', dataUrl: `data:image/png;base64,${'A'.repeat(LIMITS.pngDataUrl)}` },
    { type: 'exportValues', format: 'xlsx' },
    { type: 'exportValues' },
    undefined,
    42,
  ]) {
    const r = parseFromPanel(m);
    assert.equal(r.ok, false, JSON.stringify(m)?.slice(0, 120));
    if (!r.ok) assert.ok(r.reason.length > 0);
  }
});

test('sweep states parse within their limits; a malformed one is dropped', () => {
  const cell = {
    band: 'axis',
    percentile: 25,
    layers: [2, 3],
    status: 'done',
    cached: false,
    text: 'Sure, I can help.',
    value: 1.6,
    zone: 'assistant',
    outOfDomain: false,
    stopReason: 'eos',
    problems: ['cut at the token limit'],
  };
  const state = {
    type: 'sweepState',
    uri: 'file:///w/t.json',
    conversation: 0,
    turn: 8,
    phase: 'running',
    message: '',
    original: { text: 'Arr', value: -0.2, zone: 'role', outOfDomain: false },
    population: 'response',
    sampling: 'greedy',
    seed: null,
    maxTokens: 128,
    cells: [{ ...cell, band: null, percentile: null, layers: [] }, cell],
  };
  assert.deepEqual(parseToPanel(state), state);
  for (const bad of [
    { ...state, phase: 'paused' },
    { ...state, cells: [{ ...cell, band: 'some' }] },
    { ...state, cells: [{ ...cell, percentile: 101 }] },
    { ...state, cells: Array(LIMITS.sweepCells + 1).fill(cell) },
    { ...state, cells: [{ ...cell, problems: Array(17).fill('x') }] },
  ])
    assert.equal(parseToPanel(bad), null, JSON.stringify(bad).slice(0, 200));
});

test('extra fields of a panel message never reach the host (a message cannot name a path)', () => {
  const r = parseFromPanel({ type: 'exportValues', format: 'csv', path: '/etc/passwd' });
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.message, { type: 'exportValues', format: 'csv' });
});

test('wire helpers: non-finite values become null, token lists are cut to the strip limit', () => {
  assert.equal(toWireValue(Number.NaN), null);
  assert.equal(toWireValue(-Infinity), null);
  assert.equal(toWireValue(-0.5), -0.5);
  const many = Array.from({ length: LIMITS.stripTokens + 10 }, (_, i) => ({
    text: 'y'.repeat(LIMITS.tokenText + 5),
    value: i === 0 ? Number.NaN : i,
  }));
  const cut = toStripTokens(many);
  assert.equal(cut.length, LIMITS.stripTokens);
  assert.equal(cut[0]?.value, null);
  assert.equal(cut[1]?.text.length, LIMITS.tokenText);
  const parsed = parseToPanel({
    ...data,
    conversations: [
      { conversation: 0, label: 'x', turns: [{ ...turn, tokens: cut, tokenCount: many.length }] },
    ],
  });
  assert.ok(parsed, 'what the host cuts must pass the panel schema');
});
