import * as vscode from 'vscode';
import { parse, tooLargeResult } from '../core/formats';
import { hasAssistantTurn, type Conversation, type ParseResult, type TranscriptDiagnostic } from '../core/transcript';
import type { ConversationScores } from '../core/scores';
import type { Config } from './config';
import { uriLabel } from './uriLabel';
import type { TranscriptDiagnostics } from './diagnostics';
import type { Log } from './log';
import type { ResultStore } from './resultStore';
import { CancelledError } from '../protocol/errors';

/** Scores one conversation with the model; implemented over the model worker. */
export interface Scorer {
  score(conversation: Conversation, token: vscode.CancellationToken, progress: (message: string) => void): Promise<ConversationScores>;
}


/**
 * Parses and scores documents. One analysis per document at a time: a newer request for the
 * same URI cancels the older one; results are stored with the document version they were
 * computed for and dropped if the document changed meanwhile.
 */
export class Analyzer implements vscode.Disposable {
  private readonly running = new Map<string, vscode.CancellationTokenSource>();
  /** Length warnings of the last analysis per document, shown with the parse diagnostics. */
  private readonly truncation = new Map<string, TranscriptDiagnostic[]>();

  constructor(
    private readonly store: ResultStore,
    private readonly diagnostics: TranscriptDiagnostics,
    private readonly config: Config,
    private readonly scorer: Scorer,
    private readonly log: Log,
  ) {}

  /** Parses the document, publishes its diagnostics and returns the parse (cheap; no model). */
  parseDocument(doc: vscode.TextDocument): ParseResult {
    const maxBytes = this.config.value.maxFileSizeMB * 1024 * 1024;
    // Refused before getText() copies the text: the length in UTF-16 units is a lower bound of the
    // UTF-8 size, and the document model knows it without building the string.
    const length = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    const result = length > maxBytes ? tooLargeResult(doc.fileName, maxBytes, length, true) : parse(doc.getText(), doc.fileName, { maxBytes });
    // A JSON or Markdown file that is no transcript at all is not a problem to report in it.
    this.diagnostics.set(doc, result.format === 'unknown' ? [] : result.diagnostics);
    return result;
  }

  /**
   * Parses and scores every conversation of the document (or only those overlapping
   * `within`). Resolves with the number of scored conversations.
   */
  async analyze(
    doc: vscode.TextDocument,
    opts: { token?: vscode.CancellationToken; progress?: (message: string, fraction: number) => void; within?: vscode.Range } = {},
  ): Promise<{ scored: number; parse: ParseResult }> {
    const uri = doc.uri.toString();
    this.running.get(uri)?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.running.set(uri, source);
    const outer = opts.token?.onCancellationRequested(() => source.cancel());
    try {
      const version = doc.version;
      this.truncation.delete(uri);
      const parsed = this.parseDocument(doc);
      const prev = this.store.get(uri);
      // Scores of this very text are kept while re-scoring; after an edit they describe the old text,
      // so they stay dimmed (stale) until the new ones replace them.
      const reuse = prev !== undefined && prev.version === version;
      const stale = reuse && prev.stale;
      const scores: (ConversationScores | null)[] = parsed.conversations.map((_, i) => (reuse ? (prev.scores[i] ?? null) : null));
      const targets = parsed.conversations
        .map((c, i) => ({ c, i }))
        .filter(({ c }) => hasAssistantTurn(c))
        .filter(({ c }) => !opts.within || overlaps(doc, c, opts.within));
      this.store.set({ uri, version, parse: parsed, scores, stale });
      // Analyze Selection after an edit re-scores only the conversations it covers: the others keep
      // scores of the old text, so the document stays dimmed (stale) until those are re-scored too.
      const targeted = new Set(targets.map((t) => t.i));
      const staleLeft = stale && scores.some((sc, i) => sc !== null && !targeted.has(i));
      let done = 0;
      for (const { c, i } of targets) {
        if (source.token.isCancellationRequested) throw new CancelledError('analysis');
        const label = parsed.conversations.length > 1 ? `conversation ${i + 1}/${parsed.conversations.length}` : 'conversation';
        opts.progress?.(`Scoring ${label}`, done / targets.length);
        const s = await this.scorer.score(c, source.token, (m) => opts.progress?.(`${label}: ${m}`, done / targets.length));
        if (source.token.isCancellationRequested) throw new CancelledError('analysis');
        if (doc.version !== version) throw new CancelledError('analysis');
        scores[i] = s;
        done++;
        if (s.truncated) this.warnTruncated(doc, parsed, c, s.truncated);
        this.store.set({ uri, version, parse: parsed, scores: [...scores], stale: staleLeft || (stale && done < targets.length) });
      }
      this.log.info(`Analyzed ${uriLabel(doc.uri)}: ${parsed.format}, ${parsed.conversations.length} conversation(s), ${done} scored`);
      return { scored: done, parse: parsed };
    } finally {
      outer?.dispose();
      if (this.running.get(uri) === source) this.running.delete(uri);
      source.dispose();
    }
  }

  /** A warning on the first turn a length limit left out (the editor shows values only up to it). */
  private warnTruncated(doc: vscode.TextDocument, parsed: ParseResult, c: Conversation, t: NonNullable<ConversationScores['truncated']>): void {
    const turn = c.turns[t.firstTurnLeftOut];
    if (!turn) return;
    const extra: TranscriptDiagnostic = {
      severity: 'warning',
      code: 'context-length',
      message: `Persona Lens scored the turns before this one only: the conversation is ${t.fullTokens} tokens long and the limit is ${t.tokenLimit} (the model's context or the setting persona-lens.maxTokensPerConversation).`,
      range: turn.range,
    };
    this.truncation.set(doc.uri.toString(), [...(this.truncation.get(doc.uri.toString()) ?? []), extra]);
    this.diagnostics.set(doc, [...parsed.diagnostics, ...(this.truncation.get(doc.uri.toString()) ?? [])]);
  }

  /** Cancels the running analysis of a document, if any. */
  cancel(uri: vscode.Uri): void {
    this.running.get(uri.toString())?.cancel();
  }

  dispose(): void {
    this.running.forEach((s) => s.cancel());
    this.running.clear();
  }
}

function overlaps(doc: vscode.TextDocument, c: Conversation, within: vscode.Range): boolean {
  return c.turns.some((t) => {
    const r = new vscode.Range(doc.positionAt(t.range.start), doc.positionAt(t.range.end));
    return r.intersection(within) !== undefined;
  });
}
