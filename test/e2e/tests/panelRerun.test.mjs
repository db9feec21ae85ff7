// @ts-check
// "Re-run with capping" in the drift panel on the demo model (issue 7): the compare view shows the
// original, uncapped and capped replies with their values, a word diff and the settings; the capped
// text opens in an untitled editor (the transcript is never edited); reloading the webview restores
// the view; the editor command re-runs the turn at the cursor; an edit drops the re-run points.
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';
import {
  SEED,
  analyzeInPanel,
  attr,
  clickPoint,
  columnValue,
  panelSettings,
  panelViewport,
  readSample,
  rerunSelected,
  sample,
  sampleSource,
} from '../panelSample.mjs';

test('drift panel re-run: capped and uncapped replies compared, opened, restored after reload, re-run from the editor, dropped on edit', async () => {
  const { text, assistant, last, lineOf } = readSample();
  await withSession(
    {
      name: 'panel-rerun',
      viewport: panelViewport,
      files: { [sample]: sampleSource },
      settings: panelSettings,
    },
    async (s) => {
      const panel = await analyzeInPanel(s, sample, assistant.length);

      // Re-run the last (drifted) turn with capping from the panel's button. Clicking its point also
      // reveals the turn in the editor, scrolling its text into view for the click on it below.
      await clickPoint(s, panel, last.turn);
      await rerunSelected(s, panel);
      const [original, uncapped, capped] = [
        await columnValue(panel, 'col-original'),
        await columnValue(panel, 'col-uncapped'),
        await columnValue(panel, 'col-capped'),
      ];
      for (const v of [original, uncapped, capped]) assert.ok(Number.isFinite(v), `value ${v}`);
      assert.ok(capped > uncapped, `capped ${capped} should be above uncapped ${uncapped}`);
      const textOf = async (/** @type {string} */ id) =>
        (await panel.locator(`#${id} .pl-strip`).innerText()).trim();
      assert.equal(await textOf('col-original'), last.content);
      const [uncappedText, cappedText] = [await textOf('col-uncapped'), await textOf('col-capped')];
      assert.ok(uncappedText.length > 0 && cappedText.length > 0, 'both regenerated texts are shown');
      assert.notEqual(uncappedText, cappedText);
      assert.match(await panel.locator('#col-capped .reply-value').innerText(), /axis [+-]\d/);
      assert.ok((await panel.locator('#diff ins, #diff del').count()) > 0, 'the word diff marks changes');
      assert.match(await panel.locator('#settings').innerText(), new RegExp(`Seed\\s+${SEED}`));
      await s.race(panel.locator('body[data-rerun-points="1"]').waitFor());
      await s.screenshot('compare');
      const compareShot = join(s.artifactsDir, 'panel-compare.png');
      await s.page.locator('iframe.webview').first().screenshot({ path: compareShot });
      if (process.env.PERSONA_LENS_UPDATE_README_SHOT)
        cpSync(compareShot, join(repoRoot, 'media', 'panel-compare.png'));

      // The capped text opens in a new untitled editor; the transcript itself is never edited.
      await panel.locator('vscode-button#open-capped:not([disabled])').click();
      await s.race(s.page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }).waitFor());
      await s.race(
        s.page
          .locator('.editor-instance .view-lines', { hasText: cappedText.split(/\s+/).slice(0, 3).join(' ') })
          .first()
          .waitFor(),
      );
      assert.equal(readFileSync(join(s.workspace, sample), 'utf8'), text, 'the transcript changed');
      assert.equal(await s.dirtyTabs(sample).count(), 0);

      // Reloading the webview restores the view (compare tab, selected turn) and the last result.
      await s.runCommand('Developer: Reload Webviews');
      await s.race(
        panel
          .locator(`body[data-ready="true"][data-view="compare"][data-selected="0:${last.turn}"]`)
          .waitFor(),
      );
      await s.race(panel.locator('#compare[data-phase="done"]').waitFor());

      // From the editor: the command re-runs the assistant turn at the cursor; each re-run is a point of its own.
      const box = await s.textBox(sample, lineOf(last.content), 'landlubber');
      await s.page.mouse.click(box.x + Math.min(20, box.width / 2), box.y + box.height / 2);
      await s.runCommand('Persona Lens: Re-run Turn with Capping');
      await s.race(panel.locator('body[data-rerun-points="2"]').waitFor({ timeout: 120_000 }));
      await s.race(panel.locator('#compare[data-phase="done"]').waitFor());
      assert.equal(
        await attr(panel, '#col-capped', 'data-value'),
        String(capped),
        'same seed, same capped reply',
      );

      // An edit makes the scores stale, and the re-run points made against them go with them;
      // undoing it leaves the file as it was on disk.
      await s.page.mouse.click(box.x + Math.min(20, box.width / 2), box.y + box.height / 2);
      await s.page.keyboard.insertText(' Arr!');
      await s.race(panel.locator('body[data-rerun-points="0"]').waitFor());
      await s.page.keyboard.press('Control+Z');
      assert.equal(readFileSync(join(s.workspace, sample), 'utf8'), text, 'the transcript changed on disk');
    },
  );
});
