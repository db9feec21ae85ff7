import * as vscode from 'vscode';
import type { Analyzer } from './analysis';
import { uriLabel } from './uriLabel';
import { isCancellation } from '../protocol/errors';
import { isTranscriptCandidate } from './commands';
import type { Config } from './config';
import type { TranscriptDiagnostics } from './diagnostics';
import type { Log } from './log';
import type { ResultStore } from './resultStore';

/** Largest document re-parsed on every edit: parsing took about 0.3-0.6 ms per KB here, so up to ~0.5 s. */
const REPARSE_ON_EDIT_MAX_CHARS = 1_000_000;

export interface EventDeps {
  readonly analyzer: Analyzer;
  readonly store: ResultStore;
  readonly diagnostics: TranscriptDiagnostics;
  readonly config: Config;
  readonly log: Log;
}

/**
 * Document lifecycle: an edit dims the numbers at once (they describe the old text) and, for
 * analysed documents, re-scores after a trailing debounce; closing a document drops its results.
 * Background runs never show notifications; their failures go to the log.
 */
export function registerEvents(deps: EventDeps): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  const schedule = (doc: vscode.TextDocument, delayMs: number): void => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void deps.analyzer.analyze(doc).catch((e: unknown) => {
          if (!isCancellation(e)) deps.log.error(`Background analysis of ${doc.fileName} failed`, e);
        });
      }, delayMs),
    );
  };
  const forget = (uri: vscode.Uri): void => {
    clearTimeout(timers.get(uri.toString()));
    timers.delete(uri.toString());
    deps.analyzer.cancel(uri);
    deps.store.delete(uri);
    deps.diagnostics.delete(uri);
  };
  /** Analysed documents that are still open, dimmed first (their numbers describe the old settings), then re-scored. */
  const rescoreAll = (): void => {
    for (const uri of deps.store.uris()) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (!doc) continue;
      deps.store.markStale(uri, doc.version, null);
      schedule(doc, 0);
    }
  };
  const disposables = [
    // Settings act by class: a scoring setting changes what the numbers mean, so they are re-scored
    // at once; an engine setting reloads the model, which can take long, so the user is asked.
    deps.config.onDidChange((c) => {
      if (deps.store.uris().length === 0) return;
      if (c.classes.has('engine')) {
        void vscode.window
          .showInformationMessage(`Persona Lens: ${c.keys.join(', ')} changed; the model reloads with the new settings.`, 'Restart now')
          .then((a) => a === 'Restart now' && rescoreAll());
      } else if (c.classes.has('scoring')) {
        deps.log.info(`Re-scoring open transcripts: ${c.keys.join(', ')} changed`);
        rescoreAll();
      }
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || !deps.store.get(e.document.uri)) return;
      deps.analyzer.cancel(e.document.uri);
      // Re-parsing keeps the dimmed numbers on the right lines; multi-megabyte files take seconds to
      // parse, so those keep their old parse until the debounced analysis.
      const parse = e.document.getText().length <= REPARSE_ON_EDIT_MAX_CHARS ? deps.analyzer.parseDocument(e.document) : null;
      deps.store.markStale(e.document.uri, e.document.version, parse);
      schedule(e.document, deps.config.value.analyzeDebounceMs);
    }),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (deps.config.value.analyzeOnOpen && isTranscriptCandidate(doc)) schedule(doc, 0);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (deps.config.value.analyzeOnSave && isTranscriptCandidate(doc)) schedule(doc, 0);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => forget(doc.uri)),
    // VS Code disposes a document some time after its last tab closes (or never, while an extension
    // holds it), so closing the last tab of a file is what clears its numbers.
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.closed) {
        const uri = tabUri(tab);
        if (!uri || !deps.store.get(uri) || isShown(uri)) continue;
        forget(uri);
        deps.log.info(`Closed ${uriLabel(uri)}: its annotations were cleared`);
      }
    }),
  ];
  return new vscode.Disposable(() => {
    timers.forEach((t) => clearTimeout(t));
    for (const d of disposables) d.dispose();
  });
}

/** The document a tab shows (text editors and both sides of a diff), if any. */
function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  const input = tab.input;
  if (input instanceof vscode.TabInputText) return input.uri;
  if (input instanceof vscode.TabInputTextDiff) return input.modified;
  return undefined;
}

/** True while some tab in any group still shows the document. */
function isShown(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === key));
}
