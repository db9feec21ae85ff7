/**
 * Error classes shared by the worker and the host-side client. Across the thread boundary an
 * error travels as {code, message}; the client turns it back into one of these.
 */

/** Codes a worker error reply can carry. */
export const ENGINE_ERROR_CODES = [
  'model-files', // the model folder is incomplete, truncated or of an unsupported architecture
  'download', // fetching a hub model failed or downloads are off
  'instrumentation', // the graph could not be rewritten
  'load', // transformers.js / onnxruntime refused the model
  'not-loaded', // a request that needs a model came before load
  'bad-request', // the request does not fit the loaded model (axis shape, layers)
  'cancelled',
  'internal',
] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** An error reported by the engine, with a stable code. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A problem with the files of a model folder; the message names the file and the reason. */
export class ModelFilesError extends EngineError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('model-files', `${file}: ${reason}`);
    this.name = 'ModelFilesError';
  }
}

/** The request was cancelled by its caller (never shown to users). */
export class CancelledError extends Error {
  constructor(what = 'request') {
    super(`${what} cancelled`);
    this.name = 'CancelledError';
  }
}

/** The worker thread died (crash, exit or terminate) while a request was pending or starting. */
export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashedError';
  }
}

/** Throws CancelledError when the signal is aborted; called between turns, chunks and decode steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Whether an error means "the caller cancelled": a CancelledError, or the AbortError that Node's
 * streams and fetch throw when their signal fires (e.g. while a model file is hashed). Such errors
 * are never shown as failures.
 */
export function isCancellation(e: unknown): boolean {
  if (e instanceof CancelledError) return true;
  return e instanceof Error && (e.name === 'AbortError' || (e as { code?: unknown }).code === 'ABORT_ERR');
}

/**
 * `p`, or a CancelledError as soon as `signal` aborts: the caller stops waiting while the work behind
 * `p` goes on for whoever else waits for it (a model load shared by several analyses).
 */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, what = 'request'): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new CancelledError(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
