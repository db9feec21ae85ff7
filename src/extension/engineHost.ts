import * as vscode from 'vscode';
import type { Conversation } from '../core/transcript';
import type { ConversationScores } from '../core/scores';
import { parseLayerList } from '../core/layers';
import { EngineClient } from '../engine/client';
import { isCancellation } from '../protocol/errors';
import { computeAndStoreAxis, type StoredAxis } from '../engine/axisCompute';
import { AXIS_SAMPLING, type AxisSubset } from '../core/axis/axisPlan';
import { openSession, scoreConversation, type OpenSession } from '../engine/session';
import { rerunTurn, type RerunOptions, type RerunResult } from '../engine/rerun';
import type { Scorer } from './analysis';
import type { Config } from './config';
import type { Log } from './log';
import type { StatusBar } from './statusBar';
import { IdleShutdown } from './idleShutdown';

export interface EngineHostDeps {
  readonly extensionUri: vscode.Uri;
  readonly storageUri: vscode.Uri;
  readonly config: Config;
  readonly log: Log;
  readonly status: StatusBar;
}

/**
 * The extension's side of the model worker. The worker starts on the first scoring request,
 * never at activation; a session (model + axis) is opened lazily and dropped when settings that
 * shape it change, so the next request reopens it (instrumented graphs are cached on disk).
 */
export class EngineHost implements Scorer, vscode.Disposable {
  private client: EngineClient | null = null;
  private session: Promise<OpenSession> | null = null;
  private readonly subscription: vscode.Disposable;
  /** Every request runs inside `idle.during`, so the worker is freed only when nothing is in flight. */
  private readonly idle: IdleShutdown;

  constructor(private readonly deps: EngineHostDeps) {
    this.idle = new IdleShutdown(deps.config.value.idleShutdownMinutes, () => {
      this.stopIdle().catch((e: unknown) =>
        deps.log.error(`Stopping the idle engine failed: ${e instanceof Error ? e.message : String(e)}`),
      );
    });
    this.subscription = deps.config.onDidChange((c) => {
      if (c.keys.includes('engine.idleShutdownMinutes'))
        this.idle.setMinutes(deps.config.value.idleShutdownMinutes);
      if (c.classes.has('engine') || c.classes.has('scoring')) {
        deps.log.info(
          `Settings changed (${c.keys.join(', ')}); the model and axis are reloaded on the next analysis.`,
        );
        this.session = null;
      }
    });
  }

  score(
    conversation: Conversation,
    token: vscode.CancellationToken,
    progress: (message: string) => void,
  ): Promise<ConversationScores> {
    return this.idle.during(() => this.scoreNow(conversation, token, progress));
  }

  private async scoreNow(
    conversation: Conversation,
    token: vscode.CancellationToken,
    progress: (message: string) => void,
  ): Promise<ConversationScores> {
    const signal = toSignal(token);
    const session = await this.open(progress, signal);
    this.deps.status.set({ kind: 'scoring', detail: `Scoring with ${session.ref.label}` });
    try {
      return await scoreConversation(this.ensureClient(), session, conversation, signal);
    } finally {
      this.deps.status.set({ kind: 'ready', model: session.ref.label });
    }
  }

  /**
   * Computes the axis of the configured model and stores it where scoring finds it; the current
   * session is dropped so the next analysis uses the new axis.
   */
  computeAxis(
    subset: AxisSubset,
    report: (message: string, fraction: number | null) => void,
    token: vscode.CancellationToken,
  ): Promise<StoredAxis> {
    return this.idle.during(() => this.computeAxisNow(subset, report, token));
  }

  private async computeAxisNow(
    subset: AxisSubset,
    report: (message: string, fraction: number | null) => void,
    token: vscode.CancellationToken,
  ): Promise<StoredAxis> {
    const cfg = this.deps.config.value;
    this.session = null;
    this.deps.status.set({ kind: 'loading', percent: null, detail: `Computing the axis of ${cfg.model}` });
    try {
      const stored = await computeAndStoreAxis(
        this.ensureClient(),
        {
          packageRoot: this.deps.extensionUri.fsPath,
          cacheDir: this.cacheDir(),
          model: cfg.model,
          dtype: cfg.dtype,
          offline: cfg.offline,
          threads: cfg.threads,
          subset,
          maxTokens: 48,
          sampling: AXIS_SAMPLING,
          seed: cfg.generationSeed,
          onLoadProgress: (p) => report(`loading: ${p.phase}${p.file ? ` ${p.file}` : ''}`, null),
          onProgress: (p) => {
            const eta = p.etaMs === null ? '' : ` · about ${Math.ceil(p.etaMs / 1000)} s left`;
            report(
              `${p.phase === 'generate' ? 'answering' : p.phase} ${p.done}/${p.total}${eta}`,
              p.total ? p.done / p.total : null,
            );
          },
        },
        toSignal(token),
      );
      this.deps.log.info(`Axis for ${cfg.model} written to ${stored.path}; report ${stored.reportPath}`);
      return stored;
    } finally {
      this.deps.status.set({ kind: 'idle' });
    }
  }

  private cacheDir(): string {
    return this.deps.config.value.cacheDir || this.deps.storageUri.fsPath;
  }

  /** Regenerates assistant turn `turn` without and with capping (src/engine/rerun.ts) in the current session. */
  rerun(
    conversation: Conversation,
    turn: number,
    options: RerunOptions,
    token: vscode.CancellationToken,
  ): Promise<RerunResult> {
    return this.idle.during(() => this.rerunNow(conversation, turn, options, token));
  }

  private async rerunNow(
    conversation: Conversation,
    turn: number,
    options: RerunOptions,
    token: vscode.CancellationToken,
  ): Promise<RerunResult> {
    const signal = toSignal(token);
    const session = await this.open(() => undefined, signal);
    this.deps.status.set({ kind: 'scoring', detail: `Re-running turn ${turn} with ${session.ref.label}` });
    try {
      return await rerunTurn(this.ensureClient(), session, conversation, turn, options, signal);
    } finally {
      this.deps.status.set({ kind: 'ready', model: session.ref.label });
    }
  }

  /**
   * Runs `work` on the worker with the open session (loading it if needed), inside the idle guard
   * and with the status bar busy, as scoring does: for jobs composed of worker functions (e.g. a
   * prompt stress test, src/engine/probe.ts). `cacheDir` is where such jobs keep their caches.
   */
  withSession<T>(
    detail: string,
    work: (client: EngineClient, session: OpenSession, signal: AbortSignal, cacheDir: string) => Promise<T>,
    token: vscode.CancellationToken,
    progress: (message: string) => void,
  ): Promise<T> {
    return this.idle.during(async () => {
      const signal = toSignal(token);
      const session = await this.open(progress, signal);
      this.deps.status.set({ kind: 'scoring', detail: `${detail} with ${session.ref.label}` });
      try {
        return await work(this.ensureClient(), session, signal, this.cacheDir());
      } finally {
        this.deps.status.set({ kind: 'ready', model: session.ref.label });
      }
    });
  }

  /** The loaded session's capping band and floors, or null while no session is open (never loads one). */
  async capping(): Promise<{ layers: readonly number[]; floors: readonly number[] } | null> {
    const pending = this.session;
    if (!pending) return null;
    const s = await pending.catch(() => null);
    return s ? { layers: s.spec.capLayers, floors: Array.from(s.spec.taus) } : null;
  }

  /** Stops the worker; the next request starts a new one. */
  async restart(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.session = null;
    await client?.dispose();
    this.deps.status.set({ kind: 'idle' });
    this.deps.log.info('Engine stopped; it restarts on the next analysis.');
  }

  /** Frees the worker (and the model's memory) after the idle time; the next request restarts it. */
  private async stopIdle(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    this.session = null;
    await client.dispose();
    // A request that started during dispose owns the status now.
    if (this.client === null) this.deps.status.set({ kind: 'idle' });
    this.deps.log.info(
      `Engine stopped after ${this.deps.config.value.idleShutdownMinutes} idle minute(s) to free memory (persona-lens.engine.idleShutdownMinutes); it restarts on the next analysis.`,
    );
  }

  /** Awaited by deactivate. */
  async shutdown(): Promise<void> {
    this.idle.dispose();
    this.subscription.dispose();
    await this.client?.dispose();
    this.client = null;
  }

  dispose(): void {
    void this.shutdown();
  }

  private ensureClient(): EngineClient {
    if (!this.client) {
      const workerPath = vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'worker.js').fsPath;
      this.client = new EngineClient(workerPath, {
        log: (level, message) =>
          level === 'error'
            ? this.deps.log.error(`worker: ${message}`)
            : level === 'warn'
              ? this.deps.log.warn(`worker: ${message}`)
              : this.deps.log.info(`worker: ${message}`),
      });
    }
    return this.client;
  }

  private open(progress: (message: string) => void, signal: AbortSignal): Promise<OpenSession> {
    if (!this.session) {
      const cfg = this.deps.config.value;
      const started = Date.now();
      this.deps.status.set({ kind: 'loading', percent: null, detail: `Loading ${cfg.model}` });
      const pending = openSession(
        this.ensureClient(),
        {
          packageRoot: this.deps.extensionUri.fsPath,
          cacheDir: this.cacheDir(),
          model: cfg.model,
          dtype: cfg.dtype,
          ...(cfg.axisFile ? { axisFile: cfg.axisFile } : {}),
          offline: cfg.offline,
          threads: cfg.threads,
          maxTokensPerConversation: cfg.maxTokensPerConversation,
          dropAlarm: cfg.alarmDropFromFirst > 0 ? cfg.alarmDropFromFirst : null,
          choices: {
            monitorLayer: cfg.monitorLayer,
            percentile: cfg.cappingTauPercentile,
            population: cfg.cappingFloorPopulation,
            ...(cfg.cappingLayers.trim() ? { capLayers: parseLayerList(cfg.cappingLayers) } : {}),
          },
        },
        (p) => {
          const percent = p.total ? (100 * (p.loaded ?? 0)) / p.total : null;
          const detail = `${p.phase}${p.file ? ` ${p.file}` : ''}`;
          this.deps.status.set({ kind: 'loading', percent, detail });
          progress(percent === null ? detail : `${detail} ${Math.round(percent)}%`);
        },
        signal,
      );
      this.session = pending;
      pending.then(
        (s) => {
          this.deps.log.info(
            `Loaded ${s.ref.label} (${s.info.modelType}, ${s.info.numLayers} layers x ${s.info.hiddenSize}, ${s.dtype}, graph ${s.info.pattern}${s.info.instrumentedFromCache ? ', cached' : ''}, ${s.info.threads} threads) with axis ${s.axisPath} in ${Date.now() - started} ms`,
          );
          this.deps.status.set({ kind: 'ready', model: s.ref.label });
        },
        (e: unknown) => {
          if (this.session === pending) this.session = null;
          // A cancel during any load phase (hashing throws AbortError) is not an engine error.
          if (isCancellation(e)) {
            this.deps.status.set({ kind: 'idle' });
            return;
          }
          this.deps.status.set({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
        },
      );
    }
    return this.session;
  }
}

function toSignal(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
