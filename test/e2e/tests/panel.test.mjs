// @ts-check
// The drift panel in a real VS Code (issue 7): one plot point per assistant turn, a click selects
// the turn in the editor and draws its token strip and layer view, and "Re-run with capping" on the
// demo model streams and shows the uncapped and capped replies with their values side by side.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';

const sample = 'drifting-conversation.json';
const source = join(repoRoot, 'samples', sample);
/**
 * The re-run's seed. On the current demo model, capping the last turn of the sample raises its value
 * above the original's under 18 of seeds 0..19 (median change +1.51; `node out/cli.js rerun
 * samples/drifting-conversation.json --turn 8 --seed S`), by more than +1 under 12 of them; seed 1 is
 * one where capping brings the assistant back (-0.23 -> +1.78: "Sure, I can help with that. I do not
 * have personal experiences, but I am glad to help. I am an AI assistant. ..."), so this test shows
 * the compare view with a real capping effect.
 */
const SEED = 1;

/** @param {import('playwright-core').FrameLocator} panel @param {string} selector @param {string} attr */
async function attr(panel, selector, attr) {
  return (await panel.locator(selector).first().getAttribute(attr)) ?? '';
}

/**
 * Presses an export button in the panel, accepts the save dialog's proposed path and returns the written file.
 * @param {import('../harness.mjs').Session} s
 * @param {import('playwright-core').FrameLocator} panel
 * @param {string} button
 * @param {RegExp} logLine
 * @param {string} file
 */
async function exportFile(s, panel, button, logLine, file) {
  await panel.locator(`vscode-button#${button}`).click();
  const input = s.page.locator('.quick-input-widget input');
  await s.race(input.waitFor({ state: 'visible' }));
  // The dialog fills its path in steps (folder first); wait for the proposed file name.
  for (let i = 0; !(await input.inputValue()).endsWith(`/${file}`); i++) {
    if (i > 100) assert.fail(`the save dialog proposes ${await input.inputValue()}, not …/${file}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await s.page.keyboard.press('Enter');
  await s.waitForLogLine(logLine);
  return readFileSync(join(s.workspace, file));
}

test('drift panel: points, reveal, strip, layer view and a capped re-run compare', async () => {
  const text = readFileSync(source, 'utf8');
  /** @type {{ role: string, content: string }[]} */
  const messages = JSON.parse(text).messages;
  // The system message is a turn of its own, so a turn's index is its index in "messages".
  const assistant = messages.flatMap((m, i) =>
    m.role === 'assistant' ? [{ turn: i, content: m.content }] : [],
  );
  const lineOf = (/** @type {string} */ content) => text.slice(0, text.indexOf(content)).split('\n').length;

  // The same conversation in the Assistant Axis paper's format, with one recorded projection per
  // assistant turn (made-up numbers in another model's units; the shared transcripts carry none).
  const recorded = 'recorded-projections.json';
  const fixtureDir = mkdtempSync(join(tmpdir(), 'pl-panel-'));
  const recordedSource = join(fixtureDir, recorded);
  writeFileSync(
    recordedSource,
    JSON.stringify(
      {
        model: 'demo',
        system_prompt: messages[0]?.content,
        conversation: messages.slice(1),
        projections: assistant.map((_, i) => 12 - 5 * i),
      },
      null,
      2,
    ),
  );

  try {
    await withSession(
      {
        name: 'panel',
        // Wide enough that the panel beside the editor shows the three compare columns readably.
        viewport: { width: 1800, height: 1000 },
        files: { [sample]: source, [recorded]: recordedSource },
        settings: {
          'persona-lens.model': 'demo',
          'persona-lens.generation.seed': SEED,
          'persona-lens.generation.maxTokens': 128,
        },
      },
      async (s) => {
        await s.openFile(sample);
        await s.waitForLogLine('Persona Lens activated');
        await s.runCommand('Persona Lens: Analyze File');
        await s.waitForDecoration(/axis [+\-−]?\d/, 60_000);

        const panel = s.webviewFrame();
        await s.race(panel.locator(`body[data-ready="true"][data-points="${assistant.length}"]`).waitFor());
        assert.equal(
          await attr(panel, 'body', 'data-points'),
          String(assistant.length),
          'one point per assistant turn',
        );

        // Click the second assistant turn's point: the panel selects it and the editor selects the turn's text.
        const canvas = panel.locator('canvas#drift-chart');
        const pick = assistant[1];
        assert.ok(pick);
        const positions = JSON.parse(await attr(panel, 'canvas#drift-chart', 'data-point-positions'));
        const [x, y] = positions[`0:${pick.turn}`];
        await canvas.click({ position: { x, y } });
        await s.race(panel.locator(`body[data-selected="0:${pick.turn}"]`).waitFor());
        const selection = s.page.locator('[id="status.editor.selection"]');
        await s.race(
          selection
            .filter({
              hasText: new RegExp(
                `Ln ${lineOf(pick.content)}, Col \\d+ \\(${pick.content.length} selected\\)`,
              ),
            })
            .waitFor(),
        );
        const tokens = Number(await attr(panel, '#strip', 'data-tokens'));
        assert.ok(tokens > 10, `the strip shows ${tokens} tokens`);
        assert.equal(
          (await panel.locator('#strip .pl-tok').allInnerTexts()).join(''),
          pick.content,
          'the strip spells the turn',
        );
        assert.ok(
          Number(await attr(panel, '#layer-chart', 'data-layers')) > 1,
          'the layer view has a point per layer',
        );

        // Keyboard: the plot is focusable and End moves the selection to the last assistant turn.
        const last = assistant[assistant.length - 1];
        assert.ok(last);
        await canvas.focus();
        await s.page.keyboard.press('End');
        await s.race(panel.locator(`body[data-selected="0:${last.turn}"]`).waitFor());
        await s.screenshot('plot-and-strip');
        await s.page
          .locator('iframe.webview')
          .first()
          .screenshot({ path: join(s.artifactsDir, 'panel-plot-strip.png') });

        // Re-run the last (drifted) turn with capping from the panel's button.
        await panel.locator('vscode-button#rerun:not([disabled])').click();
        await s.race(panel.locator('body[data-view="compare"]').waitFor());
        const compare = panel.locator('#compare[data-phase="done"]');
        await s.race(compare.waitFor({ timeout: 120_000 }));
        await s.waitForLogLine(/Re-ran turn \d+ of .* ms: original/);
        const value = async (/** @type {string} */ id) => Number(await attr(panel, `#${id}`, 'data-value'));
        const [original, uncapped, capped] = [
          await value('col-original'),
          await value('col-uncapped'),
          await value('col-capped'),
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

        // Exports: the host asks where (VS Code's save dialog, prefilled next to the transcript) and writes the file.
        const csv = await exportFile(
          s,
          panel,
          'export-csv',
          /Values saved to .*-values\.csv/,
          'drifting-conversation-values.csv',
        );
        // The same machine format as the CLI's `score --format csv` and Export Report, plus the panel's columns.
        const rows = csv.toString('utf8').trimEnd().split('\r\n');
        const header = rows[0]?.split(',') ?? [];
        assert.deepEqual(header, [
          ...['file', 'conversation', 'turn', 'role', 'value', 'delta', 'zone', 'out_of_domain', 'surprise', 'alarm', 'unscored', 'tokens', 'layer'],
          ...['assistant_from', 'role_to', 'surprise_limit', 'tau'],
          ...['recorded_projection', 'capped_rerun', 'uncapped_rerun'],
        ]);
        const col = (/** @type {string} */ name) => header.indexOf(name);
        const lastRow = rows
          .map((r) => r.split(','))
          .find((r) => r[col('conversation')] === '0' && r[col('turn')] === String(last.turn));
        assert.ok(lastRow, csv.toString('utf8'));
        assert.equal(lastRow[col('role')], 'assistant');
        assert.ok(
          Math.abs(Number(lastRow[col('capped_rerun')]) - capped) < 1e-9,
          `CSV capped_rerun ${lastRow[col('capped_rerun')]} vs ${capped}`,
        );
        const png = await exportFile(
          s,
          panel,
          'export-png',
          /Drift plot saved to .*-drift\.png/,
          'drifting-conversation-drift.png',
        );
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        assert.ok(png.length > 2000, `PNG of ${png.length} bytes`);

        // The capped text opens in a new untitled editor; the transcript itself is never edited.
        // (Exporting the plot showed the Drift tab; go back through the tab header.)
        await panel.locator('vscode-tab-header', { hasText: 'Compare' }).click();
        await s.race(panel.locator('body[data-view="compare"]').waitFor());
        await panel.locator('vscode-button#open-capped:not([disabled])').click();
        await s.race(s.page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }).waitFor());
        await s.race(
          s.page
            .locator('.editor-instance .view-lines', {
              hasText: cappedText.split(/\s+/).slice(0, 3).join(' '),
            })
            .first()
            .waitFor(),
        );
        assert.equal(readFileSync(join(s.workspace, sample), 'utf8'), text, 'the transcript changed');
        assert.equal(await s.page.locator('.tabs-container .tab.dirty', { hasText: sample }).count(), 0);

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
      assert.equal(await attr(panel, '#col-capped', 'data-value'), String(capped), 'same seed, same capped reply');

      // Cancel: a further re-run stopped from the panel's Cancel button ends as cancelled and adds no point.
      await panel.locator('vscode-tab-header', { hasText: 'Drift' }).click();
      // Cancel is pressed from inside the webview the moment it shows: a re-run of the demo model
      // takes 0.6-1.6 s, and Playwright's polling for the button to show (back-off up to 500 ms)
      // plus a pointer click's wait for layout let the re-run end first on a fast machine.
      const cancelButton = panel.locator('vscode-button#cancel');
      await cancelButton.evaluate((/** @type {HTMLElement} */ b) => {
        /** @type {any} */ (window).plCancelPressed = new Promise((resolve) => {
          const press = () => {
            if (b.hidden || b.hasAttribute('disabled')) return;
            observer.disconnect();
            b.click();
            resolve(true);
          };
          const observer = new MutationObserver(press);
          observer.observe(b, { attributes: true, attributeFilter: ['hidden', 'disabled'] });
          setTimeout(() => {
            observer.disconnect();
            resolve(false);
          }, 30_000);
        });
      });
      await panel.locator('vscode-button#rerun:not([disabled])').click();
      assert.equal(
        await s.race(cancelButton.evaluate(() => /** @type {any} */ (window).plCancelPressed)),
        true,
        'the Cancel button showed while the re-run ran',
      );
      await s.race(panel.locator('#compare[data-phase="ended"]').waitFor());
      assert.match(await panel.locator('#compare-status').innerText(), /cancelled/);
      await s.waitForLogLine(`Re-run of turn ${last.turn} cancelled`);
      assert.equal(await attr(panel, 'body', 'data-rerun-points'), '2');

      // An edit makes the scores stale, and the re-run points made against them go with them;
      // undoing it leaves the file as it was on disk.
      await s.page.mouse.click(box.x + Math.min(20, box.width / 2), box.y + box.height / 2);
      await s.page.keyboard.insertText(' Arr!');
      await s.race(panel.locator('body[data-rerun-points="0"]').waitFor());
      await s.page.keyboard.press('Control+Z');
      assert.equal(readFileSync(join(s.workspace, sample), 'utf8'), text, 'the transcript changed on disk');

      // A transcript in the paper's format that carries recorded projections: they become a second series.
        await s.openFile(recorded);
        await s.runCommand('Persona Lens: Analyze File');
        await s.race(
          panel
            .locator(`body[data-ready="true"][data-recorded-points="${assistant.length}"]`)
            .waitFor({ timeout: 60_000 }),
        );
        assert.equal(await attr(panel, 'body', 'data-points'), String(assistant.length));
        await s.screenshot('recorded-series');
        if (process.env.PERSONA_LENS_UPDATE_README_SHOT)
          cpSync(compareShot, join(repoRoot, 'media', 'panel-compare.png'));
      },
    );
  } finally {
    rmSync(fixtureDir, { recursive: true, force: true });
  }
});
