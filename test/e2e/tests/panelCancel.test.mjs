// @ts-check
// Cancelling a re-run from the drift panel (issue 7): the compare view ends as cancelled, the log
// says so, and no re-run point is added.
//
// The re-run must still be running when the cancel reaches the worker, whatever the machine's speed:
// the sample's replies stop at end-of-turn after 30-80 tokens (0.5-1.1 s), so a longer maxTokens
// does not lengthen them. Here the user message before the re-run turn is padded to about 12,000
// tokens instead: the capped reply cannot reuse the KV cache of scoring (capping changes the
// residual stream), so the re-run first prefills the whole prefix again, about as long as the
// analysis itself (7 s for it on the 2-core test machine; quadratic attention over the prefix).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';
import {
  analyzeInPanel,
  attr,
  panelSettings,
  panelViewport,
  readSample,
  selectLastTurn,
} from '../panelSample.mjs';

/** Repeats of a 20-token sentence appended to the last user message: about 12,000 tokens of prefix. */
const PADDING_REPEATS = 480;

test('drift panel: a re-run cancelled from the panel ends as cancelled and adds no point', async () => {
  const { messages, assistant, last } = readSample();
  const lastUser = messages.findLastIndex((m, i) => m.role === 'user' && i < last.turn);
  const padding = ' Tell me more about the sea and the ships and the stars over the water tonight.'.repeat(
    PADDING_REPEATS,
  );
  const long = 'long-conversation.json';
  const fixtureDir = mkdtempSync(join(tmpdir(), 'pl-panel-cancel-'));
  writeFileSync(
    join(fixtureDir, long),
    JSON.stringify(
      { messages: messages.map((m, i) => (i === lastUser ? { ...m, content: m.content + padding } : m)) },
      null,
      2,
    ),
  );
  try {
    await withSession(
      {
        name: 'panel-cancel',
        viewport: panelViewport,
        files: { [long]: join(fixtureDir, long) },
        // Room for the padded conversation, so its last turn is scored and can be re-run.
        settings: { ...panelSettings, 'persona-lens.maxTokensPerConversation': 16384 },
      },
      async (s) => {
        const panel = await analyzeInPanel(s, long, assistant.length);
        await selectLastTurn(s, panel, last.turn);
        assert.equal(await attr(panel, 'body', 'data-rerun-points'), '0');

        // Cancel is pressed from inside the webview the moment it shows: Playwright's polling for the
        // button to show (back-off up to 500 ms) plus a pointer click's wait for layout would add
        // their own delay to the cancel.
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
        assert.equal(await attr(panel, 'body', 'data-rerun-points'), '0');
        await s.screenshot('cancelled');
      },
    );
  } finally {
    rmSync(fixtureDir, { recursive: true, force: true });
  }
});
