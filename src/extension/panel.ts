import * as vscode from 'vscode';
import { panelPage } from './panelPage';
import type { ToPanelMessage } from '../../webview/protocol';
import { PANEL_VIEW_TYPE } from './ids';
import { toDataMessage } from './panelData';
import { receivePanelMessage, type PanelRoutes } from './panelRouter';
import { uriLabel } from './uriLabel';
import type { Log } from './log';
import type { RerunController } from './rerunController';
import type { ResultStore } from './resultStore';
import type { SweepController } from './sweepController';

/** What the panel needs from the rest of the extension. */
export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly store: ResultStore;
  readonly log: Log;
  /** The re-runs the compare view shows, and the panel's buttons start and cancel. */
  readonly reruns: Pick<RerunController, 'onMessage' | 'rerun' | 'cancel' | 'replay' | 'lastCappedText'>;
  /** The capping sweeps the Sweep tab shows. */
  readonly sweeps: Pick<SweepController, 'onMessage' | 'sweep' | 'cancel' | 'replay'>;
  /** Reveals and selects a turn in its editor. */
  revealTurn(uri: vscode.Uri, conversation: number, turn: number): Promise<void>;
}

/** Store changes within this window reach the panel as one data message. */
const POST_COALESCE_MS = 150;

/**
 * The drift panel: one at a time, a view of the result store (scores, the capping band they were
 * made with, re-run values) and of the RerunController's running re-run; it re-sends the data set
 * when the panel is created, restored, becomes visible, or the active transcript changes. The data
 * mapping is panelData.ts, the page's requests are answered by panelRouter.ts.
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
  private readonly routes: PanelRoutes;

  constructor(private readonly deps: PanelDeps) {
    this.routes = {
      store: deps.store,
      log: deps.log,
      reruns: deps.reruns,
      sweeps: deps.sweeps,
      revealTurn: (uri, conversation, turn) => deps.revealTurn(uri, conversation, turn),
      postData: () => this.post(),
      send: (msg) => this.send(msg),
      followed: () => this.followed,
      column: () => this.panel?.viewColumn,
    };
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
      deps.reruns.onMessage((msg) => {
        // A re-run opens the panel on its transcript; a page that is still loading catches up on `ready`.
        if (msg.type === 'rerunStarted') this.show(vscode.Uri.parse(msg.uri));
        this.send(msg);
      }),
      deps.sweeps.onMessage((msg) => {
        if (msg.type === 'sweepState' && msg.phase === 'running' && msg.cells.length === 0) this.show(vscode.Uri.parse(msg.uri));
        this.send(msg);
      }),
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
      panel.webview.onDidReceiveMessage((data: unknown) => receivePanelMessage(data, this.routes)),
      panel.onDidChangeViewState((e) => e.webviewPanel.visible && this.post()),
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = null;
      }),
    ];
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
