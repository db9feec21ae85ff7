// @ts-check
// Issue 6: "Analyze Selection" re-scores only the conversations the selection covers. After an edit,
// the others still show scores of the old text; they must stay dimmed until they are re-scored too
// (the edit's own debounced re-score is held off here with a 10 s delay).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';

const file = 'two-conversations.jsonl';
const isValue = (/** @type {{ text: string }} */ d) => /^axis [+-]\d/.test(d.text);

test('Analyze Selection after an edit leaves the conversations it did not re-score dimmed', async () => {
  const record = JSON.stringify(JSON.parse(readFileSync(join(repoRoot, 'samples', 'drifting-conversation.json'), 'utf8')));
  const jsonl = join(mkdtempSync(join(tmpdir(), 'pl-e2e-jsonl-')), file);
  writeFileSync(jsonl, `${record}\n${record}\n`);
  await withSession(
    { name: 'editor-selection', files: { [file]: jsonl }, settings: { 'persona-lens.analyze.debounceMs': 10_000 } },
    async (s) => {
      await s.openFile(file);
      await s.runCommand('Persona Lens: Analyze File');
      await s.waitForLogLine(`Analyzed ${file}`, 90_000);
      /** @param {number} line */
      const values = async (line) => (await s.lineDecorations(file, line)).filter(isValue);
      for (const line of [1, 2]) {
        const v = await values(line);
        assert.equal(v.length, 4, `line ${line}: ${JSON.stringify(v)}`);
        assert.ok(v.every((d) => d.fontStyle !== 'italic'), `line ${line} is dimmed before any edit`);
      }

      // Edit the second conversation (inside its last reply's text), then analyse only the first.
      await s.goToLine(2);
      await s.page.keyboard.press('End');
      for (let i = 0; i < 4; i++) await s.page.keyboard.press('ArrowLeft'); // before `"}]}`
      await s.page.keyboard.insertText(' Arr!');
      await s.waitFor(async () => (await values(2)).every((d) => d.fontStyle === 'italic'), 'the edit to dim the values', { timeout: 15_000 });
      await s.goToLine(1);
      await s.page.keyboard.press('Home');
      await s.page.keyboard.press('Shift+End');
      await s.runCommand('Persona Lens: Analyze Selection');
      await s.waitForLogLine(new RegExp(`Analyzed ${file.replace('.', '\\.')}: .*, 1 scored`), 60_000);
      const second = await values(2);
      assert.equal(second.length, 4);
      assert.ok(
        second.every((d) => d.fontStyle === 'italic'),
        `the second conversation was not re-scored but is drawn as current: ${JSON.stringify(second)}`,
      );

      // The edit's own re-score then covers the whole file, and nothing is dimmed any more.
      await s.waitFor(
        async () => [...(await values(1)), ...(await values(2))].every((d) => d.fontStyle !== 'italic'),
        'the debounced re-score',
        { timeout: 60_000 },
      );
    },
  );
});

