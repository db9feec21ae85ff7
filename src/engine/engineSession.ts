/**
 * One engine run with its own lifetime: a worker client, the load of one model + axis session on
 * it, and the AbortController of that load. Callers share the load but never its cancellation: each
 * waits with its own signal (raceAbort), so cancelling one analysis leaves the load running for the
 * others. The load is aborted by dispose() — a restart, a settings change, idle shutdown or the
 * extension going away — and when the last caller waiting for it cancels (nobody wants it; hashing
 * a large graph would otherwise keep a core busy); the next caller starts it again. Load progress
 * is an event that callers subscribe to while they wait.
 */
import { isCancellation, raceAbort } from '../protocol/errors';
import type { EngineClient, LoadProgress } from './client';
import { openSession, type OpenSession, type SessionOptions } from './session';

/** What the session is doing, as the status bar shows it. */
export type SessionPhase =
  | { readonly kind: 'new' }
  | { readonly kind: 'loading'; readonly percent: number | null; readonly detail: string }
  | { readonly kind: 'ready'; readonly model: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'crashed'; readonly message: string }
  | { readonly kind: 'disposed' };

export class EngineSession {
  /** Aborts the running load attempt; a new one gets a new controller. */
  private loadAbort = new AbortController();
  /** Callers waiting for the load right now. */
  private waiters = 0;
  private readonly progressListeners = new Set<(p: LoadProgress) => void>();
  private loading: Promise<OpenSession> | null = null;
  private phaseNow: SessionPhase = { kind: 'new' };

  /**
   * `client` is owned from here on (disposed with the session). `onPhase` hears every phase change;
   * `options` are the settings this session was opened with, fixed for its lifetime.
   */
  constructor(
    readonly client: EngineClient,
    readonly options: SessionOptions,
    private readonly onPhase: (phase: SessionPhase) => void = () => undefined,
  ) {}

  get phase(): SessionPhase {
    return this.phaseNow;
  }

  /** The settled session if the load has finished well, else null (never starts a load). */
  get settled(): OpenSession | null {
    return this.settledSession;
  }
  private settledSession: OpenSession | null = null;

  /**
   * The open session, loading it on first use. `signal` only ends this caller's wait; `onProgress`
   * hears load progress until this caller's wait ends.
   */
  async open(signal?: AbortSignal, onProgress?: (p: LoadProgress) => void): Promise<OpenSession> {
    if (this.phaseNow.kind === 'disposed') throw new Error('the engine session was closed');
    if (onProgress) this.progressListeners.add(onProgress);
    this.waiters++;
    try {
      return await raceAbort(this.load(), signal, 'loading the model');
    } finally {
      this.waiters--;
      if (onProgress) this.progressListeners.delete(onProgress);
      if (this.waiters === 0 && signal?.aborted && this.loading && !this.settledSession) this.abortLoad();
    }
  }

  /** A worker crash seen by the client: shown until the next request succeeds (the client restarts the worker). */
  crashed(message: string): void {
    if (this.phaseNow.kind === 'disposed') return;
    this.setPhase({ kind: 'crashed', message });
  }

  /** A request succeeded after a crash: the restarted worker has the model again. */
  recovered(): void {
    if (this.phaseNow.kind === 'crashed' && this.settledSession) this.setPhase({ kind: 'ready', model: this.settledSession.ref.label });
  }

  /** Aborts the load (if running) and stops the worker; pending requests end with CancelledError. */
  async dispose(): Promise<void> {
    if (this.phaseNow.kind === 'disposed') return;
    this.setPhase({ kind: 'disposed' });
    this.loadAbort.abort();
    this.progressListeners.clear();
    await this.client.dispose();
  }

  /**
   * Nobody waits for the running load any more: it is aborted and forgotten at once, so a caller
   * arriving before the aborted load has unwound starts a fresh one instead of inheriting its
   * cancellation. That happens on an edit during the first load: the edit cancels the analysis, and
   * the debounced one (persona-lens.analyze.debounceMs, may be 0) can start before the worker has
   * acknowledged the cancel (it checks between load steps) — it would fail as "cancelled", silently.
   */
  private abortLoad(): void {
    this.loadAbort.abort();
    this.loadAbort = new AbortController();
    this.loading = null;
    this.setPhase({ kind: 'new' });
  }

  private load(): Promise<OpenSession> {
    if (this.loading) return this.loading;
    this.setPhase({ kind: 'loading', percent: null, detail: `Loading ${this.options.model}` });
    const pending = openSession(
      this.client,
      this.options,
      (p) => {
        if (this.loading !== pending) return;
        const percent = p.total ? (100 * (p.loaded ?? 0)) / p.total : null;
        if (this.phaseNow.kind === 'loading') this.setPhase({ kind: 'loading', percent, detail: `${p.phase}${p.file ? ` ${p.file}` : ''}` });
        for (const l of this.progressListeners) l(p);
      },
      this.loadAbort.signal,
    );
    this.loading = pending;
    // An aborted load (no longer `this.loading`) settles without touching the session's state.
    pending.then(
      (s) => {
        if (this.loading !== pending) return;
        this.settledSession = s;
        if (this.phaseNow.kind !== 'disposed') this.setPhase({ kind: 'ready', model: s.ref.label });
      },
      (e: unknown) => {
        if (this.phaseNow.kind === 'disposed' || this.loading !== pending) return;
        // A failed load is not kept: the next caller tries again (the user may have fixed the files).
        this.loading = null;
        this.setPhase(isCancellation(e) ? { kind: 'new' } : { kind: 'failed', message: e instanceof Error ? e.message : String(e) });
      },
    );
    return pending;
  }

  private setPhase(p: SessionPhase): void {
    this.phaseNow = p;
    this.onPhase(p);
  }
}
