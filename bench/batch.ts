// Batched generation (issue 25 item 2): aggregate decode tokens/s of one 16-row generateBatch against
// single-stream generate, same engine, same prompts, interleaved round by round, at Qwen2.5-0.5B shape fp32.
import { loadavg } from 'node:os';
import { unitVector, type AxisSpec } from '../src/core/axis/axisSpec';
import { RERUN_MAX_TOKENS } from '../src/engine/rerun';
import { Engine } from '../src/worker/engine';
import type { Sampling } from '../src/protocol/messages';
import { ensureModel, QWEN25_05B } from './models';
import { matmulPeak } from './matmulPeak';
import { conversation, median, pairedRatio } from './util';

export interface BatchResult {
  readonly model: string;
  readonly batch: number;
  readonly maxTokens: number;
  readonly threads: number;
  readonly singleTokPerS: number;
  readonly batchTokPerS: number;
  readonly ratio: number;
  /**
   * What onnxruntime's MatMul allows: GFLOP/s of a [rows, hidden] x [hidden, 8 x intermediate] product
   * (140 MB of weights at this shape, more than the caches hold, as a decode step's weights are) at one
   * row and at `batch` rows, same threads; their ratio bounds the batch's gain wherever the weights are read.
   */
  readonly matmul: { readonly singleGflops: number; readonly batchGflops: number; readonly ratio: number };
  readonly loadAverage: number[];
}

export async function benchBatch(rounds: number, cacheDir: string, batch = 16, maxTokens = 24): Promise<BatchResult> {
  const m = QWEN25_05B();
  const dir = ensureModel(m);
  const never = new AbortController().signal;
  const engine = new Engine();
  const info = await engine.load({ id: 1, type: 'load', model: dir, dtype: 'fp32', capLayers: [], cacheDir, offline: true }, () => undefined, never);
  // Greedy: random weights give flat logits, so replies run to maxTokens and every row decodes the same count.
  const rows = Array.from({ length: batch }, (_, i) => ({
    messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: `Question ${i}: what do you think about item ${i * 7}?` }],
    sampling: GREEDY,
  }));
  const single: number[] = [];
  const batched: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Decode only: each timing subtracts a prefill-only call (maxTokens 1) of the same rows.
    const row = rows[r % batch] as (typeof rows)[number];
    let t0 = performance.now();
    const one = await engine.generate({ id: 2, type: 'generate', messages: row.messages, capping: false, maxTokens, sampling: row.sampling }, () => undefined, never);
    const tSingle = performance.now() - t0;
    t0 = performance.now();
    await engine.generate({ id: 2, type: 'generate', messages: row.messages, capping: false, maxTokens: 1, sampling: row.sampling }, () => undefined, never);
    const tSinglePre = performance.now() - t0;
    single.push(((one.tokens.tokenId.length - 1) * 1000) / (tSingle - tSinglePre));
    t0 = performance.now();
    const many = await engine.generateBatch({ rows, capping: false, maxTokens }, never);
    const tBatch = performance.now() - t0;
    t0 = performance.now();
    await engine.generateBatch({ rows, capping: false, maxTokens: 1 }, never);
    const tBatchPre = performance.now() - t0;
    const tokens = many.reduce((s, x) => s + Math.max(0, x.tokens.tokenId.length - 1), 0);
    batched.push((tokens * 1000) / (tBatch - tBatchPre));
    console.log(`  round ${r + 1}: single ${single.at(-1)?.toFixed(1)} tok/s, batch-${batch} ${batched.at(-1)?.toFixed(1)} tok/s`);
  }
  await engine.unload();
  const s = median(single);
  const b = median(batched);
  const hidden = m.spec.hiddenSize as number;
  const wide = (m.spec.intermediateSize as number) * 8;
  const [mm1, mmB] = [await matmulPeak(1, hidden, wide, info.threads, 5), await matmulPeak(batch, hidden, wide, info.threads, 5)];
  const matmul = { singleGflops: round1(mm1.gflops), batchGflops: round1(mmB.gflops), ratio: round1(mmB.gflops / mm1.gflops) };
  console.log(`  MatMul with weights beyond the caches: ${matmul.singleGflops} GFLOP/s at 1 row, ${matmul.batchGflops} at ${batch} rows (${matmul.ratio}x)`);
  return { model: m.name, batch, maxTokens, threads: info.threads, singleTokPerS: round1(s), batchTokPerS: round1(b), ratio: round1(pairedRatio(batched, single)), matmul, loadAverage: loadavg().map(round1) };
}

export interface SweepBatchResult {
  readonly model: string;
  /** Replies of the sweep: the uncapped one and one per floor setting. */
  readonly cells: number;
  readonly maxTokens: number;
  readonly promptTokens: number;
  readonly threads: number;
  /** The whole sweep's generation (prefills and decoding), one reply after the other (before) and as one batch with per-row floors. */
  readonly sequentialMs: number;
  readonly batchedMs: number;
  readonly ratio: number;
  readonly loadAverage: number[];
}

/**
 * A capping sweep's generation at Qwen2.5-0.5B shape: the uncapped reply and `cells - 1` floor settings
 * over a band of layers, one generate() per cell (how sweeps ran before) against one generateBatch whose
 * rows carry their own floors, interleaved round by round. Greedy, same prompt, same floors, the
 * re-run's token limit (random weights rarely stop early, so every reply runs to it).
 */
export async function benchSweepBatch(rounds: number, cacheDir: string, cells = 7, maxTokens = RERUN_MAX_TOKENS): Promise<SweepBatchResult> {
  const m = QWEN25_05B();
  const dir = ensureModel(m);
  const never = new AbortController().signal;
  const engine = new Engine();
  const band = Array.from({ length: 8 }, (_, i) => i + 10);
  const info = await engine.load({ id: 1, type: 'load', model: dir, dtype: 'fp32', capLayers: band, cacheDir, offline: true }, () => undefined, never);
  let seed = 11;
  const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const axis: AxisSpec = {
    hiddenSize: info.hiddenSize,
    vectors: Array.from({ length: info.numLayers }, () => unitVector(Float32Array.from({ length: info.hiddenSize }, random))),
    monitorLayer: 12,
    capLayers: band,
    taus: new Float32Array(band.length).fill(-Infinity),
  };
  // The conversation before the swept turn: a few turns of a persona-drift transcript.
  const messages = conversation('therapy.json', 300).slice(0, 5);
  if (messages.at(-1)?.role === 'assistant') messages.pop();
  const floors = Array.from({ length: cells }, (_, k) => (k === 0 ? undefined : { layers: band, taus: band.map(() => 0.05 * k) }));
  const sequential: number[] = [];
  const batched: number[] = [];
  let promptTokens = 0;
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    for (const f of floors) {
      const own = f ? { ...axis, taus: Float32Array.from(f.taus) } : axis;
      const g = await engine.generate({ id: 2, type: 'generate', messages, axis: own, capping: f !== undefined, maxTokens, sampling: GREEDY }, () => undefined, never);
      promptTokens = g.promptTokens;
    }
    sequential.push(performance.now() - t0);
    t0 = performance.now();
    await engine.generateBatch({ rows: floors.map((f) => ({ messages, sampling: GREEDY, ...(f ? { floors: f } : {}) })), axis, capping: false, maxTokens }, never);
    batched.push(performance.now() - t0);
    console.log(`  round ${r + 1}: sweep of ${cells} replies, one by one ${(sequential.at(-1)! / 1000).toFixed(1)} s, as one batch ${(batched.at(-1)! / 1000).toFixed(1)} s`);
  }
  await engine.unload();
  const s = median(sequential);
  const b = median(batched);
  return { model: m.name, cells, maxTokens, promptTokens, threads: info.threads, sequentialMs: Math.round(s), batchedMs: Math.round(b), ratio: round1(pairedRatio(sequential, batched)), loadAverage: loadavg().map(round1) };
}

const GREEDY: Sampling = { kind: 'greedy' };
const round1 = (x: number): number => Math.round(x * 10) / 10;
