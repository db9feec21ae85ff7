// @ts-check
// The drift panel's exports (issue 7): the values as CSV (the CLI's `score --format csv` columns plus
// the panel's recorded-projection and re-run columns) and the plot as PNG, each written where VS
// Code's save dialog says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';
import {
  analyzeInPanel,
  columnValue,
  panelSettings,
  panelViewport,
  readSample,
  rerunSelected,
  sample,
  sampleSource,
  selectLastTurn,
} from '../panelSample.mjs';

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
  await s.saveDialog(file);
  await s.page.keyboard.press('Enter');
  await s.waitForLogLine(logLine);
  return readFileSync(join(s.workspace, file));
}

test('drift panel exports: values as CSV with the re-run columns, the plot as PNG', async () => {
  const { assistant, last } = readSample();
  await withSession(
    {
      name: 'panel-export',
      viewport: panelViewport,
      files: { [sample]: sampleSource },
      settings: panelSettings,
    },
    async (s) => {
      const panel = await analyzeInPanel(s, sample, assistant.length);
      // A capped re-run first, so the CSV has a re-run value to carry.
      await selectLastTurn(s, panel, last.turn);
      await rerunSelected(s, panel);
      const capped = await columnValue(panel, 'col-capped');
      assert.ok(Number.isFinite(capped), `value ${capped}`);

      // Exports: the host asks where (VS Code's save dialog, prefilled next to the transcript) and writes the file.
      const csv = await exportFile(
        s,
        panel,
        'export-csv',
        /Values saved to .*\.persona-lens\.csv/,
        'drifting-conversation.persona-lens.csv',
      );
      // The same machine format as the CLI's `score --format csv` and Export Report, plus the panel's columns.
      const rows = csv.toString('utf8').trimEnd().split('\r\n');
      const header = rows[0]?.split(',') ?? [];
      assert.deepEqual(header, [
        ...[
          'file',
          'conversation',
          'turn',
          'role',
          'value',
          'delta',
          'zone',
          'out_of_domain',
          'surprise',
          'alarm',
          'unscored',
          'tokens',
          'layer',
        ],
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
        /Drift plot saved to .*\.persona-lens\.drift\.png/,
        'drifting-conversation.persona-lens.drift.png',
      );
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(png.length > 2000, `PNG of ${png.length} bytes`);

      // Exporting the plot showed the Drift tab; the tab header goes back to the compare view.
      await panel.locator('vscode-tab-header', { hasText: 'Compare' }).click();
      await s.race(panel.locator('body[data-view="compare"]').waitFor());
      await s.race(panel.locator('#compare[data-phase="done"]').waitFor());
    },
  );
});
