// @ts-check
// The intervention studio in the drift panel on the demo model (issue 29 items 1 and 2): a re-run with
// steering adds a fourth, steered column; the capping sweep fills the Sweep tab's grid (the uncapped
// reply, then every floor x band) and its dose-response plot, and a second sweep takes every cell from
// the cache. The transcript is never edited.
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';
import {
  analyzeInPanel,
  attr,
  columnValue,
  panelSettings,
  panelViewport,
  readSample,
  sample,
  sampleSource,
  selectLastTurn,
} from '../panelSample.mjs';

/** With SEED, steering the sample's last turn by +12 spreads brings it back toward the Assistant (-0.12 -> +1.67 on the demo model). */
const ALPHA = 12;

test('intervention studio: steered column, capping sweep grid and dose plot, cached second sweep', async () => {
  const { text, assistant, last } = readSample();
  await withSession(
    {
      name: 'panel-sweep',
      viewport: panelViewport,
      files: { [sample]: sampleSource },
      settings: panelSettings,
    },
    async (s) => {
      const panel = await analyzeInPanel(s, sample, assistant.length);
      await selectLastTurn(s, panel, last.turn);

      // Steering: a fourth column with the steered reply, its value and the steering in the settings.
      await panel.locator('#steer-alpha input').fill(String(ALPHA));
      await panel.locator('vscode-button#rerun-steer:not([disabled])').click();
      await s.race(panel.locator('#compare[data-phase="done"][data-steered="true"]').waitFor({ timeout: 120_000 }));
      const [uncapped, steered] = [await columnValue(panel, 'col-uncapped'), Number(await attr(panel, '#col-steered', 'data-value'))];
      assert.ok(Number.isFinite(steered), `steered value ${steered}`);
      assert.ok(steered > uncapped, `steering toward the Assistant (α ${ALPHA}) should raise ${uncapped}, got ${steered}`);
      assert.match(await panel.locator('#col-steered h3').innerText(), new RegExp(`α \\+?${ALPHA}`));
      assert.match(await panel.locator('#settings').innerText(), /Steering α/);
      await s.screenshot('compare-steered');

      // The capping sweep: 3 floors x 3 bands and the uncapped reply, streamed into the Sweep tab.
      await panel.locator('vscode-tab-header').first().click();
      await s.race(panel.locator('body[data-view="drift"]').waitFor());
      await panel.locator('vscode-button#sweep:not([disabled])').click();
      await s.race(panel.locator('body[data-view="sweep"]').waitFor());
      await s.race(panel.locator('#sweep-view[data-phase="done"]').waitFor({ timeout: 180_000 }));
      const cells = panel.locator('#sweep-grid td[data-status="done"]');
      assert.equal(await cells.count(), 10);
      const rows = await panel.locator('#sweep-grid tr[data-band]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-band')));
      assert.deepEqual(rows, ['none', 'axis', 'wide', 'all']);
      const values = await cells.evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      for (const v of values) assert.ok(Number.isFinite(v), `cell value ${v}`);
      const [off, ...capped] = values;
      assert.ok(Math.max(...capped) > (off ?? Infinity), `some floor lifts the drifted reply above the uncapped ${off}: ${capped}`);
      assert.equal(await attr(panel, 'canvas#dose-chart', 'data-series'), '3');
      assert.equal(await attr(panel, 'canvas#dose-chart', 'data-points'), '12');
      assert.match(await panel.locator('#sweep-status').innerText(), /10 replies/);
      await s.waitForLogLine(/Capping sweep of turn \d+ .*: 10 replies \(0 from the cache\)/);
      await s.screenshot('sweep');
      const sweepShot = join(s.artifactsDir, 'panel-sweep.png');
      await s.page.locator('iframe.webview').first().screenshot({ path: sweepShot });
      if (process.env.PERSONA_LENS_UPDATE_README_SHOT) cpSync(sweepShot, join(repoRoot, 'media', 'panel-sweep.png'));

      // A second sweep of the same turn takes every cell from the cache.
      await panel.locator('vscode-tab-header').first().click();
      await panel.locator('vscode-button#sweep:not([disabled])').click();
      await s.waitForLogLine(/Capping sweep of turn \d+ .*: 10 replies \(10 from the cache\)/);
      await s.race(panel.locator('#sweep-view[data-phase="done"]').waitFor());
      assert.equal(await panel.locator('#sweep-grid td[data-cached="true"]').count(), 10);

      assert.equal(readFileSync(join(s.workspace, sample), 'utf8'), text, 'the transcript changed');
      assert.equal(await s.dirtyTabs(sample).count(), 0);
    },
  );
});
