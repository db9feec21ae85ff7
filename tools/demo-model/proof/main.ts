/**
 * `npm run demo:proof`: runs the demo model's proof through the real engine and writes
 * models/demo/proof.md and proof.json. Bundled to out/demo-proof.js beside out/worker.js.
 *
 *   node out/demo-proof.js [--model DIR] [--out DIR] [--temperature T] [--seed N] [--max-tokens N] [--dose-stride K] [--cache-dir DIR]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { proofMarkdown } from '../../../src/core/demo/proofReport';
import { EngineClient } from '../../../src/engine/client';
import { loadEvalSets } from './evalFiles';
import { runProof } from './runProof';

const PACKAGE_ROOT = join(__dirname, '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      temperature: { type: 'string', default: '0.7' },
      seed: { type: 'string', default: '1000' },
      'max-tokens': { type: 'string', default: '90' },
      'dose-stride': { type: 'string', default: '3' },
      'cache-dir': { type: 'string' },
    },
  });
  // --model: a candidate folder (e.g. a retrained demo model with its axis.json) instead of models/demo.
  const modelDir = values.model ? resolve(values.model) : join(PACKAGE_ROOT, 'models', 'demo');
  const outDir = values.out ?? modelDir;
  // A fresh cache: the proof instruments the committed graph itself instead of trusting a cached copy.
  const cacheDir = values['cache-dir'] ?? mkdtempSync(join(tmpdir(), 'pl-demo-proof-'));
  const client = new EngineClient(join(__dirname, 'worker.js'), {
    log: (level, message) => {
      if (level === 'error') process.stderr.write(`[worker ${level}] ${message}\n`);
    },
  });
  const started = Date.now();
  try {
    const data = await runProof(client, loadEvalSets(modelDir), {
      packageRoot: PACKAGE_ROOT,
      ...(values.model ? { model: modelDir } : {}),
      cacheDir,
      temperature: Number(values.temperature),
      seedBase: Number(values.seed),
      maxTokens: Number(values['max-tokens']),
      doseStride: Number(values['dose-stride']),
      onProgress: (m) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}\n`),
    });
    const withWall = { ...data, timingsMs: { ...data.timingsMs, wall: Date.now() - started } };
    writeFileSync(join(outDir, 'proof.json'), `${JSON.stringify(withWall, null, 1)}\n`);
    writeFileSync(join(outDir, 'proof.md'), proofMarkdown(withWall));
    for (const t of data.targets) process.stdout.write(`${t.pass ? 'pass' : 'FAIL'}  ${t.id}: ${t.value.toFixed(3)} (${t.comparison} ${t.threshold})\n`);
    process.stdout.write(`wrote ${join(outDir, 'proof.md')} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    return 0;
  } finally {
    await client.dispose();
    if (!values['cache-dir']) rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo proof failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
