// Batched generation (issue 25 item 2): aggregate decode tokens/s of one 16-row generateBatch against
// single-stream generate, same engine, same prompts, interleaved round by round, at Qwen2.5-0.5B shape fp32.
import { loadavg } from 'node:os';
import { Engine } from '../src/worker/engine';
import type { Sampling } from '../src/protocol/messages';
import { ensureModel, QWEN25_05B } from './models';
import { median } from './util';

export interface BatchResult {
  readonly model: string;
  readonly batch: number;
  readonly maxTokens: number;
  readonly threads: number;
  readonly singleTokPerS: number;
  readonly batchTokPerS: number;
  readonly ratio: number;
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
  return { model: m.name, batch, maxTokens, threads: info.threads, singleTokPerS: round1(s), batchTokPerS: round1(b), ratio: round1(b / s), loadAverage: loadavg().map(round1) };
}

const GREEDY: Sampling = { kind: 'greedy' };
const round1 = (x: number): number => Math.round(x * 10) / 10;
