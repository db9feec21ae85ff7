// @ts-check
// "Persona Lens: Analyze File" on a real transcript in a real VS Code: the extension activates,
// draws a per-turn Assistant-Axis decoration and opens the drift panel (issue 2).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';
import { TRANSCRIPTS_DIR } from '../../support/shared.mjs';

const transcript = 'philosophy.json';

test('Analyze File decorates assistant turns and opens the drift panel', async () => {
  await withSession({ name: 'analyze-philosophy', transcripts: [transcript] }, async (s) => {
    await s.openFile(transcript);
    // onLanguage:json activates the extension; an activation error in the console fails at once.
    await s.waitForLogLine('Persona Lens activated');

    await s.runCommand('Persona Lens: Analyze File');
    // Scoring runs the local model on a busy machine: allow more than one UI step.
    const content = await s.waitForDecoration(/axis [+\-−]?\d/, 60_000);
    assert.match(content, /axis [+\-−]?\d/);

    const panel = s.webviewFrame();
    await s.race(panel.locator('body[data-ready="true"]').waitFor());
    await s.race(panel.locator('canvas#drift-chart').waitFor());
    await s.screenshot('analyzed');

    // Analysis never edits the transcript: no dirty editor, file bytes unchanged.
    assert.equal(await s.dirtyTabs().count(), 0, 'an editor became dirty');
    assert.equal(
      readFileSync(join(s.workspace, transcript), 'utf8'),
      readFileSync(join(TRANSCRIPTS_DIR, transcript), 'utf8'),
    );
  });
});
