import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoresCsv, scoresJson, type ExportedConversation } from '../../../../src/core/report/scoreExport';
import type { ConversationScores } from '../../../../src/core/scores';
import { conversationScores, turnScores } from '../../../support/scores';

function scores(values: number[]): ConversationScores {
  const turns = turnScores(values).map((t) => ({ ...t, tokenCount: 4, layerValues: [t.value / 2, t.value], tokens: [{ text: 'x', start: 0, end: 1, value: t.value }] }));
  return conversationScores(turns, { monitorLayer: 1, tau: 1, model: 'demo', axis: 'axis.json' });
}

// Cuts of the synthetic axis (test/support/scores.ts): assistant >= 1.55, role <= 0.775, surprise limit 2.492.
const BASE = 'file,conversation,turn,role,value,delta,zone,out_of_domain,surprise,alarm,unscored,tokens,layer,assistant_from,role_to,surprise_limit,tau';
const CUTS = '1.55,0.775,2.492';

test('score exports without extras keep the CLI columns and leave per-token values out', () => {
  const items: ExportedConversation[] = [{ file: 'a.json', conversation: 0, scores: scores([1.5, 0.25]) }];
  assert.equal(
    scoresCsv(items),
    `${BASE}\r\na.json,0,1,assistant,1.5,,drifting,false,,false,,4,1,${CUTS},1\r\na.json,0,3,assistant,0.25,-1.25,role,false,,true,,4,1,${CUTS},1\r\n`,
  );
  const json = JSON.parse(scoresJson(items)) as { turns: Record<string, unknown>[]; calibration: { zones: { assistantFrom: number } } }[];
  assert.equal(json[0]?.turns.length, 2);
  assert.equal(json[0]?.turns[1]?.zone, 'role');
  assert.equal(json[0]?.turns[1]?.outOfDomain, false);
  assert.equal(json[0]?.turns[1]?.surprise, null);
  assert.equal(json[0]?.calibration.zones.assistantFrom, 1.55);
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
    `b.json,0,1,assistant,2,,assistant,false,,false,,4,1,${CUTS},1,12.5,,`,
    `b.json,0,3,assistant,0.5,-1.5,role,false,,true,,4,1,${CUTS},1,,1.75,0.5`,
    `b.json,1,1,assistant,3,,assistant,false,,false,,4,1,${CUTS},1,,,`,
  ]);
  const json = JSON.parse(scoresJson(items)) as { turns: { recordedProjection?: number | null; rerun?: unknown }[] }[];
  assert.equal(json[0]?.turns[0]?.recordedProjection, 12.5);
  assert.deepEqual(json[0]?.turns[1]?.rerun, { capped: 1.75, uncapped: 0.5 });
  assert.equal(json[1]?.turns[0]?.rerun, undefined);
});

test('unscored assistant turns are rows too, with no value and the reason', () => {
  const s = conversationScores(turnScores([2]), { unscored: [{ turn: 3, reason: 'beyond-token-limit' }] });
  const rows = scoresCsv([{ file: 'c.json', conversation: 0, scores: s }]).trimEnd().split('\r\n');
  assert.equal(rows[2], `c.json,0,3,assistant,,,,false,,false,beyond-token-limit,0,0,${CUTS},1.8`);
  const json = JSON.parse(scoresJson([{ file: 'c.json', conversation: 0, scores: s }])) as { turns: Record<string, unknown>[] }[];
  assert.deepEqual(json[0]?.turns[1], { turn: 3, role: 'assistant', value: null, delta: null, zone: null, surprise: null, outOfDomain: false, alarm: false, tokenCount: 0, unscored: 'beyond-token-limit' });
});
