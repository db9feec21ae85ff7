/**
 * "Persona Lens: Continue Conversation": a webview with two columns — the model without and with
 * capping — that continue a transcript's conversation step by step (src/engine/continue.ts). Each
 * step's replies stream in token by token and show their value and zone as soon as they are scored.
 * "Open as transcript" writes the continued conversation to a new untitled document; the user's
 * file is never touched.
 */
import * as vscode from 'vscode';
import { continuationTranscript, startContinuation, type Continuation } from '../core/continuation';
import { formatValue } from '../core/report/format';
import { readingLabel } from '../core/report/reading';
import type { Conversation, ParseResult } from '../core/transcript';
import { continueStep, type ContinueStep } from '../engine/continue';
import { RERUN_TEMPERATURE, RERUN_TOP_P } from '../engine/rerun';
import { isCancellation } from '../protocol/errors';
import {
  CONTINUE_LIMITS,
  parseFromContinueView,
  parseToContinueView,
  type ContinueStepView,
  type ToContinueViewMessage,
} from '../../webview/continueProtocol';
import type { Config } from './config';
import type { EngineHost } from './engineHost';
import { CONTINUE_VIEW_TYPE } from './ids';
import type { Log } from './log';
import { uriLabel } from './uriLabel';
import { webviewPage } from './webviewPage';

export interface ContinueViewDeps {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineHost;
  readonly config: Config;
  readonly log: Log;
  readonly analyzer: { parseDocument(doc: vscode.TextDocument): ParseResult };
}

interface Shown {
  readonly title: string;
  readonly conversation: Conversation;
  state: Continuation;
  readonly steps: ContinueStep[];
  model: string;
}

export class ContinueView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private shown: Shown | null = null;
  private running: vscode.CancellationTokenSource | null = null;

  constructor(private readonly deps: ContinueViewDeps) {}

  /** Opens the view on the conversation named by `args` ([uri, conversation]) or the one at the cursor. */
  async open(args: readonly unknown[]): Promise<void> {
    const found = await this.target(args);
    if ('problem' in found) {
      void vscode.window.showInformationMessage(`Persona Lens: ${found.problem}`);
      return;
    }
    this.running?.cancel();
    this.shown = { title: found.title, conversation: found.conversation, state: startContinuation(found.conversation), steps: [], model: '' };
    this.show();
    this.post();
  }

  private async target(args: readonly unknown[]): Promise<{ conversation: Conversation; title: string } | { problem: string }> {
    const [uriArg, convArg] = args;
    let doc: vscode.TextDocument | undefined;
    let index: number | null = null;
    if (typeof uriArg === 'string' && Number.isInteger(convArg)) {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uriArg));
      index = convArg as number;
    } else doc = vscode.window.activeTextEditor?.document;
    if (!doc) return { problem: 'open a transcript to continue its conversation.' };
    const parse = this.deps.analyzer.parseDocument(doc);
    if (index === null) {
      const editor = vscode.window.activeTextEditor;
      const offset = editor && editor.document === doc ? doc.offsetAt(editor.selection.active) : 0;
      const at = parse.conversations.findIndex((c) => c.range && offset >= c.range.start && offset <= c.range.end);
      index = at >= 0 ? at : 0;
    }
    const conversation = parse.conversations[index];
    if (!conversation || conversation.turns.length === 0)
      return { problem: `${uriLabel(doc.uri)} holds no conversation to continue${parse.diagnostics.length ? ' (see the Problems view)' : ''}.` };
    const label = parse.conversations.length > 1 ? ` #${index + 1}` : '';
    return { conversation, title: `Continue: ${uriLabel(doc.uri)}${label}` };
  }

  private async step(user: string | null): Promise<void> {
    const shown = this.shown;
    if (!shown) return;
    if (this.running) {
      this.send({ type: 'status', text: 'A step is already running; cancel it first.', error: true });
      return;
    }
    const cfg = this.deps.config.value;
    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    this.post();
    try {
      const next = await this.deps.engine.withSession(
        'Continuing a conversation',
        async (client, session, signal) => {
          shown.model = session.ref.label;
          return continueStep(
            client,
            session,
            shown.state,
            user ?? undefined,
            {
              sampling: { kind: 'sample', temperature: RERUN_TEMPERATURE, topK: 0, topP: RERUN_TOP_P, seed: cfg.generationSeed },
              maxTokens: cfg.generationMaxTokens,
              onColumn: (c) => this.send({ type: 'status', text: `Generating the ${c === 'capped' ? 'capped' : 'uncapped'} reply…`, error: false }),
              onToken: (column, t) => this.send({ type: 'token', column, text: t.text.slice(0, CONTINUE_LIMITS.token) }),
            },
            signal,
          );
        },
        cts.token,
        (m) => this.send({ type: 'status', text: `Loading: ${m}`, error: false }),
      );
      shown.state = next.state;
      shown.steps.push(next.step);
      this.running = null;
      this.post();
      this.send({ type: 'status', text: `Step ${shown.steps.length} done: type the next user turn to continue.`, error: false });
    } catch (e) {
      this.running = null;
      this.post();
      if (isCancellation(e) || cts.token.isCancellationRequested) {
        this.send({ type: 'status', text: 'Cancelled; the step was not added.', error: false });
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.error('Continuing the conversation failed', e);
      this.send({ type: 'status', text: `Failed: ${message}`, error: true });
    } finally {
      cts.dispose();
      if (this.running === cts) this.running = null;
    }
  }

  private async openTranscript(): Promise<void> {
    const shown = this.shown;
    if (!shown || shown.steps.length === 0) return;
    const content = continuationTranscript(shown.state, { model: shown.model, continuedAfter: shown.state.base.length });
    const doc = await vscode.workspace.openTextDocument({ language: 'jsonl', content });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
  }

  private show(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      CONTINUE_VIEW_TYPE,
      'Persona Lens: Continue',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'webview'), vscode.Uri.joinPath(this.deps.extensionUri, 'media')],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html(panel.webview);
    this.panel = panel;
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidDispose(() => {
        this.running?.cancel();
        this.panel = null;
        this.shown = null;
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
      }),
    ];
  }

  private receive(data: unknown): void {
    const parsed = parseFromContinueView(data);
    if (!parsed.ok) {
      this.deps.log.warn(`Continue view sent a message that does not fit: ${parsed.reason}`);
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'ready':
        this.post();
        break;
      case 'continue':
        void this.step(m.user !== null && m.user.trim() === '' ? null : m.user);
        break;
      case 'cancel':
        this.running?.cancel();
        break;
      case 'openTranscript':
        void this.openTranscript();
        break;
    }
  }

  private post(): void {
    const s = this.shown;
    if (!s) return;
    const cfg = this.deps.config.value;
    const last = s.conversation.turns.at(-1);
    const settings = `${s.model ? `${s.model} · ` : ''}seed ${cfg.generationSeed} · at most ${cfg.generationMaxTokens} tokens per reply · values measured like the editor's (uncapped model)`;
    const message = parseToContinueView({
      type: 'state',
      title: s.title.slice(0, 400),
      settings,
      lastTurn: { role: last?.role ?? '', text: (last?.text ?? '').slice(0, CONTINUE_LIMITS.text) },
      steps: s.steps.slice(-CONTINUE_LIMITS.steps).map(stepView),
      running: this.running !== null,
      canAnswerLast: s.steps.length === 0 && last?.role === 'user',
    });
    if (message) this.send(message);
    else this.deps.log.error("The continued conversation does not fit the continue view's limits (webview/continueProtocol.ts); open it as a transcript instead.");
  }

  private send(msg: ToContinueViewMessage): void {
    void this.panel?.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview): string {
    return webviewPage(webview, this.deps.extensionUri, {
      title: 'Persona Lens: Continue',
      styles: ['panel.css', 'continueView.css'],
      script: 'continue.js',
      body: `<body data-ready="false" data-running="false">
<header>
  <div><h1 id="title">Persona Lens: continue the conversation</h1><p id="settings"></p></div>
  <div class="toolbar" role="toolbar" aria-label="Continued conversation">
    <vscode-button id="open-transcript" secondary disabled>Open as Transcript</vscode-button>
  </div>
</header>
<section id="last-turn" aria-label="Where the conversation continues"></section>
<div class="columns" role="table" aria-label="Continued replies without and with capping">
  <div class="column-head" role="columnheader">Without capping</div>
  <div class="column-head" role="columnheader">With capping</div>
</div>
<div id="steps" class="columns"></div>
<div id="live" class="columns" hidden>
  <div class="reply live" id="live-uncapped" aria-live="polite"></div>
  <div class="reply live" id="live-capped" aria-live="polite"></div>
</div>
<form id="ask">
  <vscode-textarea id="user" rows="3" placeholder="Type the next user turn (both columns get it)…" aria-label="Next user turn"></vscode-textarea>
  <div class="toolbar">
    <vscode-button id="continue" type="submit">Continue</vscode-button>
    <vscode-button id="cancel" secondary disabled>Cancel</vscode-button>
  </div>
</form>
<p id="status" role="status" aria-live="polite"></p>`,
    });
  }

  dispose(): void {
    this.running?.cancel();
    this.panel?.dispose();
  }
}

function stepView(s: ContinueStep): ContinueStepView {
  return {
    user: s.user === null ? null : s.user.slice(0, CONTINUE_LIMITS.text),
    replies: s.replies.map((r) => ({
      column: r.variant,
      text: r.text.slice(0, CONTINUE_LIMITS.text),
      value: Number.isFinite(r.value) ? r.value : null,
      label: `${Number.isFinite(r.value) ? formatValue(r.value) : 'n/a'}${readingLabel({ ...r, alarm: r.zone === 'role' }) ? `  ${readingLabel({ ...r, alarm: r.zone === 'role' })}` : ''}`,
      zone: r.zone,
      outOfDomain: r.outOfDomain,
      note: `${r.generatedTokens} tokens, ${r.stopReason === 'eos' ? 'ended' : 'hit the token limit'}`,
    })),
  };
}
