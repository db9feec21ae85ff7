// The extension's EngineHost with the real worker (out/worker.js from `npm run build`) and the demo
// model, against a small stand-in for the VS Code API (test/support/vscodeStub.ts): two analyses that
// share the model load, the first cancelled, the second still scored (the bug this lifetime fixes);
// the status bar derived from the session and the requests in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parse } from '../../../src/core/formats';
import { CancelledError, isCancellation } from '../../../src/protocol/errors';
import type { Config, ConfigChange } from '../../../src/extension/config';
import { EngineHost } from '../../../src/extension/engineHost';
import type { Log } from '../../../src/extension/log';
import { toConfig } from '../../../src/extension/settings';
import { StatusBar } from '../../../src/extension/statusBar';
import { recorded } from '../../support/vscodeStub';

const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');

function host(cacheDir: string): { engine: EngineHost; statusText: () => string; changeSettings: (c: ConfigChange) => void } {
  const changes = new vscode.EventEmitter<ConfigChange>();
  const config = { value: { ...toConfig(() => undefined).config, model: 'demo', cacheDir }, onDidChange: changes.event } as unknown as Config;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
  const status = new StatusBar();
  const item = recorded.statusItems.at(-1);
  assert.ok(item);
  const root = vscode.Uri.file(process.cwd());
  const engine = new EngineHost({ extensionUri: root, storageUri: vscode.Uri.file(cacheDir), config, log, status });
  return { engine, statusText: () => item.text, changeSettings: (c) => changes.fire(c) };
}

test('cancelling one analysis while the model loads does not fail another that shares the load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-engine-host-'));
  const { engine, statusText } = host(dir);
  try {
    const conversation = parse(readFileSync(SAMPLE, 'utf8'), SAMPLE).conversations[0];
    assert.ok(conversation);
    const first = new vscode.CancellationTokenSource();
    const second = new vscode.CancellationTokenSource();
    const a = engine.score(conversation, first.token, () => undefined);
    const b = engine.score(conversation, second.token, () => undefined);
    assert.match(statusText(), /loading/);
    first.cancel();
    await assert.rejects(a, (e) => e instanceof CancelledError);
    const scores = await b;
    assert.ok(scores.turns.some((t) => 'value' in t && Number.isFinite(t.value)), 'the second analysis has values');
    assert.match(statusText(), /ready/);
  } finally {
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a settings change closes the session (its load aborted); the next analysis opens one with the new settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-engine-host-'));
  const { engine, statusText, changeSettings } = host(dir);
  try {
    const conversation = parse(readFileSync(SAMPLE, 'utf8'), SAMPLE).conversations[0];
    assert.ok(conversation);
    const none = new vscode.CancellationTokenSource().token;
    const pending = engine.score(conversation, none, () => undefined);
    changeSettings({ keys: ['dtype'], classes: new Set(['engine']) });
    await assert.rejects(pending, (e) => isCancellation(e));
    assert.doesNotMatch(statusText(), /loading|error/);
    const scores = await engine.score(conversation, none, () => undefined);
    assert.ok(scores.turns.length > 0);
    assert.match(statusText(), /ready/);
  } finally {
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
