import * as vscode from 'vscode';
import type { ParseResult } from '../core/transcript';
import type { ConversationScores } from '../core/scores';

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
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the URI (string) whose result changed. */
  readonly onDidChange = this.emitter.event;

  get(uri: vscode.Uri | string): DocumentResult | undefined {
    return this.results.get(String(uri));
  }

  set(result: DocumentResult): void {
    this.results.set(result.uri, result);
    this.emitter.fire(result.uri);
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
    if (this.results.delete(String(uri))) this.emitter.fire(String(uri));
  }

  clear(): void {
    const uris = [...this.results.keys()];
    this.results.clear();
    uris.forEach((u) => this.emitter.fire(u));
  }

  dispose(): void {
    this.results.clear();
    this.emitter.dispose();
  }
}
