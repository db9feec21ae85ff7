// @ts-check
// Issue 29 item 4: per-token heat on the demo transcript in the real VS Code. Off by default; "Toggle
// Token Heat" shades the text of every assistant reply (and nothing else) with more than one shade
// (the pirate reply drifts), the hover shows the legend, the shades move with their turns when a line
// is inserted above, and toggling again clears them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';
import { assistantContentLines } from '../transcriptLines.mjs';

const sample = join(repoRoot, 'samples', 'drifting-conversation.json');
const sampleText = readFileSync(sample, 'utf8');
const sampleLines = assistantContentLines(sampleText);
const copy = 'heat-chat.json';
/** The first words of the first assistant reply: hovered for the legend. */
const firstReplyWords = /** @type {{ messages: { role: string; content: string }[] }} */ (JSON.parse(sampleText)).messages
  .find((m) => m.role === 'assistant')
  ?.content.split(' ')
  .slice(0, 2)
  .join(' ') ?? '';

test('token heat: toggled on, assistant text is shaded with a legend; shades follow an edit; toggled off, they are gone', async () => {
  await withSession(
    {
      name: 'editor-token-heat',
      transcripts: [],
      files: { [copy]: sample },
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'persona-lens.panel.openOnAnalyze': false },
    },
    async (s) => {
      await s.openFile(copy);
      await s.runCommand('Persona Lens: Analyze File');
      await s.waitForLogLine(`Analyzed ${copy}`, 90_000);
      await s.waitForDecoration(/axis\s[+-]\d/, 30_000);
      assert.deepEqual(await s.shadedRanges(copy), [], 'token heat is off by default');

      await s.runCommand('Persona Lens: Toggle Token Heat');
      const logLine = await s.waitForLogLine(/Token heat: \d+ ranges/);
      console.log(logLine);
      const shaded = await s.waitFor(async () => {
        const r = await s.shadedRanges(copy);
        return r.length > 0 ? r : null;
      }, 'shaded token ranges');
      const lines = [...new Set(shaded.map((r) => r.line))];
      // Only assistant replies are shaded, and every one of them is.
      assert.deepEqual(lines, sampleLines, JSON.stringify(shaded));
      const shades = [...new Set(shaded.map((r) => r.background))];
      console.log(`token heat: ${shaded.length} shaded ranges in view, shades ${shades.join(' | ')}`);
      assert.ok(shades.length >= 2, `the drifting replies should hold more than one shade: ${shades}`);
      // The shade starts inside the string, not over the "content" key.
      const keyBox = await s.textBox(copy, sampleLines[0] ?? 1, '"content"');
      const editorBox = await s.editor(copy).locator('.view-lines').boundingBox();
      const firstOnLine = shaded.find((r) => r.line === sampleLines[0]);
      assert.ok(editorBox && firstOnLine && editorBox.x + firstOnLine.left > keyBox.x + keyBox.width, JSON.stringify({ keyBox, firstOnLine }));
      await s.screenshot('heat-on');

      const hover = await s.hover(copy, sampleLines[0] ?? 1, firstReplyWords, /Token heat/);
      assert.match(hover, /Token heat: (assistant|drifting|drifting, near role|role)/, hover);
      assert.match(hover, /assistant\s*≥\s*[+-]\d/, hover);
      assert.match(hover, /role\s*≤\s*[+-]\d/, hover);
      await s.page.keyboard.press('Escape');

      // A line inserted above every turn: the shades move with their turns.
      await s.page.keyboard.press('Control+Home');
      await s.page.keyboard.press('Enter');
      const moved = await s.waitFor(async () => {
        const r = await s.shadedRanges(copy);
        const l = [...new Set(r.map((x) => x.line))];
        return JSON.stringify(l) === JSON.stringify(sampleLines.map((x) => x + 1)) ? r : null;
      }, 'the shades one line lower', { detail: async () => JSON.stringify(await s.shadedRanges(copy)) });
      assert.ok(moved.length > 0);

      await s.runCommand('Persona Lens: Toggle Token Heat');
      await s.waitFor(async () => ((await s.shadedRanges(copy)).length === 0 ? true : null), 'the shades to clear', {
        detail: async () => JSON.stringify(await s.shadedRanges(copy)),
      });
      // The per-turn values stay: heat is its own layer.
      await s.waitForDecoration(/axis\s[+-]\d/);
      await s.page.keyboard.press('Control+Z');
    },
  );
});
