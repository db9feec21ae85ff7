import * as vscode from 'vscode';
import { exportPng, exportValues, showCappedText } from './panelExports';
import { panelPage } from './panelPage';
import type { RerunResult } from '../engine/rerun';
import {
  LIMITS,
  parseFromPanel,
  type Compare,
  type FromPanelMessage,
  type ToPanelMessage,
  type Variant,
} from '../../webview/protocol';
import { PANEL_VIEW_TYPE } from './ids';
import { toCompare, toDataMessage } from './panelData';
import { uriLabel } from './uriLabel';
import type { Log } from './log';
import type { ResultStore } from './resultStore';

/** What the panel needs from the rest of the extension. */
export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly store: ResultStore;
  readonly log: Log;
  /** Reveals and selects a turn in its editor. */
  revealTurn(uri: vscode.Uri, conversation: number, turn: number): Promise<void>;
  /** Re-runs a turn with capping (the RerunController, which reports back through beginRerun). */
  rerun(target: TurnTarget): Promise<void>;
  /** Cancels the running re-run, if any. */
  cancelRerun(): void;
}

/** A turn of a transcript. */
export interface TurnTarget {
  readonly uri: vscode.Uri;
  readonly conversation: number;
  readonly turn: number;
}

/** Where a running re-run reports to; see DriftPanel.beginRerun. */
export interface RerunView {
  variant(variant: Variant): void;
  tokens(variant: Variant, text: string): void;
  done(result: RerunResult): void;
  ended(reason: 'cancelled' | 'failed', message: string): void;
}

/** A re-run in progress as the panel shows it. */
interface RunningRerun {
  readonly started: Extract<ToPanelMessage, { type: 'rerunStarted' }>;
  current: Variant | null;
  /** Text sent so far, per variant (bounded by LIMITS.replyText). */
  readonly streamed: Record<Variant, string>;
  /** Text not sent yet (batched for STREAM_BATCH_MS). */
  readonly pending: Record<Variant, string>;
  timer: NodeJS.Timeout | null;
}

/** Tokens streamed to the panel are batched for this long, so a fast model does not flood the message channel. */
const STREAM_BATCH_MS = 40;
/** Store changes within this window reach the panel as one data message. */
const POST_COALESCE_MS = 150;

/**
 * The drift panel: one at a time, a view of the result store (scores, the capping band they were
 * made with, re-run values) and of the running re-run; it re-sends the data set when the panel is
 * created, restored, becomes visible, or the active transcript changes. The data mapping is
 * panelData.ts; re-runs are run by the RerunController.
 */
export class DriftPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** The transcript the panel follows: the active editor's, or the last one shown. */
  private followed: vscode.Uri | null = null;
  /** A turn to highlight once the data has been sent. */
  private pendingSelect: { conversation: number; turn: number } | null = null;
  /** A pending coalesced post (store changes), so a big JSONL file is not resent per conversation. */
  private postTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last finished re-run, re-sent on restore and used by "Copy/Open capped text". */
  private lastCompare: Compare | null = null;
  /** The re-run in progress, replayed to a page that (re)loads meanwhile; reports of a superseded one are dropped. */
  private running: RunningRerun | null = null;

  constructor(private readonly deps: PanelDeps) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: (panel) => {
          this.attach(panel);
          return Promise.resolve();
        },
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && deps.store.get(e.document.uri)) {
          this.followed = e.document.uri;
          this.post();
        }
      }),
      deps.store.onDidChange((uri) => {
        if (this.followed?.toString() === uri) this.postSoon();
      }),
      vscode.window.onDidChangeActiveColorTheme(() => this.send({ type: 'themeChanged' })),
    );
  }

  /** Opens the panel (or reveals it) following `uri`, optionally highlighting one turn. */
  show(uri: vscode.Uri | null, select?: { conversation: number; turn: number }): void {
    if (uri) this.followed = uri;
    this.pendingSelect = select ?? null;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.post();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Persona Lens: Drift',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      this.options(),
    );
    this.attach(panel);
  }

  /**
   * Shows a re-run in the compare view: the original text now, then the streamed replies, then the
   * scored result. One at a time: a new one replaces the old, whose late reports are dropped.
   */
  beginRerun(target: TurnTarget, originalText: string): RerunView {
    if (this.running?.timer) clearTimeout(this.running.timer);
    const run: RunningRerun = {
      started: {
        type: 'rerunStarted',
        uri: target.uri.toString(),
        conversation: target.conversation,
        turn: target.turn,
        originalText: originalText.slice(0, LIMITS.replyText),
      },
      current: null,
      streamed: { uncapped: '', capped: '' },
      pending: { uncapped: '', capped: '' },
      timer: null,
    };
    const live = (): boolean => this.running === run;
    this.running = run;
    this.show(target.uri);
    this.send(run.started);
    const finish = (): void => {
      if (run.timer) clearTimeout(run.timer);
      this.flush(run);
      this.running = null;
    };
    return {
      variant: (variant) => {
        if (!live()) return;
        this.flush(run);
        run.current = variant;
        this.send({ type: 'rerunVariant', variant });
      },
      tokens: (variant, text) => {
        if (!live()) return;
        run.pending[variant] += text;
        run.timer ??= setTimeout(() => this.flush(run), STREAM_BATCH_MS);
      },
      done: (result) => {
        if (!live()) return;
        finish();
        const compare = toCompare(
          { uri: run.started.uri, conversation: target.conversation, turn: target.turn },
          result,
        );
        this.lastCompare = compare;
        this.send({ type: 'rerunDone', compare });
      },
      ended: (reason, message) => {
        if (!live()) return;
        finish();
        this.send({ type: 'rerunEnded', reason, message: message.slice(0, 2000) });
      },
    };
  }

  /** Sends what a re-run generated since the last flush, in chunks within the protocol's limit. */
  private flush(run: RunningRerun): void {
    run.timer = null;
    // A superseded run's leftovers would land in the new run's text.
    if (run !== this.running) return;
    for (const variant of ['uncapped', 'capped'] as const) {
      const text = run.pending[variant];
      run.pending[variant] = '';
      run.streamed[variant] = (run.streamed[variant] + text).slice(0, LIMITS.replyText);
      for (let i = 0; i < text.length; i += LIMITS.chunkText) {
        this.send({ type: 'rerunTokens', variant, text: text.slice(i, i + LIMITS.chunkText) });
      }
    }
  }

  /** Brings a (re)loaded page up to date with a running re-run: start, what has streamed, the current variant. */
  private replay(run: RunningRerun): void {
    this.flush(run);
    this.send(run.started);
    for (const variant of ['uncapped', 'capped'] as const) {
      const text = run.streamed[variant];
      for (let i = 0; i < text.length; i += LIMITS.chunkText) {
        this.send({ type: 'rerunTokens', variant, text: text.slice(i, i + LIMITS.chunkText) });
      }
    }
    if (run.current) this.send({ type: 'rerunVariant', variant: run.current });
  }

  /** The capped text of the last finished re-run, or null. */
  lastCappedText(): string | null {
    return this.lastCompare?.capped?.text ?? null;
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'webview'),
        vscode.Uri.joinPath(this.deps.extensionUri, 'media'),
      ],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidChangeViewState((e) => e.webviewPanel.visible && this.post()),
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = null;
      }),
    ];
  }

  private receive(data: unknown): void {
    const parsed = parseFromPanel(data);
    if (!parsed.ok) {
      this.deps.log.warn(`Dropped a malformed panel message: ${parsed.reason}`);
      return;
    }
    void this.handle(parsed.message).catch((e: unknown) => this.deps.log.error('Panel message failed', e));
  }

  private async handle(msg: FromPanelMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post();
        // A page loaded mid-run (the panel was just created, hidden or reloaded) catches up; else it gets the last result.
        if (this.running) this.replay(this.running);
        else if (this.lastCompare) this.send({ type: 'rerunDone', compare: this.lastCompare });
        return;
      case 'revealTurn':
      case 'rerunTurn': {
        // Only transcripts the extension has analysed are acted on: the panel never names an arbitrary path.
        if (!this.deps.store.get(msg.uri)) {
          this.deps.log.warn(`Panel named a document that is not analysed: ${msg.uri}`);
          return;
        }
        const target = { uri: vscode.Uri.parse(msg.uri), conversation: msg.conversation, turn: msg.turn };
        if (msg.type === 'revealTurn')
          await this.deps.revealTurn(target.uri, target.conversation, target.turn);
        else await this.deps.rerun(target);
        return;
      }
      case 'cancelRerun':
        this.deps.cancelRerun();
        return;
      case 'cappedText': {
        const text = this.lastCappedText();
        if (text !== null) await showCappedText(text, msg.action, this.panel?.viewColumn);
        return;
      }
      case 'exportPng':
        await exportPng(msg.dataUrl, this.followed, this.deps.log);
        return;
      case 'exportValues':
        await exportValues(msg.format, this.followed, this.deps.store, this.deps.log);
        return;
    }
  }

  /**
   * Store changes come once per scored conversation while a JSONL file is analysed, and each data
   * message carries the whole file's values and tokens: coalesce them to a few posts a second.
   */
  private postSoon(): void {
    this.postTimer ??= setTimeout(() => {
      this.postTimer = undefined;
      this.post();
    }, POST_COALESCE_MS);
  }

  private post(): void {
    // This post sends the latest data, so a pending coalesced one has nothing left to send.
    clearTimeout(this.postTimer);
    this.postTimer = undefined;
    try {
      this.postData();
    } catch (e) {
      this.deps.log.error('Could not send the panel its data', e);
    }
  }

  private postData(): void {
    if (!this.panel?.visible) return;
    const result = this.followed ? this.deps.store.get(this.followed) : undefined;
    if (!this.followed || !result) {
      this.send({ type: 'empty', reason: 'Open a transcript and run "Persona Lens: Analyze File".' });
      return;
    }
    const data = toDataMessage(result, uriLabel(this.followed), this.deps.store.rerunsOf(result.uri));
    if (!data) {
      this.send({ type: 'empty', reason: 'This transcript has not been scored yet.' });
      return;
    }
    this.send(data);
    if (this.pendingSelect) {
      this.send({ type: 'selectTurn', ...this.pendingSelect });
      this.pendingSelect = null;
    }
  }

  private send(msg: ToPanelMessage): void {
    void this.panel?.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview): string {
    return panelPage(webview, this.deps.extensionUri);
  }

  dispose(): void {
    clearTimeout(this.postTimer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
