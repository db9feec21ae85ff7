// Test-only access to a client's worker thread: raw messages (the worker's message checks) and a crash
// (needs the test worker, test/support/testWorker.ts, which buildWorkerScript bundles).
import type { EngineClient } from '../../src/engine/client';

/** Posts `message` to the client's running worker as is, bypassing the client's typed requests. */
export function postRaw(client: EngineClient, message: unknown): void {
  (client as unknown as { worker: { postMessage(m: unknown): void } | null }).worker?.postMessage(message);
}

/** Makes the test worker die at once with an uncaught exception. */
export function crashWorker(client: EngineClient): void {
  postRaw(client, { type: 'crash' });
}
