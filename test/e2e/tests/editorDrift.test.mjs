// @ts-check
// Issue 6 (editor) and issue 11 (demo wiring) on the demo transcript, whose values fall as the
// assistant turns into a pirate (+1.56, +0.78, +0.70, -0.27 on the demo model):
// - "Try the Demo Model" opens the transcript read-only from the extension and analyses it; the
//   values fall from the first assistant turn to the last; screenshots in dark and light themes;
// - on a workspace copy: an edit dims the values at once and re-scores (the edited turn's value
//   changes); a line inserted above moves the values with their turns; values survive a tab
//   switch without re-analysis and are cleared when the file's tab is closed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';
import { assistantContentLines } from '../transcriptLines.mjs';

const sample = join(repoRoot, 'samples', 'drifting-conversation.json');
const sampleLines = assistantContentLines(readFileSync(sample, 'utf8'));
const copy = 'pirate-chat.json';
const valueOf = (/** @type {string} */ text) => Number(/^axis ([+-]\d+\.\d+)/.exec(text)?.[1] ?? NaN);
const isValue = (/** @type {{ text: string }} */ d) => /^axis [+-]\d/.test(d.text);

test('demo transcript: values fall; an edit dims and re-scores; values follow edits, tabs and close', async () => {
  await withSession(
    {
      name: 'editor-drift',
      transcripts: ['writing.json'],
      files: { [copy]: sample },
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    },
    async (s) => {
      // 1. Try the Demo Model: a read-only document from the extension folder, analysed at once.
      await s.runCommand('Persona Lens: Try the Demo Model');
      await s.waitForDecoration(/axis\s[+-]\d/, 90_000);
      const demo = (await s.editorDecorations('drifting-conversation.json')).filter(isValue);
      assert.deepEqual(
        demo.map((d) => d.line),
        sampleLines,
        JSON.stringify(demo),
      );
      const values = demo.map((d) => valueOf(d.text));
      assert.ok(values.every(Number.isFinite), JSON.stringify(values));
      const [firstValue, lastValue] = [values[0], values.at(-1)];
      assert.ok(
        firstValue !== undefined && lastValue !== undefined && firstValue > lastValue,
        `values should fall as the conversation drifts: ${values}`,
      );
      // Issue 22: the first reply reads assistant, the pirate reply role (the only zone drawn red).
      assert.match(demo[0]?.text ?? '', /\bassistant$/, JSON.stringify(demo));
      assert.match(demo[demo.length - 1]?.text ?? '', /▼ role$/, JSON.stringify(demo));
      assert.ok(!/▼/.test(demo[0]?.text ?? ''), 'a normal assistant reply raised the alarm');
      console.log(`demo transcript values: ${demo.map((d) => d.text).join(' | ')}`);
      assert.equal(await s.dirtyTabs().count(), 0, 'an editor became dirty');
      await s.race(s.webviewFrame().locator('body[data-ready="true"]').waitFor());
      const darkColor = demo[0]?.color;
      await s.page.keyboard.press('Control+B'); // hide the side bar: more room for the transcript
      await s.race(s.page.locator('.part.sidebar').waitFor({ state: 'hidden' }));
      await s.race(s.editor('drifting-conversation.json').locator('.codelens-decoration').first().waitFor());
      await s.page.mouse.move(20, 600); // off the editor: no hover highlight in the pictures
      await s.screenshot('dark');
      await s.setColorTheme('Light Modern', 'light');
      // The value's colour is a theme colour (no fixed hex): it changes with the theme.
      const first = sampleLines[0] ?? 1;
      await waitForLine(
        s,
        'drifting-conversation.json',
        first,
        (d) => d.color !== darkColor,
        'the light theme colour',
      );
      await s.page.mouse.move(20, 600);
      await s.screenshot('light');
      await s.page.keyboard.press('Control+B');

      // 2. A workspace copy: edit → dim → re-score.
      await s.openFile(copy);
      await s.runCommand('Persona Lens: Analyze File');
      await s.waitForLogLine(`Analyzed ${copy}`, 90_000);
      const before = (await s.editorDecorations(copy)).filter(isValue);
      assert.deepEqual(
        before.map((d) => d.line),
        sampleLines,
      );
      const line = sampleLines[0] ?? 1;
      const v0 = valueOf(before[0]?.text ?? '');
      await s.goToLine(line);
      await s.page.keyboard.press('End');
      await s.page.keyboard.press('ArrowLeft'); // inside the closing quote of the turn's text
      // One input event, so one document change: the re-scored value is that of the whole edit.
      await s.page.keyboard.insertText(' Arr matey, ye scallywag, fetch me rum!');
      await waitForLine(s, copy, line, (d) => d.fontStyle === 'italic', 'the value to dim after the edit');
      const rescored = await waitForLine(
        s,
        copy,
        line,
        (d) => d.fontStyle !== 'italic',
        'the re-scored value',
        60_000,
      );
      const v1 = valueOf(rescored.text);
      assert.ok(v1 < v0, `pirate words should lower the turn's value: ${v0} -> ${v1}`);
      console.log(`edited turn: ${v0} -> ${v1}`);

      // 3. A line inserted above every turn: the values move with their turns.
      await s.page.keyboard.press('Control+Home');
      await s.page.keyboard.press('Enter');
      const moved = (await s.editorDecorations(copy)).filter(isValue);
      assert.deepEqual(
        moved.map((d) => d.line),
        sampleLines.map((l) => l + 1),
        JSON.stringify(moved),
      );
      await waitForLine(
        s,
        copy,
        line + 1,
        (d) => d.fontStyle !== 'italic',
        'the value after re-scoring',
        60_000,
      );
      await s.page.keyboard.press('Control+S');
      await s.race(s.dirtyTabs().waitFor({ state: 'detached' }));

      // 4. Another tab and back: the values are still drawn, with no new analysis.
      const analyses = () =>
        s
          .readLog()
          .split('\n')
          .filter((l) => l.includes(`Analyzed ${copy}`)).length;
      const count = analyses();
      await s.openFile('writing.json');
      await s.openFile(copy);
      await s.waitForDecoration(/axis\s[+-]\d/, 5_000);
      assert.equal(analyses(), count, 'switching tabs re-analysed the file');

      // 5. Closing the tab clears the file's values; reopened, it shows none until analysed again.
      await s.page.keyboard.press('Control+W');
      await s.waitForLogLine(`Closed ${copy}: its annotations were cleared`);
      await s.openFile(copy);
      await s.goToLine(line + 1);
      await s.race(s.editor(copy).locator('.view-line', { hasText: 'Arr matey' }).waitFor());
      assert.deepEqual(
        (await s.lineDecorations(copy, line + 1)).filter(isValue),
        [],
        'values came back after the tab was closed',
      );
    },
  );
});

/**
 * Polls the decorations of one line until one satisfies `ok`.
 * @param {import('../harness.mjs').Session} s
 * @param {string} file
 * @param {number} line
 * @param {(d: import('../harness.mjs').EditorDecoration) => boolean} ok
 * @param {string} what
 */
async function waitForLine(s, file, line, ok, what, timeout = 15_000) {
  return s.waitFor(async () => (await s.lineDecorations(file, line)).filter(isValue).find(ok), `${what} on ${file}:${line}`, {
    timeout,
    detail: async () => `drawn: ${JSON.stringify(await s.lineDecorations(file, line))}`,
  });
}
