import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoresCsv, scoresJson, type ExportedConversation } from '../../../../src/core/report/scoreExport';
import { withDeltas, type ConversationScores } from '../../../../src/core/scores';

function scores(values: number[]): ConversationScores {
  const turns = withDeltas(
    values.map((value, i) => ({
      turn: 2 * i + 1,
      role: 'assistant' as const,
      value,
      belowFloor: value < 1,
      minToken: value,
      maxToken: value,
      tokenCount: 4,
      layerValues: [value / 2, value],
      tokens: [{ text: 'x', start: 0, end: 1, value }],
    })),
  );
  return { turns, monitorLayer: 1, tau: 1, model: 'demo', axis: 'axis.json', truncated: null };
}

const BASE = 'file,conversation,turn,role,value,delta,below_floor,tokens,layer,tau';

test('score exports without extras keep the CLI columns and leave per-token values out', () => {
  const items: ExportedConversation[] = [{ file: 'a.json', conversation: 0, scores: scores([1.5, 0.25]) }];
  assert.equal(scoresCsv(items), `${BASE}\r\na.json,0,1,assistant,1.5,,false,4,1,1\r\na.json,0,3,assistant,0.25,-1.25,true,4,1,1\r\n`);
  const json = JSON.parse(scoresJson(items)) as { turns: Record<string, unknown>[] }[];
  assert.equal(json[0]?.turns.length, 2);
  assert.equal('tokens' in (json[0]?.turns[0] ?? {}), false);
  assert.equal('rerun' in (json[0]?.turns[0] ?? {}), false);
});

test("the panel's extras add recorded and re-run columns, empty where a turn has none", () => {
  const items: ExportedConversation[] = [
    {
      file: 'b.json',
      conversation: 0,
      scores: scores([2, 0.5]),
      turnExtras: new Map([
        [1, { recordedProjection: 12.5, rerun: null }],
        [3, { recordedProjection: null, rerun: { capped: 1.75, uncapped: 0.5 } }],
      ]),
    },
    // A conversation without extras in the same file still gets the columns (empty).
    { file: 'b.json', conversation: 1, scores: scores([3]) },
  ];
  const rows = scoresCsv(items).trimEnd().split('\r\n');
  assert.deepEqual(rows, [
    `${BASE},recorded_projection,capped_rerun,uncapped_rerun`,
    'b.json,0,1,assistant,2,,false,4,1,1,12.5,,',
    'b.json,0,3,assistant,0.5,-1.5,true,4,1,1,,1.75,0.5',
    'b.json,1,1,assistant,3,,false,4,1,1,,,',
  ]);
  const json = JSON.parse(scoresJson(items)) as { turns: { recordedProjection?: number | null; rerun?: unknown }[] }[];
  assert.equal(json[0]?.turns[0]?.recordedProjection, 12.5);
  assert.deepEqual(json[0]?.turns[1]?.rerun, { capped: 1.75, uncapped: 0.5 });
  assert.equal(json[1]?.turns[0]?.rerun, undefined);
});
