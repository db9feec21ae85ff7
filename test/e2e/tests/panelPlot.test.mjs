// @ts-check
// The drift panel's plot (issue 7): one point per assistant turn; clicking a point selects the turn
// in the panel and its text in the editor; the keyboard moves the selection; a transcript that
// carries recorded projections gets them as a second series.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('drift panel plot: a point per assistant turn, a click reveals the turn, End selects the last; recorded projections as a second series', async () => {
  const { messages, assistant, last, lineOf } = readSample();
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
        name: 'panel-plot',
        viewport: panelViewport,
        files: { [sample]: sampleSource, [recorded]: recordedSource },
        settings: panelSettings,
      },
      async (s) => {
        const panel = await analyzeInPanel(s, sample, assistant.length);
        assert.equal(
          await attr(panel, 'body', 'data-points'),
          String(assistant.length),
          'one point per assistant turn',
        );

        // Click the second assistant turn's point: the panel selects it and the editor selects the turn's text.
        const pick = assistant[1];
        assert.ok(pick);
        await clickPoint(s, panel, pick.turn);
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

        // Keyboard: the plot is focusable and End moves the selection to the last assistant turn.
        await selectLastTurn(s, panel, last.turn);
        await s.screenshot('plot');

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
      },
    );
  } finally {
    rmSync(fixtureDir, { recursive: true, force: true });
  }
});
