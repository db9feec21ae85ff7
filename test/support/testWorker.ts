// The worker the unit tests run: the product's worker (src/worker/main.ts) plus one test-only message,
// `{ type: 'crash' }`, that ends the thread with an uncaught exception the way a fault in native code
// would. The product worker has no such hook (it drops the message as malformed).
import { parentPort } from 'node:worker_threads';
import '../../src/worker/main';

parentPort?.on('message', (m: unknown) => {
  if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'crash')
    setImmediate(() => {
      throw new Error('crash requested by a test');
    });
});
