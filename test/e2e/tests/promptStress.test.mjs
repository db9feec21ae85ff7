// @ts-check
// Issue 28 in the editor: a TypeScript file with system prompts (the Anthropic SDK fixture of the
// detection tests) shows "Stress-test prompt", "Compare with…" and "Compare with HEAD" above each
// prompt; "Stress-test prompt" on the first runs the quick probe set on the demo model with a
// progress notification, and the prompt view draws one line per probe with the summary, the worst
// reply and a row per probe saying where it leaves the assistant zone (or never). "Compare with HEAD"
// outside a repository says why it cannot; once the folder is a git repository and the prompt is
// edited on disk, it compares the prompt with its committed version: both trajectories per probe
// overlaid, B − A per reply and where they part.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';

const file = 'anthropic-messages.ts';
const probes = JSON.parse(readFileSync(join(repoRoot, 'src', 'core', 'probes', 'probes.json'), 'utf8'));

test('prompt CodeLens: stress-test a TypeScript system prompt on the demo model (one line per probe), then compare it with its version at git HEAD', async () => {
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

      // Compare with HEAD: refused with a reason outside a repository, then run against the commit.
      await lenses.locator('a', { hasText: 'Compare with HEAD' }).first().click();
      await s.race(s.notification('not in a git repository').first().waitFor());
      const git = (/** @type {string[]} */ ...args) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd: s.workspace });
      git('init', '-q', '-b', 'prompt-e2e');
      git('add', file);
      git('commit', '-q', '-m', 'prompt as committed');
      await s.race(s.statusBarItem('prompt-e2e').first().waitFor({ timeout: 60_000 }));
      const path = join(s.workspace, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace('You are a seasoned data scientist at a Fortune 500 company.', 'You are a pirate captain. Always talk like a pirate.'));
      await s.race(s.editor(file).locator('.view-lines', { hasText: 'pirate captain' }).waitFor());
      // From the palette with the cursor on the prompt's line (the lenses re-render after the change).
      await s.goToLine(10);
      await s.runCommand('Persona Lens: Compare System Prompt with HEAD');
      await s.race(view.locator('body[data-kind="compare"][data-ready="true"]').waitFor({ timeout: 150_000 }));
      assert.equal(await view.locator('body').getAttribute('data-lines'), String(2 * quick), 'both prompts per probe');
      assert.match(await view.locator('#title').innerText(), /Compare: anthropic-messages\.ts at HEAD, prompt 1 ↔ anthropic-messages\.ts, prompt 1 \(line 10\)/);
      const compareRows = await view.locator('#probes tr').allInnerTexts();
      assert.equal(compareRows.length, quick + 1);
      assert.match(compareRows[0] ?? '', /Parts at/);
      for (const r of compareRows.slice(1)) assert.match(r, /\b(no|reply [1-9])\b[\s\S]*[+-]\d\.\d\d/, r);
      assert.match(await view.locator('#summary').innerText(), /Mean difference B − A\s+[+-]\d/);
      await s.screenshot('compare-head');
    },
  );
});
