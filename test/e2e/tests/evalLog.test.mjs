// @ts-check
// An Inspect AI .eval log (a zip archive VS Code shows as binary) in a real VS Code (issue 27):
// "Persona Lens: Open Inspect Log Sample…" lists its samples, opens the chosen one as a read-only
// virtual document and analyses it; the per-turn value sits on the assistant turn of that document.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import yauzl from 'yauzl';
import { repoRoot, withSession } from '../harness.mjs';

const log = join(repoRoot, 'test', 'fixtures', 'formats', 'inspect-four-samples.eval');

/**
 * One entry of a zip, read with yauzl (independent of the extension's reader).
 * @param {string} file
 * @param {string} name
 * @returns {Promise<string>}
 */
function readEntry(file, name) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (/** @type {import('yauzl').Entry} */ e) => {
        if (e.fileName !== name) return zip.readEntry();
        zip.openReadStream(e, (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          /** @type {Buffer[]} */
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.on('end', () => reject(new Error(`${name} not in ${file}`)));
      zip.readEntry();
    });
  });
}

test('Open Inspect Log Sample: pick a sample of a .eval log, it opens read-only and its assistant turn gets a value', async () => {
  const sample = JSON.parse(await readEntry(log, 'samples/2_epoch_2.json'));
  const assistant = sample.messages.filter((/** @type {{ role: string }} */ m) => m.role === 'assistant');
  assert.equal(assistant.length, 1, 'the fixture sample has one assistant turn');
  const reply = JSON.stringify(assistant[0].content).slice(1, -1);

  await withSession({ name: 'eval-log', files: { 'logs/streaming.eval': log } }, async (s) => {
    const page = s.page;
    // Select the log in the editor (VS Code shows it as a binary file), then run the command on it.
    const qi = page.locator('.quick-input-widget');
    await page.keyboard.press('Control+P');
    await s.race(qi.locator('input').waitFor({ state: 'visible' }));
    await page.keyboard.type('streaming.eval');
    await s.race(qi.locator('.monaco-list-row', { hasText: 'streaming.eval' }).first().waitFor());
    await qi.locator('.monaco-list-row', { hasText: 'streaming.eval' }).first().click();
    await s.race(page.locator('.tabs-container .tab.active', { hasText: 'streaming.eval' }).waitFor());

    await s.runCommand('Persona Lens: Open Inspect Log Sample…', { opensQuickPick: true });
    // Four samples: ids 1 and 2, epochs 1 and 2, in that order.
    const rows = qi.locator('.monaco-list-row');
    await s.race(rows.nth(3).waitFor());
    const labels = await rows.locator('.label-name').allInnerTexts();
    const descriptions = await rows.locator('.label-description').allInnerTexts();
    assert.deepEqual(
      labels.map((l, i) => `${l.trim()} / ${descriptions[i]?.trim()}`),
      ['sample 1 / epoch 1', 'sample 1 / epoch 2', 'sample 2 / epoch 1', 'sample 2 / epoch 2'],
    );
    await rows.nth(3).click();
    await s.race(page.locator('.tabs-container .tab.active', { hasText: '2_epoch_2.json' }).waitFor());
    await s.screenshot('sample-open');

    await s.waitForLogLine(/Analyzed 2_epoch_2\.json: inspect-eval, 1 conversation\(s\), 1 scored/, 60_000);
    const value = await s.waitForDecoration(/axis [+\-−]?\d/);
    assert.match(value, /axis [+\-−]?\d/);
    const decorations = (await s.editorDecorations('2_epoch_2.json')).filter((d) => /axis/.test(d.text));
    assert.equal(decorations.length, 1, `one value for one assistant turn: ${JSON.stringify(decorations)}`);
    // The value sits on the assistant's line of the virtual document.
    const line = decorations[0]?.line ?? 0;
    await s.goToLine(line);
    // Monaco draws each JSON token in a span of its own: the reply's string literal is on that line.
    await s.textBox('2_epoch_2.json', line, `"${reply}"`);

    // The document is read-only: typing changes nothing and no editor becomes dirty.
    await page.keyboard.type('x');
    assert.equal(
      await page.locator('.tabs-container .tab.dirty').count(),
      0,
      'the sample document became dirty',
    );
    await s.screenshot('sample-analyzed');
  });
});
