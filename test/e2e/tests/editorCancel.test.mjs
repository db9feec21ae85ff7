// @ts-check
// Issue 23: a user's cancel is not an error, and a file over the size limit is refused before it is
// read. "Analyze File" with a model whose 8 GB (sparse) graph is still being hashed, cancelled from
// the progress notification: nothing is logged at error level (the harness fails on that at once),
// no error notification appears, and the status bar goes back to idle instead of showing an error.
// Then a transcript larger than persona-lens.maxFileSizeMB is refused with a message that says why.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, withSession } from '../harness.mjs';

const file = 'philosophy.json';

test('cancelling an analysis while the model graph is hashed shows no error; a too-large transcript is refused with a message', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'pl-e2e-cancel-'));
  const model = join(scratch, 'big-model');
  cpSync(join(repoRoot, 'models', 'demo'), model, { recursive: true });
  truncateSync(join(model, 'onnx', 'model.onnx'), 8 * 1024 ** 3);
  const big = join(scratch, 'big.json');
  const turns = Array.from({ length: 400 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `Message ${i}: ${'lorem ipsum '.repeat(30)}` }));
  writeFileSync(big, JSON.stringify({ messages: turns }, null, 1));
  try {
    await withSession(
      {
        name: 'editor-cancel',
        transcripts: [file],
        files: { 'big.json': big },
        settings: {
          'persona-lens.model': model,
          'persona-lens.axisFile': join(repoRoot, 'models', 'demo', 'axis.json'),
          'persona-lens.panel.openOnAnalyze': false,
          // 0.1 MB = 102.4 KB: philosophy.json (39 KB) is analysed, big.json (about 160 KB) is not.
          'persona-lens.maxFileSizeMB': 0.1,
        },
      },
      async (s) => {
        await s.openFile(file);
        await s.waitForLogLine('Persona Lens activated');
        await s.runCommand('Persona Lens: Analyze File');
        const loading = s.statusBarItem('Persona Lens: loading');
        await s.race(loading.first().waitFor());
        const toast = s.notification('Persona Lens');
        await s.race(toast.first().waitFor());
        await s.screenshot('hashing');
        await toast.first().hover();
        await s.race(toast.first().locator('.monaco-button', { hasText: 'Cancel' }).first().click());
        await s.race(loading.first().waitFor({ state: 'detached' }));
        const status = s.statusBarItem('Persona Lens').first();
        assert.doesNotMatch(await status.innerHTML(), /codicon-error/, 'the status bar shows an error for a cancel');
        assert.match(await status.innerText(), /Persona Lens/);
        assert.doesNotMatch(s.readLog(), /Loaded |aborted|failed/i, `the cancel happened after the load or was reported:\n${s.readLog()}`);
        assert.equal(await s.notification(/aborted|failed/i).count(), 0);
        await s.screenshot('cancelled');

        // A transcript over the size limit: refused before its text is read, and the user is told why.
        await s.openFile('big.json');
        await s.runCommand('Persona Lens: Analyze File');
        const warning = s.notification('is larger than the');
        await s.race(warning.first().waitFor());
        assert.match(await warning.first().innerText(), /big\.json is larger than the 102\.4 KB limit for transcripts \(at least \d+\.\d KB\).*persona-lens\.maxFileSizeMB/s);
        assert.doesNotMatch(s.readLog(), /Analyzed .*big\.json/);
      },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
