import * as vscode from 'vscode';
import type { Conversation } from '../core/transcript';
import type { ConversationScores } from '../core/scores';
import { parseLayerList } from '../core/layers';
import { EngineClient } from '../engine/client';
import { computeAndStoreAxis, type StoredAxis } from '../engine/axisCompute';
import { AXIS_MAX_TOKENS, AXIS_SAMPLING, type AxisSubset } from '../core/axis/axisPlan';
import { openSession, scoreConversation, type OpenSession, type SessionOptions } from '../engine/session';
import { sweepLayers, sweepTurn, type SweepOptions, type SweepOutcome } from '../engine/sweep';
import { sweepPlan, type SweepBand, type SweepPlan } from '../core/interventions/sweepPlan';
import { EngineSession } from '../engine/engineSession';
import { measureSpeed, type SpeedProbe } from '../engine/speedProbe';
import { rerunTurn, type RerunOptions, type RerunResult } from '../engine/rerun';
import type { Scorer } from './analysis';
import type { Config } from './config';
import type { Log } from './log';
import { engineState, type StatusBar } from './statusBar';
import { IdleShutdown } from './idleShutdown';

export interface EngineHostDeps {
  readonly extensionUri: vscode.Uri;
  readonly storageUri: vscode.Uri;
  readonly config: Config;
  readonly log: Log;
  readonly status: StatusBar;
}

/**
 * The extension's side of the model worker. The worker starts on the first request, never at
 * activation. One EngineSession (src/engine/engineSession.ts) at a time owns the worker client and
 * the model + axis load; it is closed by a restart, a settings change that shapes it, idle shutdown
 * or dispose, and the next request opens a new one (instrumented graphs are cached on disk). Callers
 * share the load but each waits with its own cancellation. The status bar is derived in one place
 * (`render`) from the session's phase and the requests in flight.
 */
export class EngineHost implements Scorer, vscode.Disposable {
  private current: EngineSession | null = null;
  /** What each request in flight is doing, by id (the status bar shows the newest). */
  private readonly busy = new Map<number, string>();
  private nextBusy = 0;
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
      if ((c.classes.has('engine') || c.classes.has('scoring')) && this.current) {
        deps.log.info(`Settings changed (${c.keys.join(', ')}); the engine session closes and the next analysis opens one with them.`);
        void this.close();
      }
    });
    this.render();
  }

  score(
    conversation: Conversation,
    token: vscode.CancellationToken,
    progress: (message: string) => void,
  ): Promise<ConversationScores> {
    return this.run(
      (s) => `Scoring with ${s.ref.label}`,
      token,
      progress,
      (client, session, signal) => scoreConversation(client, session, conversation, signal),
    );
  }

  /**
   * Computes the axis of the configured model and stores it where scoring finds it, in an engine
   * session of its own; the current session is closed first and the next analysis opens one with
   * the new axis.
   */
  computeAxis(
    subset: AxisSubset,
    report: (message: string, fraction: number | null) => void,
    token: vscode.CancellationToken,
  ): Promise<StoredAxis> {
    return this.idle.during(async () => {
      await this.close();
      const cfg = this.deps.config.value;
      const own = this.newSession();
      const id = this.begin(`Computing the axis of ${cfg.model}`);
      try {
        const stored = await computeAndStoreAxis(
          own.client,
          {
            packageRoot: this.deps.extensionUri.fsPath,
            cacheDir: this.cacheDir(),
            model: cfg.model,
            dtype: cfg.dtype,
            offline: cfg.offline,
            threads: cfg.threads,
            subset,
            maxTokens: AXIS_MAX_TOKENS,
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
        this.end(id);
        await own.dispose();
      }
    });
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
    return this.run(
      (s) => `Re-running turn ${turn} with ${s.ref.label}`,
      token,
      () => undefined,
      (client, session, signal) => rerunTurn(client, session, conversation, turn, options, signal),
    );
  }

  /**
   * The capping sweep of assistant turn `turn` (src/engine/sweep.ts) over the settings' grid. In the
   * current session when it has capping nodes at every swept layer; otherwise in a worker of its own
   * loaded with them (capping nodes change nothing while off, but the current session's graph has
   * them only at its band), closed when the sweep ends.
   */
  sweep(
    conversation: Conversation,
    turn: number,
    grid: { readonly percentiles?: readonly number[]; readonly bands?: readonly SweepBand[] },
    options: SweepOptions & { readonly onPlan?: (plan: SweepPlan) => void },
    token: vscode.CancellationToken,
    progress: (message: string) => void,
  ): Promise<SweepOutcome> {
    return this.run(
      (s) => `Capping sweep of turn ${turn} with ${s.ref.label}`,
      token,
      progress,
      async (client, session, signal) => {
        const plan = sweepPlan(session.axis, { ...grid, population: session.spec.population });
        options.onPlan?.(plan);
        const need = sweepLayers(plan);
        if (need.every((l) => session.info.capLayers.includes(l)))
          return sweepTurn(client, session, conversation, turn, plan, options, signal);
        const base = this.sessionOptions();
        const capLayers = [...new Set([...session.spec.capLayers, ...need])].sort((a, b) => a - b);
        const own = new EngineClient(vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'worker.js').fsPath);
        try {
          progress('loading the model with capping nodes at every swept layer');
          const wide = await openSession(own, { ...base, choices: { ...base.choices, capLayers } }, undefined, signal);
          return await sweepTurn(own, wide, conversation, turn, plan, options, signal);
        } finally {
          await own.dispose();
        }
      },
    );
  }

  /**
   * Runs `work` on the worker with the open session (loading it if needed), as scoring does: for
   * jobs composed of worker functions (e.g. a prompt stress test, src/engine/probe.ts). `cacheDir` is
   * where such jobs keep their caches.
   */
  withSession<T>(
    detail: string,
    work: (client: EngineClient, session: OpenSession, signal: AbortSignal, cacheDir: string) => Promise<T>,
    token: vscode.CancellationToken,
    progress: (message: string) => void,
  ): Promise<T> {
    return this.run(
      (s) => `${detail} with ${s.ref.label}`,
      token,
      progress,
      (client, session, signal) => work(client, session, signal, this.cacheDir()),
    );
  }

  /**
   * This machine's speed with the configured model (downloading it if needed), and the ETAs of the
   * quick and full axis plans at that speed; in a worker of its own, so no axis is needed.
   */
  measureSpeed(token: vscode.CancellationToken, progress: (message: string) => void): Promise<SpeedProbe> {
    return this.idle.during(async () => {
      const cfg = this.deps.config.value;
      const client = new EngineClient(vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'worker.js').fsPath);
      const id = this.begin(`Timing ${cfg.model} on this machine`);
      try {
        return await measureSpeed(
          client,
          { packageRoot: this.deps.extensionUri.fsPath, cacheDir: this.cacheDir(), model: cfg.model, dtype: cfg.dtype, offline: cfg.offline, threads: cfg.threads },
          (p) => progress(`${p.phase}${p.file ? ` ${p.file}` : ''}${p.total ? ` ${Math.round((100 * (p.loaded ?? 0)) / p.total)}%` : ''}`),
          toSignal(token),
          progress,
        );
      } finally {
        this.end(id);
        await client.dispose();
      }
    });
  }

  /** Stops the worker; the next request starts a new one. */
  async restart(): Promise<void> {
    await this.close();
    this.deps.log.info('Engine stopped; it restarts on the next analysis.');
  }

  /** Frees the worker (and the model's memory) after the idle time; the next request restarts it. */
  private async stopIdle(): Promise<void> {
    if (!this.current) return;
    await this.close();
    this.deps.log.info(
      `Engine stopped after ${this.deps.config.value.idleShutdownMinutes} idle minute(s) to free memory (persona-lens.engine.idleShutdownMinutes); it restarts on the next analysis.`,
    );
  }

  /** Awaited by deactivate. */
  async shutdown(): Promise<void> {
    this.idle.dispose();
    this.subscription.dispose();
    await this.close();
  }

  dispose(): void {
    void this.shutdown();
  }

  /** One request: waits for the session with the caller's own cancellation, then runs `work`, counted as busy. */
  private run<T>(
    detail: (s: OpenSession) => string,
    token: vscode.CancellationToken,
    progress: (message: string) => void,
    work: (client: EngineClient, session: OpenSession, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.idle.during(async () => {
      const signal = toSignal(token);
      const es = this.current ?? this.newSession();
      const started = Date.now();
      const wasReady = es.settled !== null;
      const session = await es.open(signal, (p) => {
        const percent = p.total ? (100 * (p.loaded ?? 0)) / p.total : null;
        const what = `${p.phase}${p.file ? ` ${p.file}` : ''}`;
        progress(percent === null ? what : `${what} ${Math.round(percent)}%`);
      });
      if (!wasReady && es.settled === session) this.logLoaded(session, started);
      const id = this.begin(detail(session));
      try {
        const result = await work(es.client, session, signal);
        es.recovered();
        return result;
      } finally {
        this.end(id);
      }
    });
  }

  private begin(detail: string): number {
    const id = this.nextBusy++;
    this.busy.set(id, detail);
    this.render();
    return id;
  }

  private end(id: number): void {
    this.busy.delete(id);
    this.render();
  }

  /** The status bar, from the session's phase and the requests in flight (the only writer). */
  private render(): void {
    this.deps.status.set(engineState(this.current?.phase ?? null, [...this.busy.values()]));
  }

  private loggedLoad: EngineSession | null = null;
  private logLoaded(s: OpenSession, started: number): void {
    if (this.loggedLoad === this.current) return;
    this.loggedLoad = this.current;
    this.deps.log.info(
      `Loaded ${s.ref.label} (${s.info.modelType}, ${s.info.numLayers} layers x ${s.info.hiddenSize}, ${s.dtype}, graph ${s.info.pattern}${s.info.instrumentedFromCache ? ', cached' : ''}, ${s.info.threads} threads) with axis ${s.axisPath} in ${Date.now() - started} ms`,
    );
  }

  /** How the current settings open a session. */
  private sessionOptions(): SessionOptions {
    const cfg = this.deps.config.value;
    return {
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
    };
  }

  /** A session for the current settings, made current; its phase changes re-render the status bar. */
  private newSession(): EngineSession {
    const workerPath = vscode.Uri.joinPath(this.deps.extensionUri, 'out', 'worker.js').fsPath;
    let session: EngineSession | null = null;
    const client = new EngineClient(workerPath, {
      log: (level, message) =>
        level === 'error'
          ? this.deps.log.error(`worker: ${message}`)
          : level === 'warn'
            ? this.deps.log.warn(`worker: ${message}`)
            : this.deps.log.info(`worker: ${message}`),
      onCrash: (message) => session?.crashed(message),
    });
    session = new EngineSession(
      client,
      this.sessionOptions(),
      () => {
        if (this.current === session) this.render();
      },
    );
    this.current = session;
    return session;
  }

  /** Closes the current session (aborting its load, stopping its worker); nothing in it is kept. */
  private async close(): Promise<void> {
    const s = this.current;
    if (!s) return;
    this.current = null;
    this.render();
    await s.dispose();
  }
}

function toSignal(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
