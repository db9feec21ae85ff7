// @ts-check
// Issue 6: the four transcripts of the paper (../shared/data, read-only) analysed in one VS Code
// session; every assistant turn of every file shows its value next to it, and a hover on a turn
// offers the actions. Issue 22: the demo model cannot read this real text, so its values are marked
// out of domain (greyed, no alarm) and one notice per file says what the demo model is. Decorations are read from the page (CSS pseudo-element text), scrolling
// through each file because Monaco renders only the lines in view.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';
import { TRANSCRIPTS_DIR } from '../../support/shared.mjs';
import { assistantContentLines } from '../transcriptLines.mjs';

const transcripts = ['philosophy.json', 'coding.json', 'therapy.json', 'writing.json'];
const value = /^axis [+-]\d+\.\d\d\b/;
const ood = /\bout of domain$/;
const cut = /^axis n\/a: beyond the (\d+)-token limit$/;

test('every assistant turn of the four paper transcripts shows its value', async () => {
  await withSession(
    {
      name: 'editor-transcripts',
      transcripts,
      // The paper's transcripts are 6-18k demo tokens; score as much as the model's context allows.
      settings: {
        'persona-lens.maxTokensPerConversation': 1_000_000,
        'persona-lens.panel.openOnAnalyze': false,
      },
      viewport: { width: 1400, height: 1400 },
    },
    async (s) => {
      for (const file of transcripts) {
        const expected = assistantContentLines(readFileSync(join(TRANSCRIPTS_DIR, file), 'utf8'));
        await s.openFile(file);
        await s.runCommand('Persona Lens: Analyze File');
        await s.waitForLogLine(`Analyzed ${file}`, 90_000);
        await s.waitForDecoration(/axis\s[+-]\d/, 10_000);
        const drawn = await s.editorDecorations(file);
        const axis = drawn.filter((d) => d.text.startsWith('axis '));
        assert.deepEqual(
          axis.map((d) => d.line),
          expected,
          `${file}: one value per assistant turn, on the turn's first line (drawn: ${JSON.stringify(axis)})`,
        );
        // A turn past the model's context says so instead of a number; only a tail can be cut.
        const scored = axis.filter((d) => value.test(d.text)).length;
        assert.ok(scored > 0, `${file}: no numeric value`);
        for (const [i, d] of axis.entries()) {
          if (i < scored) assert.match(d.text, value, `${file}:${d.line}`);
          else assert.match(d.text, cut, `${file}:${d.line}`);
        }
        // JSON messages sit on one long line: the value is drawn before its text, where it is on screen.
        assert.ok(
          axis.every((d) => d.pseudo === '::before'),
          `${file}: values drawn after long lines`,
        );
        // The demo model reads only its own synthetic conversations: real transcripts are out of its domain.
        const unread = axis.filter((d) => ood.test(d.text)).length;
        assert.ok(unread >= 0.95 * scored, `${file}: ${unread} of ${scored} values out of domain: ${JSON.stringify(axis.map((d) => d.text))}`);
        assert.ok(!axis.some((d) => /▼/.test(d.text)), `${file}: an out-of-domain value raised the alarm`);
        const notice = s.notification(`assistant turns of ${file} are out of the demo model's domain`);
        await s.race(notice.waitFor());
        assert.equal(await notice.locator('.monaco-button', { hasText: 'Select Model' }).count(), 1, 'the notice offers Select Model');
        console.log(
          `${file}: ${scored}/${expected.length} assistant turns scored, ${expected.length - scored} beyond the context, ${unread} out of domain`,
        );
      }

      // Hover on a scored turn: its numbers and the three actions.
      const file = 'writing.json';
      const text = readFileSync(join(TRANSCRIPTS_DIR, file), 'utf8');
      const line = assistantContentLines(text)[0] ?? 1;
      // A word of the turn's text (one token span of the JSON string): inside the turn.
      const needle =
        /[A-Za-z]{4,}/.exec(text.split('\n')[line - 1]?.split('"content": ')[1] ?? '')?.[0] ?? '';
      await s.goToLine(line);
      const hover = await s.hover(file, line, needle, /Copy values/);
      for (const action of ['Re-run with capping', 'Show in drift panel', 'Copy values']) {
        assert.ok(hover.includes(action), `hover lacks "${action}":\n${hover}`);
      }
      assert.match(hover, /Assistant-Axis value\s+[+-]\d/);
      await s.screenshot('hover');
    },
  );
});
