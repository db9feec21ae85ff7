// The drift panel's data mapping (src/extension/panelData.ts, no vscode) and the one values export it
// shares with Export Report (src/core/report/scoreExport.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportedConversations, exportFileName, scoresCsv } from '../../../src/core/report/scoreExport';
import type { Conversation, Turn } from '../../../src/core/transcript';
import { toCompare, toDataMessage } from '../../../src/extension/panelData';
import type { DocumentResult } from '../../../src/extension/resultStore';
import type { RerunResult } from '../../../src/engine/rerun';
import { conversationScores, turnScores } from '../../support/scores';

const turn = (role: Turn['role'], text: string, recordedProjection?: number): Turn => ({ role, text, range: { start: 0, end: text.length }, ...(recordedProjection === undefined ? {} : { recordedProjection }) });
const conversation: Conversation = {
  turns: [turn('user', 'hi'), turn('assistant', 'hello there, how can I help?', 2.5), turn('user', 'be a pirate'), turn('assistant', 'arr matey')],
  metadata: {},
};

function result(capping: { layers: number[]; floors: number[] } | null): DocumentResult {
  const scores = conversationScores(turnScores([2, -1]), { capping });
  return { uri: 'file:///t.json', version: 1, parse: { format: 'openai-chat', conversations: [conversation], diagnostics: [] }, scores: [scores], stale: false };
}

test('the plot data carries the capping band the scores were made with, the assistant turns and the re-run points', () => {
  const data = toDataMessage(result({ layers: [2, 3], floors: [1.5, NaN] }), 't.json', [{ conversation: 0, turn: 3, capped: 1.2, uncapped: -0.8 }]);
  assert.ok(data);
  assert.deepEqual(data.capping, { layers: [2, 3], floors: [1.5, null] });
  const [c] = data.conversations;
  assert.deepEqual(c?.turns.map((t) => [t.turn, t.value, t.zone]), [[1, 2, 'assistant'], [3, -1, 'role']]);
  assert.equal(c?.turns[0]?.recorded, 2.5);
  assert.equal(c?.turns[1]?.recorded, null);
  assert.equal(c?.turns[0]?.preview, 'hello there, how can I help?');
  assert.deepEqual(data.reruns, [{ conversation: 0, turn: 3, capped: 1.2, uncapped: -0.8 }]);
  assert.equal(toDataMessage(result(null), 't.json', [])?.capping, null, 'scores made without a band show none');
});

test('nothing scored yet: no data message', () => {
  const r = result(null);
  assert.equal(toDataMessage({ ...r, scores: [null] }, 't.json', []), null);
});

test('a re-run result maps to the compare view with its settings', () => {
  const reply = { text: 'x', value: 1, zone: 'assistant' as const, surprise: 0.2, outOfDomain: false, tokens: [], layerValues: [1] };
  const r: RerunResult = {
    turn: 3,
    original: { ...reply, value: -1, zone: 'role' },
    replies: [
      { ...reply, variant: 'uncapped', stopReason: 'maxTokens', generatedTokens: 8 },
      { ...reply, value: 1.7, variant: 'capped', stopReason: 'eos', generatedTokens: 5 },
    ],
    settings: { sampling: { kind: 'sample', temperature: 0.8, topP: 0.95, topK: 0, seed: 4 }, maxTokens: 8, monitorLayer: 2, capLayers: [2, 3], capTaus: [1, 2], percentile: 25, population: 'response', monitorTau: 1, steering: null },
  };
  const c = toCompare({ uri: 'file:///t.json', conversation: 0, turn: 3 }, r);
  assert.equal(c.original.value, -1);
  assert.equal(c.capped?.value, 1.7);
  assert.equal(c.capped?.stopReason, 'eos');
  assert.equal(c.settings.seed, 4);
  assert.equal(c.settings.sampling, 'temperature 0.8, top-p 0.95');
  assert.deepEqual(c.settings.capping, { layers: [2, 3], floors: [1, 2] });
});

test('one values export: recorded projections and the latest re-run per turn, the same columns from the panel and Export Report', () => {
  const r = result(null);
  const items = exportedConversations('t.json', r.parse.conversations, r.scores, [
    { conversation: 0, turn: 3, capped: 0.5, uncapped: -0.5 },
    { conversation: 0, turn: 3, capped: 1.5, uncapped: -0.9 },
  ]);
  assert.deepEqual(items[0]?.turnExtras?.get(1), { recordedProjection: 2.5, rerun: null });
  assert.deepEqual(items[0]?.turnExtras?.get(3), { recordedProjection: null, rerun: { capped: 1.5, uncapped: -0.9 } });
  const header = scoresCsv(items).split('\n')[0] ?? '';
  assert.match(header, /recorded/i);
  assert.match(header, /capped/i);
});

test('one naming rule for exports next to a transcript', () => {
  assert.equal(exportFileName('chat.json', 'values', 'csv'), 'chat.persona-lens.csv');
  assert.equal(exportFileName('chat.json', 'report', 'html'), 'chat.persona-lens.html');
  assert.equal(exportFileName('chat.json', 'plot', 'png'), 'chat.persona-lens.drift.png');
  assert.equal(exportFileName('', 'values', 'json'), 'transcript.persona-lens.json');
  assert.equal(exportFileName('a.b.jsonl', 'values', 'json'), 'a.b.persona-lens.json');
});
