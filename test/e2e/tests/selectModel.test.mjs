// @ts-check
// Issue 26 item 1: Select Model lists the model catalogue with each entry's facts; picking an entry
// and one of its dtypes writes persona-lens.model and persona-lens.dtype (the engine then loads it
// through the hub download path on its next use; nothing is analysed here, so nothing downloads).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';

test('Select Model offers the catalogue and a pick sets the model and its dtype', async () => {
  // The workbench waits for a file in the explorer: one transcript, never opened.
  await withSession({ name: 'select-model', transcripts: ['coding.json'] }, async (s) => {
    await s.runCommand('Persona Lens: Select Model', { opensQuickPick: true });
    const qi = s.page.locator('.quick-input-widget');
    const row = qi.locator('.monaco-list-row', { hasText: 'Qwen2.5 0.5B Instruct' });
    await s.race(row.first().waitFor());
    const text = (await row.first().innerText()).replace(/\s+/g, ' ');
    assert.match(text, /onnx-community\/Qwen2\.5-0\.5B-Instruct/, text);
    assert.match(text, /qwen2 0\.5B · optimum export · 32,768 tokens · licence apache-2\.0/, text);
    assert.match(text, /q4f16 483 MB/, text);
    // The demo is still first (the list is virtual: rows below the fold are not in the page).
    assert.equal(await qi.locator('.monaco-list-row .label-name', { hasText: /^demo$/ }).count(), 1);
    await row.first().click();
    const q4f16 = qi.locator('.monaco-list-row', {
      has: s.page.locator('.label-name', { hasText: /^q4f16$/ }),
    });
    await s.race(q4f16.first().waitFor());
    assert.match(await q4f16.first().innerText(), /483 MB/);
    await q4f16.first().click();
    await s.race(qi.waitFor({ state: 'hidden' }));
    const deadline = Date.now() + 10_000;
    /** @type {Record<string, unknown>} */
    let settings = {};
    while (Date.now() < deadline) {
      settings = JSON.parse(readFileSync(s.server.userSettingsFile, 'utf8'));
      if (settings['persona-lens.model'] === 'onnx-community/Qwen2.5-0.5B-Instruct') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(settings['persona-lens.model'], 'onnx-community/Qwen2.5-0.5B-Instruct');
    assert.equal(settings['persona-lens.dtype'], 'q4f16');
  });
});
