// The FLOP limit prefill is held to (issue 25): onnxruntime's own MatMul throughput on this machine at a
// model's shape, a [tokens, hidden] x [hidden, intermediate] product (the MLP's, the largest of a layer),
// with the thread count the prefill variant uses, measured in the same run as the prefill it judges.
import * as ort from 'onnxruntime-node';
import { ElemType, encodeModel, makeNode, makeTensor, makeValueInfo } from '../src/worker/graph/onnxProto';
import { mulberry32 } from '../test/support/prng';

export interface MatmulPeak {
  readonly rows: number;
  readonly inner: number;
  readonly cols: number;
  readonly threads: number;
  readonly gflops: number;
}

/**
 * GFLOP/s of onnxruntime's MatMul for [rows, inner] x [inner, cols] at `threads`: the fastest of `reps`
 * runs after a warm-up (a limit, so the best run; a median let one busy moment of the shared machine
 * put the two-thread figure under the one-thread one).
 */
export async function matmulPeak(rows: number, inner: number, cols: number, threads: number, reps = 9): Promise<MatmulPeak> {
  const r = mulberry32(17);
  const w = Float32Array.from({ length: inner * cols }, () => r() - 0.5);
  const bytes = encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'matmul',
      node: [makeNode('MatMul', ['x', 'w'], ['y'], 'mm')],
      initializer: [makeTensor('w', [inner, cols], ElemType.FLOAT, w)],
      input: [makeValueInfo('x', ElemType.FLOAT, [rows, inner])],
      output: [makeValueInfo('y', ElemType.FLOAT, [rows, cols])],
    },
  });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  try {
    const x = new ort.Tensor('float32', Float32Array.from({ length: rows * inner }, () => r() - 0.5), [rows, inner]);
    await session.run({ x });
    const ms: number[] = [];
    for (let k = 0; k < reps; k++) {
      const t0 = performance.now();
      await session.run({ x });
      ms.push(performance.now() - t0);
    }
    return { rows, inner, cols, threads, gflops: Number(((2 * rows * inner * cols) / (Math.min(...ms) / 1000) / 1e9).toFixed(1)) };
  } finally {
    await session.release();
  }
}

/**
 * Multiply-adds x 2 per token of a decoder's layers (attention projections and MLP), without the output
 * layer and without attention's own score products (a few percent at 512 tokens).
 */
export function decoderFlopsPerToken(s: { numLayers: number; hiddenSize: number; numHeads: number; numKvHeads: number; intermediateSize: number }): number {
  const kv = (s.hiddenSize / s.numHeads) * s.numKvHeads;
  const perLayer = 2 * s.hiddenSize * s.hiddenSize + 2 * s.hiddenSize * kv + 3 * s.hiddenSize * s.intermediateSize;
  return 2 * s.numLayers * perLayer;
}
