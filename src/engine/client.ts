/**
 * Host-side client of the model worker (used by the extension and the CLI; no vscode import).
 * A small id-based request/reply layer over worker_threads: start() resolves on the worker's
 * `ready`; every request has an id, can be cancelled with an AbortSignal (-> `cancel {id}` ->
 * CancelledError), and rejects with WorkerCrashedError if the worker dies. A dead worker is
 * restarted by the next request (reloading the last model), at most maxRestartsPerMinute times.
 */
import { Worker } from 'node:worker_threads';
import type { AxisSpec } from '../core/axis/axisSpec';
import { CancelledError, EngineError, WorkerCrashedError } from '../protocol/errors';
import {
  METHODS,
  WorkerToHostSchema,
  parseMessage,
  type ActivationsResult,
  type AxisSpecMessage,
  type ChatMessage,
  type GenerateResult,
  type Method,
  type ModelInfo,
  type ParamsOf,
  type ProgressMessage,
  type ResultOf,
  type Sampling,
  type Steering,
  type ScoreResult,
  type TokenMessage,
  type WorkerToHost,
} from '../protocol/messages';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface EngineClientOptions {
  /** Receives worker log lines, dropped messages and crash stacks. */
  readonly log?: (level: LogLevel, message: string) => void;
  /** Restarts allowed within any 60 s window before the client stays down (default 3). */
  readonly maxRestartsPerMinute?: number;
  /** A cancelled request whose reply has not come after this many ms gets the worker restarted (default 10000). */
  readonly cancelTimeoutMs?: number;
  /** Hears a running worker die (crash or exit); the next request restarts it. */
  readonly onCrash?: (message: string) => void;
}

export interface LoadOptions {
  /** Folder for hub downloads (<cacheDir>/hub) and instrumented graphs (<cacheDir>/instrumented). */
  readonly cacheDir: string;
  /** transformers.js dtype (default fp32). */
  readonly dtype?: string;
  /** Layers that get capping nodes (default none; capping needs them). */
  readonly capLayers?: readonly number[];
  /** Never touch the network: a hub id must already be cached (default false). */
  readonly offline?: boolean;
  /** Hub base URL (default https://huggingface.co/). */
  readonly remoteHost?: string;
  readonly revision?: string;
  /** A download that receives no data for this long fails (default 30 s). */
  readonly stallTimeoutMs?: number;
  /** Tokens per forward call while prefilling (default 256). */
  readonly prefillChunk?: number;
  /** onnxruntime intra-op threads; 0 or absent: every CPU the process may use. */
  readonly threads?: number;
}

export interface ScoreOptions {
  readonly axis: AxisSpec;
  /** Score with the axis's caps applied (default false). */
  readonly capping?: boolean;
  /** Layers to return (default all). */
  readonly layers?: readonly number[];
  /** Cut after the last whole message within this many tokens instead of failing (the model's context always applies). */
  readonly maxTokens?: number;
}

export interface GenerateOptions {
  /** Needed for projections and capping; without it the result and events carry no per-layer values. */
  readonly axis?: AxisSpec;
  readonly capping: boolean;
  /** Additive steering along the axis (needs the axis; layers must have capping nodes). */
  readonly steer?: Steering;
  readonly maxTokens: number;
  readonly sampling: Sampling;
}

export type LoadProgress = Omit<ProgressMessage, 'type' | 'id'>;
export type TokenEvent = Omit<TokenMessage, 'type' | 'id'>;


interface Pending {
  readonly type: Method;
  /** Checks the reply's result against the method's schema; resolves or rejects the caller. */
  readonly settleOk: (result: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly onProgress?: (p: LoadProgress) => void;
  readonly onToken?: (t: TokenEvent) => void;
  cancelTimer?: NodeJS.Timeout;
  dispose?: () => void;
}

const WINDOW_MS = 60_000;

/** Talks to one model worker thread; see the module comment for the lifecycle. */
export class EngineClient {
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private everStarted = false;
  private restarts: number[] = [];
  private lastLoad: { model: string; options: LoadOptions } | null = null;
  private loadedModel: string | null = null;
  private disposed = false;
  private readonly log: (level: LogLevel, message: string) => void;
  private readonly onCrash: (message: string) => void;
  private readonly maxRestarts: number;
  private readonly cancelTimeoutMs: number;

  constructor(
    private readonly workerPath: string,
    options: EngineClientOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
    this.onCrash = options.onCrash ?? (() => undefined);
    this.maxRestarts = options.maxRestartsPerMinute ?? 3;
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 10_000;
  }

  /** Starts the worker (if not running); resolves on its `ready`, rejects if it exits first. */
  async start(): Promise<void> {
    await this.ensureWorker(false);
  }

  /** Loads a model folder or hub id; progress reports downloads and load phases. */
  async load(model: string, options: LoadOptions, onProgress?: (p: LoadProgress) => void, signal?: AbortSignal): Promise<ModelInfo> {
    await this.ensureWorker(false);
    const info = await this.request(
      'load',
      {
        model,
        dtype: options.dtype ?? 'fp32',
        capLayers: [...(options.capLayers ?? [])],
        cacheDir: options.cacheDir,
        offline: options.offline ?? false,
        ...(options.remoteHost !== undefined ? { remoteHost: options.remoteHost } : {}),
        ...(options.revision !== undefined ? { revision: options.revision } : {}),
        ...(options.stallTimeoutMs !== undefined ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
        ...(options.prefillChunk !== undefined ? { prefillChunk: options.prefillChunk } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      },
      signal,
      onProgress,
    );
    this.lastLoad = { model, options };
    this.loadedModel = model;
    return info;
  }

  /** Per-token projections of a conversation (content tokens only) and per-turn means. */
  async score(conversation: readonly ChatMessage[], options: ScoreOptions, signal?: AbortSignal): Promise<ScoreResult> {
    await this.ensureWorker(true);
    return this.request(
      'score',
      {
        messages: conversation.map((m) => ({ role: m.role, content: m.content })),
        axis: axisMessage(options.axis),
        capping: options.capping ?? false,
        ...(options.layers ? { layers: [...options.layers] } : {}),
        ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
      },
      signal,
    );
  }

  /** Generates the next assistant message after `prefix`, streaming tokens with their projections. */
  async generate(prefix: readonly ChatMessage[], options: GenerateOptions, onToken?: (t: TokenEvent) => void, signal?: AbortSignal): Promise<GenerateResult> {
    await this.ensureWorker(true);
    return this.request(
      'generate',
      {
        messages: prefix.map((m) => ({ role: m.role, content: m.content })),
        ...(options.axis ? { axis: axisMessage(options.axis) } : {}),
        capping: options.capping,
        ...(options.steer ? { steer: { layers: [...options.steer.layers], amounts: [...options.steer.amounts] } } : {}),
        maxTokens: options.maxTokens,
        sampling: options.sampling,
      },
      signal,
      undefined,
      onToken,
    );
  }

  /** Several replies decoded together (one forward per step for all rows); each row as generate() would give it. */
  async generateBatch(
    rows: readonly {
      readonly messages: readonly ChatMessage[];
      readonly sampling: GenerateOptions['sampling'];
      /** The row's own capping floors (instead of `options.capping`). */
      readonly floors?: { readonly layers: readonly number[]; readonly taus: readonly number[] };
    }[],
    options: Omit<GenerateOptions, 'sampling'> & { readonly replyMeans?: boolean },
    signal?: AbortSignal,
    /** Each generated token as it comes, with its row. */
    onToken?: (row: number, t: TokenEvent) => void,
  ): Promise<GenerateResult[]> {
    await this.ensureWorker(true);
    return this.request(
      'generateBatch',
      {
        rows: rows.map((r) => ({
          messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
          sampling: r.sampling,
          ...(r.floors ? { floors: { layers: [...r.floors.layers], taus: [...r.floors.taus] } } : {}),
        })),
        ...(options.axis ? { axis: axisMessage(options.axis) } : {}),
        capping: options.capping,
        maxTokens: options.maxTokens,
        ...(options.replyMeans ? { replyMeans: true } : {}),
        ...(onToken ? { stream: true } : {}),
      },
      signal,
      undefined,
      onToken ? (t) => onToken(t.row ?? 0, t) : undefined,
    );
  }

  /** Mean residual per layer over the content tokens of conversation[fromTurn..] (uncapped). */
  async activations(conversation: readonly ChatMessage[], fromTurn: number, signal?: AbortSignal): Promise<ActivationsResult> {
    await this.ensureWorker(true);
    return this.request('activations', { messages: conversation.map((m) => ({ role: m.role, content: m.content })), fromTurn }, signal);
  }

  /** Releases the model in the worker (the worker keeps running). */
  async unload(): Promise<void> {
    this.lastLoad = null;
    if (!this.worker) return;
    await this.request('unload', {});
    this.loadedModel = null;
  }

  /** Stops the worker; pending requests reject with CancelledError. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = null;
    this.rejectAll(() => new CancelledError('engine disposed; request'));
    if (w) await w.terminate();
  }

  /** Allows restarts again after the restart limit was hit (the user's "restart engine"). */
  resetRestartLimit(): void {
    this.restarts = [];
  }

  /** Thread id of the running worker, or null. */
  get threadId(): number | null {
    return this.worker?.threadId ?? null;
  }

  private async ensureWorker(needsModel: boolean): Promise<Worker> {
    if (this.disposed) throw new WorkerCrashedError('the engine client was disposed');
    if (this.worker) return this.worker;
    if (this.starting) return this.starting;
    if (this.everStarted) {
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < WINDOW_MS);
      if (this.restarts.length >= this.maxRestarts) {
        throw new WorkerCrashedError(
          `the model worker crashed and was restarted ${this.restarts.length} times in the last minute; it stays down until the engine is restarted`,
        );
      }
      this.restarts.push(now);
    }
    this.everStarted = true;
    this.starting = this.spawn();
    try {
      const w = await this.starting;
      if (needsModel && this.lastLoad && this.loadedModel === null) {
        const { model, options } = this.lastLoad;
        this.log('info', `reloading ${model} in the restarted model worker`);
        await this.load(model, options);
      }
      return w;
    } finally {
      this.starting = null;
    }
  }

  private spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const w = new Worker(this.workerPath);
      let ready = false;
      let lastError: Error | null = null;
      w.on('message', (data: unknown) => {
        const parsed = parseMessage(WorkerToHostSchema, data);
        if (!parsed.ok) {
          this.log('warn', `dropped a malformed message from the model worker: ${parsed.reason}`);
          return;
        }
        const m = parsed.value;
        if (m.type === 'ready') {
          if (!ready) {
            ready = true;
            this.worker = w;
            this.loadedModel = null;
            resolve(w);
          }
          return;
        }
        this.onMessage(m);
      });
      w.on('error', (e) => {
        lastError = e;
        this.log('error', `model worker error: ${e.stack ?? e.message}`);
      });
      w.on('exit', (code) => {
        if (!ready) {
          const why = lastError ? `: ${lastError.message}` : '';
          reject(new WorkerCrashedError(`the model worker (${this.workerPath}) exited (code ${code}) before it was ready${why}`));
          return;
        }
        if (this.worker !== w) return;
        this.worker = null;
        this.loadedModel = null;
        const model = this.lastLoad?.model ?? 'no model';
        this.log('error', `model worker exited with code ${code} (${model})`);
        this.onCrash(`the model worker exited with code ${code} (${model})`);
        this.rejectAll((id, p) => new WorkerCrashedError(`the model worker exited (code ${code}) during ${p.type} request ${id} (model: ${model})`));
      });
    });
  }

  private onMessage(m: Exclude<WorkerToHost, { type: 'ready' }>): void {
    if (m.type === 'log') {
      this.log(m.level, `[worker] ${m.message}`);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) {
      this.log('debug', `${m.type} for unknown request ${m.id} dropped`);
      return;
    }
    if (m.type === 'progress') {
      const { type: _t, id: _i, ...rest } = m;
      p.onProgress?.(rest);
      return;
    }
    if (m.type === 'token') {
      const { type: _t, id: _i, ...rest } = m;
      p.onToken?.(rest);
      return;
    }
    this.settle(m.id, p);
    if (m.ok) p.settleOk(m.result);
    else if (m.error.code === 'cancelled') p.reject(new CancelledError(p.type));
    else p.reject(new EngineError(m.error.code, m.error.message));
  }

  /** Sends one request of `method` (see METHODS) and resolves with its result, checked against the method's result schema. */
  private request<M extends Method>(
    method: M,
    params: ParamsOf<M>,
    signal?: AbortSignal,
    onProgress?: (p: LoadProgress) => void,
    onToken?: (t: TokenEvent) => void,
  ): Promise<ResultOf<M>> {
    const body = { ...params, type: method };
    const w = this.worker;
    if (!w) return Promise.reject(new WorkerCrashedError(`the model worker is not running (${method} request)`));
    if (signal?.aborted) return Promise.reject(new CancelledError(method));
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const settleOk = (result: unknown): void => {
        const r = parseMessage<ResultOf<M>>(METHODS[method].result, result);
        if (r.ok) resolve(r.value);
        else reject(new EngineError('internal', `malformed ${method} result from the model worker: ${r.reason}`));
      };
      const p: Pending = { type: method, settleOk, reject, ...(onProgress ? { onProgress } : {}), ...(onToken ? { onToken } : {}) };
      if (signal) {
        const onAbort = (): void => {
          w.postMessage({ type: 'cancel', id });
          // Backstop: a worker stuck in native code never answers; restart it rather than hang.
          p.cancelTimer = setTimeout(() => {
            if (!this.pending.has(id)) return;
            this.log('warn', `cancel of ${body.type} request ${id} not acknowledged in ${this.cancelTimeoutMs} ms; restarting the model worker`);
            this.settle(id, p);
            reject(new CancelledError(body.type));
            void w.terminate();
          }, this.cancelTimeoutMs);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        p.dispose = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(id, p);
      w.postMessage({ ...body, id });
    });
  }

  private settle(id: number, p: Pending): void {
    this.pending.delete(id);
    p.dispose?.();
    if (p.cancelTimer) clearTimeout(p.cancelTimer);
  }

  private rejectAll(error: (id: number, p: Pending) => Error): void {
    for (const [id, p] of [...this.pending]) {
      this.settle(id, p);
      p.reject(error(id, p));
    }
  }
}

/** The axis as a protocol message (copies; the caller keeps its arrays). */
function axisMessage(a: AxisSpec): AxisSpecMessage {
  return {
    hiddenSize: a.hiddenSize,
    vectors: a.vectors.map((x) => Float32Array.from(x)),
    monitorLayer: a.monitorLayer,
    capLayers: [...a.capLayers],
    taus: Float32Array.from(a.taus),
  };
}
