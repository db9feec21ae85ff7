// Shared setup of the demo-model proof tests: one engine client on the committed demo model.
import { join } from 'node:path';
import { EngineClient } from '../../../src/engine/client';
import { openSession, type OpenSession } from '../../../src/engine/session';
import { loadEvalSets, type EvalSets } from '../../../tools/demo-model/proof/evalFiles';
import { buildWorkerScript, tempDir } from '../worker/helpers/fixtures';

export interface DemoEngine {
  readonly client: EngineClient;
  readonly session: OpenSession;
  readonly sets: EvalSets;
  readonly dispose: () => Promise<void>;
}

/** Starts a worker, opens the demo model with its committed axis (recommended band, default floor). */
export async function openDemoEngine(prefix: string): Promise<DemoEngine> {
  const t = tempDir(prefix);
  const client = new EngineClient(await buildWorkerScript(join(t.dir, 'worker')));
  const session = await openSession(client, { packageRoot: process.cwd(), cacheDir: join(t.dir, 'cache'), model: 'demo', dtype: 'auto', offline: true });
  return {
    client,
    session,
    sets: loadEvalSets(join(process.cwd(), 'models', 'demo')),
    dispose: async () => {
      await client.dispose();
      t.remove();
    },
  };
}

/**
 * Targets the committed demo model does not meet: the value measured by `npm run demo:proof`
 * (models/demo/proof.md). Their tests keep the threshold and run with node:test's `todo`:
 * they report, but do not fail CI. Remove an entry when a better model meets the target.
 */
export const KNOWN_SHORTFALLS: Readonly<Record<string, string>> = {};

/** A target's test name and options: a known shortfall gets its measured value in the name and `todo`. */
export function targetTest(id: string, name: string): [string, { todo?: string }] {
  const measured = KNOWN_SHORTFALLS[id];
  return measured ? [`${name} [known shortfall: committed model ${measured}]`, { todo: `committed model: ${measured}` }] : [name, {}];
}
