// @ts-check
// Issue 28 in the editor: a TypeScript file with system prompts (the Anthropic SDK fixture of the
// detection tests) shows "Stress-test prompt", "Compare with…" and "Compare with HEAD" above each
// prompt; "Stress-test prompt" on the first runs the quick probe set on the demo model with a
// progress notification, and the prompt view draws one line per probe with the summary, the worst
// reply and a row per probe saying where it leaves the assistant zone (or never).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';

const file = 'anthropic-messages.ts';
const probes = JSON.parse(readFileSync(join(repoRoot, 'src', 'core', 'probes', 'probes.json'), 'utf8'));

test('prompt CodeLens: stress-test a TypeScript system prompt on the demo model and see one line per probe', async () => {
  await withSession(
    {
      name: 'prompt-stress',
      viewport: { width: 1800, height: 1000 },
      files: { [file]: join(repoRoot, 'test', 'fixtures', 'prompts', file) },
      settings: { 'persona-lens.model': 'demo', 'persona-lens.prompts.probeSet': 'quick', 'persona-lens.generation.seed': 3 },
    },
    async (s) => {
      await s.openFile(file);
      await s.waitForLogLine('Persona Lens activated');
      const lenses = s.editor(file).locator('.codelens-decoration');
      await s.race(lenses.filter({ hasText: 'Stress-test prompt' }).first().waitFor());
      const texts = (await lenses.allInnerTexts()).join(' | ');
      // Two system prompts in the file (a string and a list of text blocks): two rows of three actions.
      assert.equal((texts.match(/Stress-test prompt/g) ?? []).length, 2, texts);
      assert.equal((texts.match(/Compare with HEAD/g) ?? []).length, 2, texts);
      assert.equal((texts.match(/Compare with…/g) ?? []).length, 2, texts);
      await s.screenshot('lenses');

      await lenses.locator('a', { hasText: 'Stress-test prompt' }).first().click();
      await s.race(s.notification('Stress test').first().waitFor());
      const view = s.webviewFrame();
      await s.race(view.locator('body[data-kind="stress"][data-ready="true"]').waitFor({ timeout: 150_000 }));
      const quick = probes.quick.length;
      assert.equal(await view.locator('body').getAttribute('data-lines'), String(quick));
      assert.equal(await view.locator('canvas#probe-chart').getAttribute('data-lines'), String(quick));
      const rows = await view.locator('#probes tr').allInnerTexts();
      assert.equal(rows.length, quick + 1, 'a header and a row per probe');
      for (const [i, id] of probes.quick.entries()) {
        assert.match(rows[i + 1] ?? '', new RegExp(`^${id}\\b`));
        assert.match(rows[i + 1] ?? '', /\b(never|reply [1-9])\b/);
      }
      const summary = await view.locator('#summary').innerText();
      assert.match(summary, /Replies in the assistant zone\s+\d+% of \d+ zoned/);
      assert.match(summary, /Mean slope per reply\s+[+-]\d/);
      assert.match(await view.locator('#worst h3').innerText(), /^Worst reply: [a-z-]+, reply \d, axis [+-]\d/);
      assert.ok((await view.locator('#worst blockquote').innerText()).trim().length > 0, 'the worst reply\'s text is shown');
      assert.match(await view.locator('#title').innerText(), /Stress test: anthropic-messages\.ts, prompt 1 \(line 10\)/);
      assert.match(await view.locator('#status').innerText(), /demo .*quick probe set v\d+ · seed 3/);
      await s.screenshot('stress');
      assert.equal(await s.dirtyTabs(file).count(), 0, 'the prompt file was edited');
    },
  );
});
