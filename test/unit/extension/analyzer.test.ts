// The Analyzer (src/extension/analysis.ts) with the real EngineHost, worker and demo model, against a
// small stand-in for the VS Code API (test/support/vscodeStub.ts): a document's conversations are
// scored into the store; a newer analysis of the same document cancels the older one; an edit during
// scoring drops the old results instead of storing numbers for text that is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Analyzer } from '../../../src/extension/analysis';
import type { Config } from '../../../src/extension/config';
import type { TranscriptDiagnostics } from '../../../src/extension/diagnostics';
import { EngineHost } from '../../../src/extension/engineHost';
import type { Log } from '../../../src/extension/log';
import { ResultStore } from '../../../src/extension/resultStore';
import { toConfig } from '../../../src/extension/settings';
import { StatusBar } from '../../../src/extension/statusBar';
import { isCancellation } from '../../../src/protocol/errors';

const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');

/** A text document as the Analyzer reads it: text, version, positions. */
function textDocument(path: string, text: string): vscode.TextDocument & { edit(text: string): void } {
  let content = text;
  let version = 1;
  const lines = (): string[] => content.split('\n');
  const doc = {
    uri: vscode.Uri.file(path),
    fileName: path,
    get version() {
      return version;
    },
    get lineCount() {
      return lines().length;
    },
    getText: () => content,
    offsetAt: (p: { line: number; character: number }) => lines().slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character,
    lineAt: (line: number) => ({ range: { end: { line, character: lines()[line]?.length ?? 0 } } }),
    edit(next: string) {
      content = next;
      version++;
    },
  };
  return doc as unknown as vscode.TextDocument & { edit(text: string): void };
}

function setUp(cacheDir: string): { analyzer: Analyzer; store: ResultStore; engine: EngineHost } {
  const config = { value: { ...toConfig(() => undefined).config, model: 'demo', cacheDir }, onDidChange: new vscode.EventEmitter().event } as unknown as Config;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
  const diagnostics = { set: () => undefined, delete: () => undefined } as unknown as TranscriptDiagnostics;
  const store = new ResultStore();
  const engine = new EngineHost({ extensionUri: vscode.Uri.file(process.cwd()), storageUri: vscode.Uri.file(cacheDir), config, log, status: new StatusBar() });
  return { analyzer: new Analyzer(store, diagnostics, config, engine, log), store, engine };
}

test('analyze scores the document into the store; a newer analysis of it cancels the older one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-analyzer-'));
  const { analyzer, store, engine } = setUp(dir);
  try {
    const doc = textDocument(SAMPLE, readFileSync(SAMPLE, 'utf8'));
    const first = analyzer.analyze(doc);
    const second = analyzer.analyze(doc);
    await assert.rejects(first, (e) => isCancellation(e));
    const { scored } = await second;
    assert.equal(scored, 1);
    const result = store.get(doc.uri);
    assert.ok(result && !result.stale);
    assert.equal(result.version, 1);
    const values = result.scores[0]?.turns.filter((t) => t.role === 'assistant').map((t) => t.value) ?? [];
    assert.equal(values.length, 4);
    assert.ok(values.every(Number.isFinite));
    assert.ok(result.scores[0]?.capping, 'the scores carry the capping band they were made with');
  } finally {
    analyzer.dispose();
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an edit while scoring: the scores of the old text are not stored as the new text\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-analyzer-'));
  const { analyzer, store, engine } = setUp(dir);
  try {
    const text = readFileSync(SAMPLE, 'utf8');
    const doc = textDocument(SAMPLE, text);
    const running = analyzer.analyze(doc);
    doc.edit(text.replace('learning to code', 'learning to paint'));
    await assert.rejects(running, (e) => isCancellation(e));
    const stored = store.get(doc.uri);
    assert.ok(!stored || stored.version === 1, 'nothing is stored for version 2 by the old analysis');
    assert.ok(!stored || stored.scores.every((s) => s === null), 'no scores of the old text');
    const { scored } = await analyzer.analyze(doc);
    assert.equal(scored, 1);
    assert.equal(store.get(doc.uri)?.version, 2);
  } finally {
    analyzer.dispose();
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
