import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { firstWords } from '../core/report/format';
import { parseFromPanel, type FromPanelMessage, type ToPanelMessage } from '../../webview/protocol';
import { PANEL_VIEW_TYPE } from './ids';
import type { Log } from './log';
import type { ResultStore } from './resultStore';

/** What the panel needs from the rest of the extension. */
export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly store: ResultStore;
  readonly log: Log;
  /** Reveals and selects a turn in its editor. */
  revealTurn(uri: vscode.Uri, conversation: number, turn: number): Promise<void>;
}

/**
 * The drift panel: one at a time; the host is the source of truth and re-sends the data set
 * when the panel is created, restored, becomes visible, or the active transcript changes.
 */
export class DriftPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** The transcript the panel follows: the active editor's, or the last one shown. */
  private followed: vscode.Uri | null = null;
  /** A turn to highlight once the data has been sent. */
  private pendingSelect: { conversation: number; turn: number } | null = null;

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
        if (this.followed?.toString() === uri) this.post();
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

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'webview'), vscode.Uri.joinPath(this.deps.extensionUri, 'media')],
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
        return;
      case 'revealTurn': {
        // Only transcripts the extension has analysed can be revealed: the panel never names an arbitrary path.
        if (!this.deps.store.get(msg.uri)) {
          this.deps.log.warn(`Panel asked to reveal a turn of a document that is not analysed: ${msg.uri}`);
          return;
        }
        await this.deps.revealTurn(vscode.Uri.parse(msg.uri), msg.conversation, msg.turn);
        return;
      }
    }
  }

  private post(): void {
    if (!this.panel?.visible) return;
    const result = this.followed ? this.deps.store.get(this.followed) : undefined;
    if (!this.followed || !result) {
      this.send({ type: 'empty', reason: 'Open a transcript and run "Persona Lens: Analyze File".' });
      return;
    }
    const first = result.scores.find((s) => s !== null);
    if (!first) {
      this.send({ type: 'empty', reason: 'This transcript has not been scored yet.' });
      return;
    }
    this.send({
      type: 'data',
      uri: result.uri,
      fileName: vscode.workspace.asRelativePath(this.followed),
      model: first.model,
      axis: first.axis,
      monitorLayer: first.monitorLayer,
      tau: first.tau,
      conversations: result.scores.flatMap((scores, ci) => {
        const conv = result.parse.conversations[ci];
        if (!scores || !conv) return [];
        return [
          {
            conversation: ci,
            label: result.scores.length > 1 ? `conversation ${ci + 1}` : 'assistant turns',
            turns: scores.turns
              .filter((t) => t.role === 'assistant')
              .map((t) => ({ turn: t.turn, value: t.value, delta: t.delta, belowFloor: t.belowFloor, preview: firstWords(conv.turns[t.turn]?.text ?? '', 80) })),
          },
        ];
      }),
    });
    if (this.pendingSelect) {
      this.send({ type: 'selectTurn', ...this.pendingSelect });
      this.pendingSelect = null;
    }
  }

  private send(msg: ToPanelMessage): void {
    void this.panel?.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'webview', 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'panel.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}" nonce="${nonce}">
<title>Persona Lens: Drift</title>
</head>
<body data-ready="false">
<header><h1 id="title">Persona Lens</h1><p id="status" role="status" aria-live="polite">Loading…</p></header>
<main><div class="chart-wrap"><canvas id="drift-chart" role="img" aria-label="Assistant-Axis value per assistant turn"></canvas></div></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
