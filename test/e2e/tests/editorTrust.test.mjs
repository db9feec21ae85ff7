// @ts-check
// Issue 6, workspace trust: in Restricted Mode a model folder named in the workspace's settings is
// ignored, with a message; analysis still works with the user-level model (the default demo model).
// A honoured bogus path would fail the analysis (ModelRefError, logged as an error: the test fails).
// The same session then checks the idle shutdown of the model worker (a short idle time set in the
// user settings): the worker stops, the status bar says the model is not loaded, and the next
// analysis loads the model again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withSession } from '../harness.mjs';

const file = 'writing.json';
const bogus = '/nonexistent/persona-lens-e2e-model';

test('an untrusted workspace ignores its persona-lens.model setting; an idle worker is stopped and restarted', async () => {
  await withSession(
    {
      name: 'editor-trust',
      transcripts: [file],
      untrusted: true,
      workspaceSettings: { 'persona-lens.model': bogus },
      // 0.05 minutes = 3 s: long enough for one analysis to finish, short enough to wait for.
      settings: {
        'persona-lens.panel.openOnAnalyze': false,
        'persona-lens.engine.idleShutdownMinutes': 0.05,
      },
    },
    async (s) => {
      // The workbench really is in Restricted Mode (status bar indicator).
      await s.race(s.statusBarItem('Restricted Mode').first().waitFor());
      await s.openFile(file);
      const warned = await s.waitForLogLine(
        'Restricted Mode: the workspace setting persona-lens.model is ignored',
      );
      assert.ok(!warned.includes(bogus), 'the message names the setting, not its value');
      const toast = s.notification('the workspace setting persona-lens.model is ignored');
      await s.race(toast.first().waitFor());
      assert.match(await toast.first().innerText(), /Manage Workspace Trust/);
      await s.screenshot('restricted');

      await s.runCommand('Persona Lens: Analyze File');
      await s.waitForLogLine(/Loaded demo \(/, 90_000);
      await s.waitForDecoration(/axis\s[+-]\d/, 90_000);
      assert.ok(!s.readLog().includes(bogus), `the workspace model path reached the engine:\n${s.readLog()}`);

      // Idle shutdown: the worker stops after the idle time and comes back on the next analysis.
      const status = s.statusBarItem('Persona Lens').first();
      await s.waitForLogLine(/Engine stopped after 0\.05 idle minute/, 30_000);
      await s.race(
        s.statusBarItem('Persona Lens: ready').waitFor({ state: 'detached' }),
      );
      assert.doesNotMatch(await status.innerText(), /ready|scoring|loading/);
      const loads = () =>
        s
          .readLog()
          .split('\n')
          .filter((l) => /Loaded demo \(/.test(l)).length;
      assert.equal(loads(), 1);
      await s.runCommand('Persona Lens: Analyze File');
      const deadline = Date.now() + 90_000;
      while (loads() < 2) {
        if (Date.now() > deadline) throw new Error(`e2e: the model was not loaded again:\n${s.readLog()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await s.waitForDecoration(/axis\s[+-]\d/, 30_000);
    },
  );
});
