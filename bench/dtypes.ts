// Smaller weights (issue 25 item 3): single-stream generation tokens/s of a q8 export (transformers.js's
// model_quantized.onnx: int8 weights, DynamicQuantizeLinear + MatMulInteger) against fp32, at a real model's
// shape, side by side in one process. Both load through the real Engine (instrumented graph, capping inputs
// at their band, tau = -inf) with the default thread count; rounds alternate which dtype goes first. Decode
// steps only: time from the first streamed token to the last, so the prompt's prefill is not counted.
import { loadavg } from 'node:os';
import { unitVector, type AxisSpec } from '../src/core/axis/axisSpec';
import { defaultThreads, Engine } from '../src/worker/engine';
import { mulberry32 } from '../test/support/prng';
import { ensureModel, type BenchModel } from './models';
import { conversation, median } from './util';

const never = new AbortController().signal;

export interface DtypeGenerationResult {
  readonly model: string;
  readonly threads: number;
  readonly rounds: number;
  readonly tokensPerRun: number;
  readonly promptTokens: number;
  /** Decode tokens/s per dtype (median of rounds) and the on-disk size of each graph's weights. */
  readonly tokPerSMedian: Readonly<Record<string, number>>;
  /** q8 / fp32 decode tokens/s. */
  readonly speedup: number;
  readonly target: string;
  readonly loadAverage: number[];
  readonly raw: Readonly<Record<string, number[]>>;
}

function axisFor(m: BenchModel): AxisSpec {
  const r = mulberry32(3);
  const h = m.spec.hiddenSize as number;
  return {
    hiddenSize: h,
    vectors: Array.from({ length: m.spec.numLayers as number }, () =>
      unitVector(Float32Array.from({ length: h }, () => r() * 2 - 1)),
    ),
    monitorLayer: Math.floor((m.spec.numLayers as number) / 2),
    capLayers: [...m.capLayers],
    taus: new Float32Array(m.capLayers.length).fill(-Infinity),
  };
}

/** fp32 vs q8 decode speed at `m`'s shape (the q8 model is generated beside the fp32 one once). */
export async function benchDtypes(
  m: BenchModel,
  rounds: number,
  cacheDir: string,
  maxTokens = 32,
): Promise<DtypeGenerationResult> {
  const variants: [string, BenchModel][] = [
    ['fp32', m],
    ['q8', { ...m, name: `${m.name}-q8`, spec: { ...m.spec, dtype: 'q8' } }],
  ];
  const engines = new Map<string, Engine>();
  const threads = defaultThreads();
  for (const [dtype, v] of variants) {
    const dir = ensureModel(v);
    const engine = new Engine();
    await engine.load(
      { id: 1, type: 'load', model: dir, dtype, capLayers: [...v.capLayers], cacheDir, offline: true, threads },
      () => undefined,
      never,
    );
    engines.set(dtype, engine);
  }
  const prompt = conversation('coding.json', 60).slice(0, 3);
  const axis = axisFor(m);
  const raw: Record<string, number[]> = { fp32: [], q8: [] };
  let tokensPerRun = 0;
  let promptTokens = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? ['q8', 'fp32'] : ['fp32', 'q8'];
      for (const dtype of order) {
        const engine = engines.get(dtype) as Engine;
        const stamps: number[] = [];
        const g = await engine.generate(
          {
            id: 2,
            type: 'generate',
            messages: prompt,
            axis,
            capping: false,
            maxTokens,
            sampling: { kind: 'greedy' },
          },
          () => stamps.push(performance.now()),
          never,
        );
        tokensPerRun = g.tokens.tokenId.length;
        promptTokens = g.promptTokens ?? promptTokens;
        if (stamps.length > 1)
          raw[dtype]?.push(
            Number(((stamps.length - 1) / (((stamps.at(-1) as number) - (stamps[0] as number)) / 1000)).toFixed(2)),
          );
        console.log(`  ${m.name} ${dtype} round ${r + 1}/${rounds}: ${raw[dtype]?.at(-1)} tok/s decode`);
      }
    }
  } finally {
    for (const e of engines.values()) await e.unload();
  }
  const med = (k: string): number => Number(median(raw[k] ?? []).toFixed(2));
  return {
    model: m.name,
    threads,
    rounds,
    tokensPerRun,
    promptTokens,
    tokPerSMedian: { fp32: med('fp32'), q8: med('q8') },
    speedup: Number((med('q8') / med('fp32')).toFixed(3)),
    target: 'q8 single-stream >= 2.5x fp32 at Qwen2.5-0.5B shape',
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    raw,
  };
}
