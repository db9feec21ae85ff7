import * as vscode from 'vscode';
import type { ParseResult } from '../core/transcript';
import type { ConversationScores } from '../core/scores';
import type { RerunValues } from '../core/report/scoreExport';
import { LIMITS } from '../../webview/protocol';

/** What is known about one document: its parse and, once scored, per-conversation scores. */
export interface DocumentResult {
  readonly uri: string;
  /** document.version the parse was made for. */
  readonly version: number;
  readonly parse: ParseResult;
  /** Scores per conversation (same index as parse.conversations); null where not scored. */
  readonly scores: readonly (ConversationScores | null)[];
  /** True while the text has changed since the scores were computed (numbers are dimmed). */
  readonly stale: boolean;
}

/**
 * Results by document URI. Providers (decorations, hovers, CodeLens, panel) only read from
 * here; analysis writes and fires one change event per update.
 */
export class ResultStore implements vscode.Disposable {
  private readonly results = new Map<string, DocumentResult>();
  /** Re-runs per document since its scores last changed, oldest first (the newest LIMITS.rerunPoints kept). */
  private readonly reruns = new Map<string, RerunValues[]>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the URI (string) whose result changed. */
  readonly onDidChange = this.emitter.event;

  get(uri: vscode.Uri | string): DocumentResult | undefined {
    return this.results.get(String(uri));
  }

  set(result: DocumentResult): void {
    this.results.set(result.uri, result);
    // Re-runs were compared against the scores they were made from: new scores make them stale.
    this.reruns.delete(result.uri);
    this.emitter.fire(result.uri);
  }

  /** The document's re-runs since its scores last changed, oldest first. */
  rerunsOf(uri: vscode.Uri | string): readonly RerunValues[] {
    return this.reruns.get(String(uri)) ?? [];
  }

  /** Keeps a finished re-run with the document's scores (dropped when they change). */
  addRerun(uri: vscode.Uri | string, rerun: RerunValues): void {
    const key = String(uri);
    if (!this.results.has(key)) return;
    this.reruns.set(key, [...this.rerunsOf(key), rerun].slice(-LIMITS.rerunPoints));
    this.emitter.fire(key);
  }

  /** Marks a document's numbers stale after an edit; `parse` is the new parse, or null to keep the old one. */
  markStale(uri: vscode.Uri | string, version: number, parse: ParseResult | null): void {
    const prev = this.results.get(String(uri));
    if (!prev) return;
    this.set({ ...prev, version, parse: parse ?? prev.parse, stale: true });
  }

  /** The documents with results. */
  uris(): string[] {
    return [...this.results.keys()];
  }

  delete(uri: vscode.Uri | string): void {
    this.reruns.delete(String(uri));
    if (this.results.delete(String(uri))) this.emitter.fire(String(uri));
  }

  clear(): void {
    const uris = [...this.results.keys()];
    this.results.clear();
    this.reruns.clear();
    uris.forEach((u) => this.emitter.fire(u));
  }

  dispose(): void {
    this.results.clear();
    this.reruns.clear();
    this.emitter.dispose();
  }
}
