import { readingNote, zoneBands } from '../core/report/reading';
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';
import { firstWords } from '../core/report/format';
import {
  scoresCsv,
  scoresJson,
  type ExportedConversation,
  type TurnExtras,
} from '../core/report/scoreExport';
import type { RerunResult, ScoredReply, GeneratedReply } from '../engine/rerun';
import {
  LIMITS,
  parseFromPanel,
  toStripTokens,
  toWireValue,
  type Capping,
  type Compare,
  type DataMessage,
  type FromPanelMessage,
  type Reply,
  type RerunPoint,
  type ToPanelMessage,
  type Variant,
} from '../../webview/protocol';
import { CommandId, PANEL_VIEW_TYPE } from './ids';
import { uriLabel } from './uriLabel';
import type { Log } from './log';
import type { DocumentResult, ResultStore } from './resultStore';

/** What the panel needs from the rest of the extension. */
export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly store: ResultStore;
  readonly log: Log;
  /** Reveals and selects a turn in its editor. */
  revealTurn(uri: vscode.Uri, conversation: number, turn: number): Promise<void>;
  /** The loaded model's capping band and floors, or null while no model is loaded. */
  capping(): Promise<{ readonly layers: readonly number[]; readonly floors: readonly number[] } | null>;
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
  /** A pending coalesced post (store changes), so a big JSONL file is not resent per conversation. */
  private postTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every post; a post that awaited the capping band sends only if no later one began. */
  private postSeq = 0;
  /** Capped re-runs per document URI since its scores last changed, oldest first (the newest LIMITS.rerunPoints are kept). */
  private readonly reruns = new Map<string, RerunPoint[]>();
  /** The last finished re-run, re-sent on restore and used by "Copy/Open capped text". */
  private lastCompare: Compare | null = null;
  /** Cancels the running re-run; null when none runs. */
  private cancelRerun: (() => void) | null = null;
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
        // Re-run points were compared against the scores they were made from: an edit, a
        // re-analysis or a closed document makes them stale, so they go with the old scores.
        this.reruns.delete(uri);
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
   * scored result. `cancel` is called when the user presses the panel's Cancel button.
   */
  beginRerun(target: TurnTarget, originalText: string, cancel: () => void): RerunView {
    // One re-run at a time in the view: a new one cancels the old, whose late reports are dropped.
    this.cancelRerun?.();
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
    this.cancelRerun = cancel;
    this.show(target.uri);
    this.send(run.started);
    const finish = (): void => {
      if (run.timer) clearTimeout(run.timer);
      this.flush(run);
      this.running = null;
      this.cancelRerun = null;
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
        const compare = toCompare(target, result);
        this.lastCompare = compare;
        const points = this.reruns.get(run.started.uri) ?? [];
        points.push({
          conversation: target.conversation,
          turn: target.turn,
          capped: compare.capped?.value ?? null,
          uncapped: compare.uncapped?.value ?? null,
        });
        this.reruns.set(run.started.uri, points.slice(-LIMITS.rerunPoints));
        this.send({ type: 'rerunDone', compare });
        if (this.followed?.toString() === run.started.uri) this.post();
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
        if (msg.type === 'revealTurn')
          await this.deps.revealTurn(vscode.Uri.parse(msg.uri), msg.conversation, msg.turn);
        else await vscode.commands.executeCommand(CommandId.rerunTurn, msg.uri, msg.conversation, msg.turn);
        return;
      }
      case 'cancelRerun':
        this.cancelRerun?.();
        return;
      case 'cappedText':
        await this.cappedText(msg.action);
        return;
      case 'exportPng':
        await this.exportPng(msg.dataUrl);
        return;
      case 'exportValues':
        await this.exportValues(msg.format);
        return;
    }
  }

  private async cappedText(action: 'copy' | 'open'): Promise<void> {
    const text = this.lastCappedText();
    if (text === null) return;
    if (action === 'copy') {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage('Persona Lens: copied the capped text', 3000);
      return;
    }
    // An untitled document: the user's transcript is never modified.
    const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    // In the group right of the panel, so the transcript and the compare view stay in sight.
    // (ViewColumn.Beside is relative to the active group: with the transcript's group active, it
    // is the panel's own group, and the new editor covered the compare view.)
    const column = this.panel?.viewColumn;
    await vscode.window.showTextDocument(doc, {
      viewColumn: column ? column + 1 : vscode.ViewColumn.Beside,
      preview: false,
    });
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (!signature.every((b, i) => bytes[i] === b)) {
      this.deps.log.warn('Dropped a plot export that is not a PNG image');
      return;
    }
    const target = await vscode.window.showSaveDialog({
      title: 'Persona Lens: save the drift plot',
      defaultUri: this.defaultExportUri('drift.png'),
      filters: { 'PNG image': ['png'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.deps.log.info(`Drift plot saved to ${target.toString()} (${bytes.length} bytes)`);
  }

  private async exportValues(format: 'csv' | 'json'): Promise<void> {
    const result = this.followed ? this.deps.store.get(this.followed) : undefined;
    if (!result) return;
    const target = await vscode.window.showSaveDialog({
      title: `Persona Lens: save the values as ${format.toUpperCase()}`,
      defaultUri: this.defaultExportUri(`values.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return;
    const items = exportedConversations(result, uriLabel(result.uri), this.reruns.get(result.uri));
    const text = format === 'csv' ? scoresCsv(items) : scoresJson(items);
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    const turns = items.reduce((n, c) => n + c.scores.turns.length, 0);
    this.deps.log.info(`Values saved to ${target.toString()} (${turns} turns)`);
  }

  /** `<transcript name>-<suffix>` next to the transcript, or in the first workspace folder. */
  private defaultExportUri(suffix: string): vscode.Uri | undefined {
    if (!this.followed) return vscode.workspace.workspaceFolders?.[0]?.uri;
    const base =
      this.followed.path
        .split('/')
        .pop()
        ?.replace(/\.[^.]*$/, '') ?? 'transcript';
    return this.followed.scheme === 'untitled'
      ? undefined
      : vscode.Uri.joinPath(this.followed, '..', `${base}-${suffix}`);
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
    void this.postData().catch((e: unknown) => this.deps.log.error('Could not send the panel its data', e));
  }

  private async postData(): Promise<void> {
    const seq = ++this.postSeq;
    if (!this.panel?.visible) return;
    const result = this.followed ? this.deps.store.get(this.followed) : undefined;
    if (!this.followed || !result) {
      this.send({ type: 'empty', reason: 'Open a transcript and run "Persona Lens: Analyze File".' });
      return;
    }
    // The capping band can wait for a model load, during which newer posts (an edit, a re-analysis,
    // another transcript) may already have been sent: this one is stale then and must not overwrite them.
    const capping = await this.deps.capping();
    if (seq !== this.postSeq) return;
    const data = toDataMessage(result, uriLabel(this.followed), capping, this.reruns.get(result.uri));
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
    return webviewPage(webview, this.deps.extensionUri, {
      title: 'Persona Lens: Drift',
      styles: ['tokenStrip.css', 'panel.css'],
      script: 'main.js',
      body: `<body data-ready="false">
<header>
  <div><h1 id="title">Persona Lens</h1><p id="status" role="status" aria-live="polite">Loading…</p></div>
  <div class="toolbar" role="toolbar" aria-label="Export">
    <vscode-button id="export-png" secondary>Export PNG</vscode-button>
    <vscode-button id="export-csv" secondary>Export CSV</vscode-button>
    <vscode-button id="export-json" secondary>Export JSON</vscode-button>
  </div>
</header>
<vscode-tabs id="tabs" selected-index="0">
  <vscode-tab-header slot="header">Drift</vscode-tab-header>
  <vscode-tab-panel>
    <div class="chart-wrap"><canvas id="drift-chart" tabindex="0" role="img" aria-label="Assistant-Axis value per assistant turn. Arrow keys move the selected turn; Enter reveals it in the editor."></canvas></div>
    <section id="turn" aria-labelledby="turn-title">
      <h2 id="turn-title">No turn selected</h2>
      <p id="turn-info"></p>
      <div class="actions"><vscode-button id="rerun" disabled>Re-run with capping</vscode-button></div>
      <div class="legend" aria-hidden="true"><span class="pl-tok neg">below</span><span id="strip-legend">token shade: projection relative to the assistant zone's edge</span><span class="pl-tok pos">above</span></div>
      <div id="strip" class="strip-box" aria-label="Tokens of the selected turn, shaded by their axis value"></div>
      <h3>Layer view</h3>
      <div class="layer-wrap"><canvas id="layer-chart" role="img" aria-label="The selected turn's value at every layer, with the monitor layer and the capping band"></canvas></div>
    </section>
  </vscode-tab-panel>
  <vscode-tab-header slot="header">Compare</vscode-tab-header>
  <vscode-tab-panel>
    <section id="compare" data-phase="idle">
      <p id="compare-status" role="status" aria-live="polite"></p>
      <div class="actions">
        <vscode-button id="cancel" hidden>Cancel</vscode-button>
        <vscode-button id="copy-capped" secondary disabled>Copy capped text</vscode-button>
        <vscode-button id="open-capped" secondary disabled>Open capped text in new editor</vscode-button>
      </div>
      <div class="compare-grid">
        <article id="col-original"></article>
        <article id="col-uncapped"></article>
        <article id="col-capped"></article>
      </div>
      <h3>Word diff: without → with capping</h3>
      <p id="diff-summary"></p>
      <div id="diff"></div>
      <h3>Generation settings</h3>
      <table id="settings"></table>
    </section>
  </vscode-tab-panel>
</vscode-tabs>`,
    });
  }

  dispose(): void {
    clearTimeout(this.postTimer);
    this.cancelRerun?.();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The plot's data for one analysed document; null when nothing is scored yet. */
function toDataMessage(
  result: DocumentResult,
  fileName: string,
  capping: { readonly layers: readonly number[]; readonly floors: readonly number[] } | null,
  reruns: readonly RerunPoint[] | undefined,
): DataMessage | null {
  const first = result.scores.find((s) => s !== null);
  if (!first) return null;
  return {
    type: 'data',
    uri: result.uri,
    fileName,
    model: first.model,
    axis: first.axis,
    monitorLayer: first.monitorLayer,
    tau: first.tau,
    zones: zoneBands(first.calibration),
    readingNote: readingNote(result.scores.filter((s) => s !== null))?.slice(0, 500) ?? null,
    capping: capping ? toCapping(capping.layers, capping.floors) : null,
    conversations: result.scores
      .flatMap((scores, ci) => {
        const conv = result.parse.conversations[ci];
        if (!scores || !conv) return [];
        return [
          {
            conversation: ci,
            label:
              result.scores.length > 1
                ? (conv.label ?? `conversation ${ci + 1}`).slice(0, 200)
                : 'assistant turns',
            turns: scores.turns
              .filter((t) => t.role === 'assistant')
              .slice(0, LIMITS.turnsPerConversation)
              .map((t) => {
                const recorded = conv.turns[t.turn]?.recordedProjection;
                return {
                  turn: t.turn,
                  value: t.value,
                  delta: t.delta,
                  zone: t.zone,
                  outOfDomain: t.outOfDomain,
                  alarm: t.alarm,
                  preview: firstWords(conv.turns[t.turn]?.text ?? '', 80),
                  tokens: toStripTokens(t.tokens),
                  tokenCount: t.tokens.length,
                  layerValues: t.layerValues.slice(0, LIMITS.layers).map(toWireValue),
                  recorded: recorded === undefined ? null : toWireValue(recorded),
                };
              }),
          },
        ];
      })
      .slice(0, LIMITS.conversations),
    reruns: [...(reruns ?? [])],
  };
}

function toCapping(layers: readonly number[], floors: readonly number[]): Capping {
  const n = Math.min(layers.length, floors.length, LIMITS.layers);
  return { layers: layers.slice(0, n), floors: floors.slice(0, n).map(toWireValue) };
}

function toReply(r: ScoredReply | GeneratedReply | undefined): Reply | null {
  if (!r) return null;
  const generated = 'variant' in r ? r : null;
  return {
    text: r.text.slice(0, LIMITS.replyText),
    value: toWireValue(r.value),
    zone: r.zone,
    outOfDomain: r.outOfDomain,
    tokens: toStripTokens(r.tokens),
    tokenCount: r.tokens.length,
    stopReason: generated?.stopReason ?? null,
    generatedTokens: generated?.generatedTokens ?? null,
  };
}

/** A finished re-run as the compare view shows it. */
function toCompare(target: TurnTarget, r: RerunResult): Compare {
  const s = r.settings;
  const sampling =
    s.sampling.kind === 'greedy'
      ? 'greedy'
      : `temperature ${s.sampling.temperature}, top-p ${s.sampling.topP}${s.sampling.topK ? `, top-k ${s.sampling.topK}` : ''}`;
  return {
    uri: target.uri.toString(),
    conversation: target.conversation,
    turn: target.turn,
    original: toReply(r.original)!,
    uncapped: toReply(r.replies.find((x) => x.variant === 'uncapped')),
    capped: toReply(r.replies.find((x) => x.variant === 'capped')),
    settings: {
      sampling,
      seed: s.sampling.kind === 'sample' ? s.sampling.seed : null,
      maxTokens: s.maxTokens,
      monitorLayer: s.monitorLayer,
      tau: toWireValue(s.monitorTau),
      capping: toCapping(s.capLayers, s.capTaus),
      percentile: s.percentile,
      population: s.population,
    },
  };
}

/** The panel's extras for the machine export: recorded projections and each turn's latest re-run. */
function exportedConversations(
  result: DocumentResult,
  file: string,
  reruns: readonly RerunPoint[] | undefined,
): ExportedConversation[] {
  return result.scores.flatMap((scores, ci) => {
    if (!scores) return [];
    const turnExtras = new Map<number, TurnExtras>();
    for (const t of scores.turns) {
      const recorded = result.parse.conversations[ci]?.turns[t.turn]?.recordedProjection;
      const rerun = reruns?.findLast((r) => r.conversation === ci && r.turn === t.turn);
      turnExtras.set(t.turn, {
        recordedProjection: recorded === undefined ? null : toWireValue(recorded),
        rerun: rerun ? { capped: rerun.capped, uncapped: rerun.uncapped } : null,
      });
    }
    return [{ file, conversation: ci, scores, turnExtras }];
  });
}
