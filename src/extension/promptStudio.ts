import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';
import { DEFAULT_PART_THRESHOLD } from '../core/abCompare';
import { loadProbeSet, type StressComparison, type StressTest } from '../core/probes';
import { comparisonView, stressView } from '../core/report/probePlot';
import {
  comparisonCsv,
  comparisonJson,
  stressCsv,
  stressJson,
  type PromptSource,
} from '../core/report/stressExport';
import { isCancellation } from '../protocol/errors';
import { compareStress, stressTest, type ProbeProgress, type StressOptions } from '../engine/probe';
import {
  parseFromPromptView,
  parseToPromptView,
  type ToPromptViewMessage,
} from '../../webview/promptProtocol';
import type { Config } from './config';
import type { EngineHost } from './engineHost';
import { PROMPT_STUDIO_VIEW_TYPE } from './ids';
import type { Log } from './log';

/** A prompt to test: its text and where it came from (shown in the view and written in exports). */
export interface PromptChoice {
  readonly text: string;
  /** E.g. "agent.ts, prompt 2 (line 14)" or "agent.ts at HEAD, prompt 2". */
  readonly source: string;
  readonly static: boolean;
}

export interface PromptStudioDeps {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineHost;
  readonly config: Config;
  readonly log: Log;
}

type Shown =
  | { readonly kind: 'stress'; readonly test: StressTest; readonly prompt: PromptChoice }
  | {
      readonly kind: 'compare';
      readonly comparison: StressComparison;
      readonly a: PromptChoice;
      readonly b: PromptChoice;
    };

/**
 * The prompt view: a webview panel showing a system prompt's stress test (src/engine/probe.ts) or two
 * prompts compared on the same probes and seeds. Runs go through the extension's engine with a
 * cancellable progress notification (replies done, ETA); results are cached by the probe runner, so a
 * repeated run is read back at once.
 */
export class PromptStudio implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private shown: Shown | null = null;
  private running: vscode.CancellationTokenSource | null = null;

  constructor(private readonly deps: PromptStudioDeps) {}

  /** Stress-tests one prompt and shows the result. */
  async stress(prompt: PromptChoice): Promise<void> {
    const title = `Stress test: ${prompt.source}`;
    const test = await this.run(title, (o, signal) =>
      this.deps.engine.withSession(
        'Stress-testing a prompt',
        (client, session, s, cacheDir) => stressTest(client, session, prompt.text, { ...o, cacheDir }, s),
        signal.token,
        (m) => o.onLoad(m),
      ),
    );
    if (!test) return;
    this.shown = { kind: 'stress', test, prompt };
    this.post();
  }

  /** Stress-tests two prompts on the same probes and seeds and shows them overlaid. */
  async compare(a: PromptChoice, b: PromptChoice): Promise<void> {
    const title = `Compare: ${a.source} ↔ ${b.source}`;
    const comparison = await this.run(title, (o, signal) =>
      this.deps.engine.withSession(
        'Comparing prompts',
        (client, session, s, cacheDir) =>
          compareStress(client, session, a.text, b.text, DEFAULT_PART_THRESHOLD, { ...o, cacheDir }, s),
        signal.token,
        (m) => o.onLoad(m),
      ),
    );
    if (!comparison) return;
    this.shown = { kind: 'compare', comparison, a, b };
    this.post();
  }

  private async run<T>(
    title: string,
    work: (
      o: Omit<StressOptions, 'cacheDir'> & { onLoad(m: string): void },
      cancel: vscode.CancellationTokenSource,
    ) => Promise<T>,
  ): Promise<T | null> {
    if (this.running) {
      void vscode.window.showInformationMessage(
        'Persona Lens: a stress test is already running; cancel it first.',
      );
      return null;
    }
    this.open();
    const cfg = this.deps.config.value;
    const probeSet = loadProbeSet(cfg.promptProbeSet);
    const cancel = new vscode.CancellationTokenSource();
    this.running = cancel;
    this.send({
      type: 'progress',
      title,
      text: `Starting (${probeSet.probes.length} probes, ${cfg.promptProbeSet} set v${probeSet.version})…`,
    });
    try {
      return await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Persona Lens: ${title}`,
          cancellable: true,
        },
        async (progress, token) => {
          const forward = token.onCancellationRequested(() => cancel.cancel());
          let reported = 0;
          const say = (text: string, fraction: number | null): void => {
            const increment = fraction === null ? undefined : Math.max(0, 100 * fraction - reported);
            if (fraction !== null) reported = 100 * fraction;
            progress.report({ message: text, ...(increment === undefined ? {} : { increment }) });
            this.send({ type: 'progress', title, text });
          };
          try {
            return await work(
              {
                probeSet,
                seed: cfg.generationSeed,
                onLoad: (m) => say(`loading: ${m}`, null),
                onProgress: (p) => say(progressText(p), p.total ? p.done / p.total : null),
              },
              cancel,
            );
          } finally {
            forward.dispose();
          }
        },
      );
    } catch (e) {
      if (isCancellation(e)) {
        this.send({
          type: 'error',
          text: 'Cancelled. Finished probes are cached: running it again resumes.',
        });
        return null;
      }
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`${title} failed`, e);
      this.send({ type: 'error', text: `Failed: ${message}` });
      void vscode.window.showErrorMessage(`Persona Lens: ${title} failed: ${message}`);
      return null;
    } finally {
      cancel.dispose();
      this.running = null;
    }
  }

  private open(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PROMPT_STUDIO_VIEW_TYPE,
      'Persona Lens: Prompt',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: false,
        localResourceRoots: [
          vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'webview'),
          vscode.Uri.joinPath(this.deps.extensionUri, 'media'),
        ],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html(panel.webview);
    this.panel = panel;
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      vscode.window.onDidChangeActiveColorTheme(() => this.send({ type: 'themeChanged' })),
      panel.onDidDispose(() => {
        this.panel = null;
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
      }),
    ];
  }

  private receive(data: unknown): void {
    const parsed = parseFromPromptView(data);
    if (!parsed.ok) {
      this.deps.log.warn(`Prompt view sent a message that does not fit: ${parsed.reason}`);
      return;
    }
    const m = parsed.message;
    if (m.type === 'ready') this.post();
    else void this.export(m.format);
  }

  private post(): void {
    const s = this.shown;
    if (!s) return;
    const settings = s.kind === 'stress' ? s.test.settings : s.comparison.a.settings;
    const line = `${settings.model} · axis ${settings.axis} · ${settings.probeSet.size} probe set v${settings.probeSet.version} · seed ${settings.seed} · ${settings.maxTokens} tokens per reply · layer ${settings.monitorLayer}`;
    const result =
      s.kind === 'stress'
        ? {
            type: 'result',
            title: `Stress test: ${s.prompt.source}`,
            prompts: [s.prompt.source],
            settings: line,
            view: stressView(s.test),
          }
        : {
            type: 'result',
            title: `Compare: ${s.a.source} ↔ ${s.b.source}`,
            prompts: [s.a.source, s.b.source],
            settings: line,
            view: comparisonView(s.comparison),
          };
    // Checked here too: a result beyond the view's limits is named in the log, not dropped silently by the view.
    const checked = parseToPromptView(result);
    if (checked) this.send(checked);
    else {
      this.deps.log.error(
        "The result does not fit the prompt view's limits (webview/promptProtocol.ts); export it as JSON or CSV instead.",
      );
      this.send({ type: 'error', text: 'The result is too large to show here; see the log.' });
    }
  }

  private async export(format: 'json' | 'csv'): Promise<void> {
    const s = this.shown;
    if (!s) return;
    const source = (p: PromptChoice): PromptSource => ({ text: p.text, source: p.source, static: p.static });
    const text =
      s.kind === 'stress'
        ? format === 'json'
          ? stressJson(s.test, source(s.prompt))
          : stressCsv(s.test)
        : format === 'json'
          ? comparisonJson(s.comparison, source(s.a), source(s.b), [])
          : comparisonCsv(s.comparison);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${s.kind === 'stress' ? 'stress-test' : 'prompt-comparison'}.${format}`;
    const target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      filters: { [format.toUpperCase()]: [format] },
      saveLabel: 'Export',
      title: `Persona Lens: export the ${s.kind === 'stress' ? 'stress test' : 'comparison'} as ${format.toUpperCase()}`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    this.deps.log.info(`Exported ${target.toString()}`);
  }

  private send(msg: ToPromptViewMessage): void {
    void this.panel?.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview): string {
    return webviewPage(webview, this.deps.extensionUri, {
      title: 'Persona Lens: Prompt',
      styles: ['panel.css', 'promptView.css'],
      script: 'prompt.js',
      body: `<body data-ready="false">
<header>
  <div><h1 id="title">Persona Lens: prompt stress test</h1><p id="status" role="status" aria-live="polite">Waiting for a result…</p></div>
  <div class="toolbar" role="toolbar" aria-label="Export">
    <vscode-button id="export-json" secondary disabled>Export JSON</vscode-button>
    <vscode-button id="export-csv" secondary disabled>Export CSV</vscode-button>
  </div>
</header>
<table class="prompts"><tbody><tr id="prompts"></tr></tbody></table>
<div class="chart-wrap"><canvas id="probe-chart" role="img" aria-label="Assistant-Axis value per reply, one line per probe"></canvas></div>
<h2>Summary</h2>
<table class="summary"><tbody id="summary"></tbody></table>
<div id="worst"></div>
<h2>Probes</h2>
<table class="probes"><tbody id="probes"></tbody></table>`,
    });
  }

  dispose(): void {
    this.running?.cancel();
    this.panel?.dispose();
  }
}

function progressText(p: ProbeProgress): string {
  const eta = p.etaMs === null ? '' : ` · about ${Math.ceil(p.etaMs / 1000)} s left`;
  const which = p.label ? `${p.label} ` : '';
  return `${p.done}/${p.total} replies · ${which}${p.probe} reply ${p.reply}${p.cached ? ' (cached)' : ''}${eta}`;
}
