// Benchmark of a prompt stress test (issue 28): the quick probe set under one system prompt, run as
// the CLI runs it (EngineClient -> worker thread, generation then scoring of every reply, no cache),
// on the demo model and on a random-weight model at SmolLM2-135M's shape (30 layers x 576, 9 heads,
// 3 KV heads, MLP 1536; ../shared/models/configs/shapes.json). That model uses the Qwen3 tokenizer
// (real BPE and chat template), so its output layer is 151,936 wide instead of SmolLM2's 49,152: its
// times err on the slow side. Random weights never end a reply early, so every reply is full length.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AXIS_FORMAT, AXIS_VERSION, encodeVector, type AxisFile } from '../src/core/axis/axisFile';
import { unitVector } from '../src/core/axis/axisSpec';
import { loadProbeSet } from '../src/core/probes';
import { percentileTable } from '../src/core/stats/descriptive';
import { EngineClient } from '../src/engine/client';
import { stressTest } from '../src/engine/probe';
import { graphHash, openSession } from '../src/engine/session';
import { mulberry32 } from '../test/support/prng';
import { writeTinyModel, type TinyModelSpec } from '../test/support/tinyModels';

/** SmolLM2-135M's decoder shape (shapes.json), random weights. */
export const SMOLLM2_135M_SHAPE: Partial<TinyModelSpec> = {
  layout: 'genai',
  dtype: 'fp32',
  numLayers: 30,
  hiddenSize: 576,
  numHeads: 9,
  numKvHeads: 3,
  intermediateSize: 1536,
  maxPositions: 8192,
  tokenizer: 'qwen3',
  modelType: 'llama',
  ropeTheta: 100000,
  seed: 11,
};

export interface ProbeBenchRun {
  readonly model: string;
  readonly probes: number;
  readonly replies: number;
  readonly generatedTokens: number;
  readonly wallMs: number;
  /** Generated tokens per second of wall time (generation and scoring of every reply included). */
  readonly tokensPerSecond: number;
  readonly msPerReply: number;
}

/** An axis file that fits the model at `dir` (random unit directions, made-up populations): enough to read values, for timing only. */
async function benchAxis(dir: string, spec: Partial<TinyModelSpec>, cacheDir: string): Promise<string> {
  const path = join(dir, 'bench.axis.json');
  if (existsSync(path)) return path;
  const L = spec.numLayers as number;
  const H = spec.hiddenSize as number;
  const r = mulberry32(3);
  const spread = (lo: number, hi: number): number[] => percentileTable(Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100));
  const axis: AxisFile = {
    format: AXIS_FORMAT,
    version: AXIS_VERSION,
    model: { id: 'bench', revision: null, fileHash: await graphHash(dir, 'fp32', cacheDir), dtype: 'fp32', numLayers: L, hiddenSize: H },
    battery: { hash: 'bench', subset: 'quick', roles: 1, questions: 1, responses: 2 },
    createdAt: new Date().toISOString(),
    monitorLayer: Math.floor(L / 2),
    cappingLayers: [Math.round(L * 0.75)],
    defaults: { floorPopulation: 'response', percentile: 25 },
    layers: Array.from({ length: L }, (_, layer) => ({
      layer,
      unit: encodeVector(unitVector(Float32Array.from({ length: H }, () => r() * 2 - 1))),
      norm: 1,
      floors: { response: spread(-0.5, 0.5), token: spread(-1, 1) },
      pc1Cosine: 0,
      auc: 0.5,
      populations: { default: { n: 101, table: spread(0, 1) }, role: { n: 101, table: spread(-1, 0) } },
    })),
    surprise: null,
    validation: {},
  };
  writeFileSync(path, JSON.stringify(axis));
  return path;
}

/**
 * `streamed`: one probe at a time with a token stream, as the editor plays them; otherwise as the CLI
 * does, the probes in lockstep with each reply step generated as a batch (src/engine/probe.ts).
 */
async function timeQuickSet(workerPath: string, root: string, cacheDir: string, model: string, axisFile: string | undefined, streamed: boolean): Promise<ProbeBenchRun> {
  const client = new EngineClient(workerPath);
  try {
    const session = await openSession(client, { packageRoot: root, cacheDir, model, dtype: 'fp32', offline: true, ...(axisFile ? { axisFile } : {}) });
    const t0 = performance.now();
    const t = await stressTest(client, session, 'You are a helpful assistant.', { probeSet: loadProbeSet('quick'), seed: 0, cacheDir: null, ...(streamed ? { onToken: () => undefined } : {}) });
    const wallMs = performance.now() - t0;
    const replies = t.runs.flatMap((x) => x.replies);
    const generatedTokens = replies.reduce((n, x) => n + x.tokens, 0);
    return { model: session.ref.label, probes: t.runs.length, replies: replies.length, generatedTokens, wallMs: Math.round(wallMs), tokensPerSecond: generatedTokens / (wallMs / 1000), msPerReply: Math.round(wallMs / replies.length) };
  } finally {
    await client.dispose();
  }
}

/** The quick probe set on the demo model and at SmolLM2-135M's shape; generates the random model once (kept in the OS temp folder). */
export async function probeBench(
  root: string,
  workerPath: string,
  benchScript: string,
): Promise<{
  demo: ProbeBenchRun;
  demoStreamed: ProbeBenchRun;
  smollm2_135mShape: ProbeBenchRun & { spec: Partial<TinyModelSpec> };
  smollm2_135mShapeStreamed: ProbeBenchRun;
  /** Wall time one probe at a time (streamed) over lockstep batches (the CLI), same replies. */
  batchedSpeedup: { demo: number; smollm2_135mShape: number };
}> {
  const dir = join(tmpdir(), `persona-lens-bench-smollm2-135m-s${SMOLLM2_135M_SHAPE.seed}`);
  if (!existsSync(join(dir, 'config.json'))) {
    // In a child process, so the weights' construction does not weigh on the timed process.
    const r = spawnSync(process.execPath, [benchScript, '--generate-probe-model', dir], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`generating the SmolLM2-135M-shape model failed (exit ${r.status})`);
  }
  const cacheDir = join(tmpdir(), 'persona-lens-bench-cache');
  const axisFile = await benchAxis(dir, SMOLLM2_135M_SHAPE, cacheDir);
  const demoStreamed = await timeQuickSet(workerPath, root, cacheDir, 'demo', undefined, true);
  const demo = await timeQuickSet(workerPath, root, cacheDir, 'demo', undefined, false);
  const realStreamed = await timeQuickSet(workerPath, root, cacheDir, dir, axisFile, true);
  const real = await timeQuickSet(workerPath, root, cacheDir, dir, axisFile, false);
  return {
    demo,
    demoStreamed,
    smollm2_135mShape: { ...real, spec: SMOLLM2_135M_SHAPE },
    smollm2_135mShapeStreamed: realStreamed,
    batchedSpeedup: { demo: demoStreamed.wallMs / demo.wallMs, smollm2_135mShape: realStreamed.wallMs / real.wallMs },
  };
}

/** The child process of probeBench: writes the random model. */
export async function generateProbeModel(dir: string): Promise<void> {
  await writeTinyModel(dir, SMOLLM2_135M_SHAPE);
}
