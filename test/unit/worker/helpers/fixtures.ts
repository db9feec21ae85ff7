// Shared fixtures for the runtime tests: axes, conversations, temp folders, the bundled worker script.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { unitVector, type AxisSpec } from '../../../../src/core/axis/axisSpec';
import type { ChatMessage } from '../../../../src/protocol/messages';
import { mulberry32 } from '../../../support/prng';
import { TRANSCRIPTS_DIR } from '../../../support/shared.mjs';

/** A random unit axis per layer (seeded), monitor layer at depth/2, capping off (tau -inf) on capLayers. */
export function randomAxis(numLayers: number, hiddenSize: number, capLayers: readonly number[], seed = 3): AxisSpec {
  const r = mulberry32(seed);
  return {
    hiddenSize,
    vectors: Array.from({ length: numLayers }, () => unitVector(Float32Array.from({ length: hiddenSize }, () => r() * 2 - 1))),
    monitorLayer: Math.floor(numLayers / 2),
    capLayers: [...capLayers],
    taus: new Float32Array(capLayers.length).fill(-Infinity),
  };
}

/** The same axis with other floors on its cap layers. */
export function withTaus(axis: AxisSpec, taus: readonly number[]): AxisSpec {
  return { ...axis, taus: Float32Array.from(taus) };
}

/** The first `n` messages of a persona-drift transcript, each cut to `maxChars` to keep tiny-model runs short. */
export function transcript(name: string, n: number, maxChars = 400): ChatMessage[] {
  const j = JSON.parse(readFileSync(join(TRANSCRIPTS_DIR, name), 'utf8')) as { conversation: ChatMessage[] };
  return j.conversation.slice(0, n).map((m) => ({ role: m.role, content: m.content.slice(0, maxChars) }));
}

export function transcriptNames(): string[] {
  return readdirSync(TRANSCRIPTS_DIR).filter((f) => f.endsWith('.json'));
}

/** A fresh temp folder and its remover. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Bundles the test worker (test/support/testWorker.ts: src/worker/main.ts plus a crash hook) with the
 * options `npm run build` uses (esbuild.mjs's `nodeBundle`: transformers.js inside, onnxruntime
 * outside) and returns the script path. outDir gets a
 * node_modules link to the project's, so the worker resolves onnxruntime like out/worker.js.
 */
export async function buildWorkerScript(outDir: string): Promise<string> {
  const outfile = join(outDir, 'worker.js');
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(outDir, 'node_modules'))) symlinkSync(join(process.cwd(), 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const { nodeBundle } = (await import(pathToFileURL(join(process.cwd(), 'esbuild.mjs')).href)) as { nodeBundle: esbuild.BuildOptions };
  await esbuild.build({
    ...nodeBundle,
    entryPoints: [join(process.cwd(), 'test', 'support', 'testWorker.ts')],
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}
