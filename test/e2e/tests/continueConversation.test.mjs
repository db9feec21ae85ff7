// @ts-check
// "Continue Conversation" (issue 29 item 3) on the demo model: the continue view continues the sample
// conversation for two typed user turns, each step showing an uncapped and a capped reply with their
// values as they are scored; "Open as Transcript" writes both columns to a new untitled document
// and the sample file is never touched.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';
import { panelSettings, panelViewport, sample, sampleSource } from '../panelSample.mjs';

const USERS = ['What is a good way to learn to cook?', 'Thanks. Any tips for baking bread?'];

test('continue the conversation: two steps in two columns (without / with capping), then open it as a transcript', async () => {
  await withSession(
    {
      name: 'continue-conversation',
      viewport: panelViewport,
      files: { [sample]: sampleSource },
      settings: { ...panelSettings, 'persona-lens.generation.maxTokens': 48 },
    },
    async (s) => {
      const original = readFileSync(join(s.workspace, sample), 'utf8');
      await s.openFile(sample);
      await s.waitForLogLine('Persona Lens activated');
      await s.runCommand('Persona Lens: Continue Conversation with and without Capping');
      const view = s.webviewFrame();
      await s.race(view.locator('body[data-ready="true"][data-steps="0"]').waitFor());
      assert.match(await view.locator('#last-turn').innerText(), /last turn \(assistant\)/);
      // The sample ends with an assistant turn: continuing without a typed user turn is refused in the view.
      await view.locator('vscode-button#continue').click();
      assert.match(await view.locator('#status').innerText(), /Type a user turn first/);

      for (const [i, text] of USERS.entries()) {
        await view.locator('#user textarea').fill(text);
        await view.locator('vscode-button#continue').click();
        await s.race(view.locator(`body[data-steps="${i + 1}"][data-running="false"]`).waitFor({ timeout: 120_000 }));
        const replies = view.locator('#steps .reply');
        assert.equal(await replies.count(), 2 * (i + 1));
        for (const column of ['uncapped', 'capped']) {
          const cell = view.locator(`#steps .reply[data-column="${column}"]`).nth(i);
          assert.match(await cell.locator('.value').innerText(), /^[+-]\d+\.\d+/, `${column} reply ${i + 1} shows its value`);
          assert.ok((await cell.locator('.text').innerText()).trim().length > 0, `${column} reply ${i + 1} has text`);
        }
        assert.match(await view.locator('#steps .user-turn').nth(i).innerText(), new RegExp(text.replace(/[.?]/g, '\\$&')));
      }
      await s.screenshot('two-steps');

      await view.locator('vscode-button#open-transcript:not([disabled])').click();
      await s.race(s.page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }).waitFor());
      await s.race(s.page.locator('.editor-instance .view-lines', { hasText: 'persona_lens' }).first().waitFor());
      assert.equal(readFileSync(join(s.workspace, sample), 'utf8'), original, 'the transcript changed');
      assert.equal(await s.dirtyTabs(sample).count(), 0);
    },
  );
});
