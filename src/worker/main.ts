/**
 * Worker-thread entry (out/worker.js): owns the model. Requests run one at a time in arrival order
 * (one onnxruntime session, one KV cache); each has an AbortController that `cancel` aborts and the
 * engine checks between chunks, turns and decode steps. Every incoming message is parsed through
 * protocol.ts; malformed ones are logged to the host and dropped.
 */
import { parentPort } from 'node:worker_threads';
import { env } from '@huggingface/transformers';
import { Engine } from './engine';
import { CancelledError, EngineError } from '../protocol/errors';
import { HostToWorkerSchema, parseMessage, transferList, type HostToWorker, type WorkerToHost } from '../protocol/messages';

const port = parentPort;
if (!port) throw new Error('src/worker/main.ts must run in a worker thread');

const engine = new Engine();
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(m: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

function log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
  post({ type: 'log', level, message });
}

// transformers.js can reject a promise nobody awaits (engine-notes pitfall 7); report it, do not die.
process.on('unhandledRejection', (reason) => {
  log('error', `unhandled rejection in the model worker: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

type Request = Exclude<HostToWorker, { type: 'cancel' }>;

async function handle(req: Request, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) throw new CancelledError(req.type);
  switch (req.type) {
    case 'load':
      return engine.load(req, (p) => post({ type: 'progress', id: req.id, ...p }), signal);
    case 'score':
      return engine.score(req, signal);
    case 'generate':
      return engine.generate(
        req,
        (t) => post({ type: 'token', id: req.id, ...t }, [t.projections.buffer]),
        signal,
      );
    case 'generateBatch':
      return engine.generateBatch(
        req,
        signal,
        req.stream ? (t) => post({ type: 'token', id: req.id, ...t }, [t.projections.buffer]) : undefined,
      );
    case 'activations':
      return engine.activations(req, signal);
    case 'unload':
      await engine.unload();
      return null;
  }
}

function replyError(id: number, e: unknown): void {
  if (e instanceof CancelledError) {
    post({ type: 'reply', id, ok: false, error: { code: 'cancelled', message: e.message } });
    return;
  }
  const code = e instanceof EngineError ? e.code : 'internal';
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'internal') log('error', e instanceof Error ? (e.stack ?? message) : message);
  post({ type: 'reply', id, ok: false, error: { code, message } });
}

port.on('message', (data: unknown) => {
  const parsed = parseMessage(HostToWorkerSchema, data);
  if (!parsed.ok) {
    log('warn', `dropped a malformed message: ${parsed.reason}`);
    return;
  }
  const m = parsed.value;
  if (m.type === 'cancel') {
    controllers.get(m.id)?.abort();
    return;
  }
  const ac = new AbortController();
  controllers.set(m.id, ac);
  queue = queue.then(async () => {
    try {
      const result = await handle(m, ac.signal);
      post({ type: 'reply', id: m.id, ok: true, result }, transferList(result));
    } catch (e) {
      replyError(m.id, e);
    } finally {
      controllers.delete(m.id);
    }
  });
});

post({ type: 'ready', transformersVersion: env.version });
