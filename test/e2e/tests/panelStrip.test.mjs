// @ts-check
// The drift panel's detail views (issue 7): the selected turn's per-token strip spells the turn's
// text, and the layer view has a value per layer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';
import {
  analyzeInPanel,
  attr,
  clickPoint,
  panelSettings,
  panelViewport,
  readSample,
  sample,
  sampleSource,
  selectLastTurn,
} from '../panelSample.mjs';

test("drift panel: the selected turn's token strip spells the turn, and the layer view has a point per layer", async () => {
  const { assistant, last } = readSample();
  await withSession(
    {
      name: 'panel-strip',
      viewport: panelViewport,
      files: { [sample]: sampleSource },
      settings: panelSettings,
    },
    async (s) => {
      const panel = await analyzeInPanel(s, sample, assistant.length);
      /** @param {{ turn: number, content: string }} turn */
      const assertDetails = async (turn) => {
        const tokens = Number(await attr(panel, '#strip', 'data-tokens'));
        assert.ok(tokens > 10, `the strip shows ${tokens} tokens`);
        assert.equal(
          (await panel.locator('#strip .pl-tok').allInnerTexts()).join(''),
          turn.content,
          'the strip spells the turn',
        );
        assert.match(
          await panel.locator('#strip-legend').innerText(),
          /assistant zone's edge \+\d/,
          'the strip is shaded around the assistant cut, not the capping floor',
        );
        assert.ok(
          Number(await attr(panel, '#layer-chart', 'data-layers')) > 1,
          'the layer view has a point per layer',
        );
      };
      const pick = assistant[1];
      assert.ok(pick);
      await clickPoint(s, panel, pick.turn);
      await assertDetails(pick);

      // The selection moved by keyboard redraws both views for the new turn.
      await selectLastTurn(s, panel, last.turn);
      await assertDetails(last);
      await s.screenshot('plot-and-strip');
      await s.page
        .locator('iframe.webview')
        .first()
        .screenshot({ path: join(s.artifactsDir, 'panel-plot-strip.png') });
    },
  );
});
