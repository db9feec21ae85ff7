/**
 * One forward call of an instrumented decoder through transformers.js, and the KV-cache tensors
 * around it. The engine drives the decoder itself (prefill in chunks, then one token per step)
 * instead of generate(): that keeps the cache between requests, checks cancellation between
 * calls, collects the residual outputs of every call and samples with a seeded PRNG.
 */
import { DynamicCache, Tensor } from '@huggingface/transformers';
import type { InstrumentedModel } from './graph/instrument';

/** Past key/values by graph input name ('past_key_values.{i}.key' / '.value'). */
export type PastTensors = Record<string, Tensor>;

/** The part of a transformers.js PreTrainedModel the engine calls. */
export interface DecoderModel {
  forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  dispose(): Promise<unknown>;
  sessions: Record<string, { inputNames: string[]; outputNames: string[] }>;
}

/** Fp32 cap inputs fed on every call; tau = -Infinity everywhere turns capping off bit-identically. */
export interface CapFeeds {
  readonly names: { readonly v: string; readonly tau: string; readonly shift: string };
  readonly v: Tensor;
  readonly tau: Tensor;
  /** Steering along v per cap layer (0: none). */
  readonly shift: Tensor;
}

/** The graph names a call needs: residual outputs and the output head's inputs/outputs. */
export type GraphIo = Pick<InstrumentedModel, 'residualOutputs' | 'head'>;

/** What one call asks of the output head; positions are 0-based among the fed tokens. */
export interface HeadAsk {
  /** Return the last fed position's logits. */
  readonly lastLogits: boolean;
  /** Positions whose next-token log-probability is returned, and the token id scored at each. */
  readonly logProbAt: readonly number[];
  readonly targets: readonly number[];
}

/** Asks for nothing but residuals (and the cache). */
export const NO_HEAD: HeadAsk = { lastLogits: false, logProbAt: [], targets: [] };

/** What one call returns: per-layer residual rows, the last position's logits, the asked log-probabilities, the new cache. */
export interface ChunkOutput {
  /** residuals[L] is row-major [n, hidden] fp32 for the n fed tokens (the runtime's output arrays). */
  readonly residuals: Float32Array[];
  readonly lastLogits: Float32Array | null;
  /** logProbs[j] = ln p(targets[j] | tokens up to logProbAt[j]) under the raw (temperature 1) distribution. */
  readonly logProbs: Float32Array;
  readonly present: PastTensors | null;
}

/** Data of a float tensor as fp32 (fp16 outputs arrive as Uint16Array on Node). */
export function floatData(t: Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return t.to('float32').data as Float32Array;
  throw new TypeError(`expected a float tensor, got ${t.type}`);
}

/** Feeds `ids` after `pastLength` cached tokens and returns residuals, what `ask` wants from the head, and the cache. */
export async function runChunk(
  model: DecoderModel,
  io: GraphIo,
  ids: readonly number[],
  pastLength: number,
  past: PastTensors | null,
  cap: CapFeeds | null,
  ask: HeadAsk,
): Promise<ChunkOutput> {
  const n = ids.length;
  const inputs: Record<string, unknown> = {
    input_ids: new Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [1, n]),
    attention_mask: new Tensor('int64', new BigInt64Array(pastLength + n).fill(1n), [1, pastLength + n]),
  };
  if (past) inputs['past_key_values'] = new DynamicCache(past);
  if (cap) {
    inputs[cap.names.v] = cap.v;
    inputs[cap.names.tau] = cap.tau;
    inputs[cap.names.shift] = cap.shift;
  }
  if (io.head) {
    // One row of a 4-bit MatMulNBits runs another kernel than several rows (its last-row logits differ from
    // the whole-sequence graph's by float rounding): a multi-token call asks for the last row twice, so its
    // logits keep the original graph's bits; a one-token call (a decode step) has one row in both graphs.
    const at = ask.lastLogits ? (n > 1 ? [-1, -1] : [-1]) : [];
    const i64 = (xs: readonly number[]): BigInt64Array => BigInt64Array.from(xs, (x) => BigInt(x));
    inputs[io.head.logitsPositions] = new Tensor('int64', i64(at), [at.length]);
    inputs[io.head.logprobPositions] = new Tensor('int64', i64(ask.logProbAt), [ask.logProbAt.length]);
    inputs[io.head.logprobTargets] = new Tensor('int64', i64(ask.targets), [1, ask.targets.length]);
  } else if (ask.logProbAt.length > 0) {
    throw new Error('this graph was instrumented without the log-probability output (allPositionLogits)');
  }
  const out = await model.forward(inputs);
  // Not copied (each output is a fresh tensor; a copy of every layer's rows cost fresh pages, ~0.3 s per
  // 2,000 tokens at SmolLM2-135M shape): callers use them before the next call.
  const residuals = io.residualOutputs.map((name) => {
    const t = out[name];
    if (!t) throw new Error(`the instrumented graph returned no '${name}'`);
    return floatData(t);
  });
  let lastLogits: Float32Array | null = null;
  if (ask.lastLogits) {
    const logits = out['logits'];
    if (!logits) throw new Error("the graph returned no 'logits'");
    const vocab = logits.dims.at(-1) as number;
    const rows = (logits.dims.at(-2) as number) ?? 1;
    lastLogits = Float32Array.from(floatData(logits).subarray((rows - 1) * vocab, rows * vocab));
  }
  let logProbs = new Float32Array(0);
  if (io.head && ask.logProbAt.length > 0) {
    const t = out[io.head.logprobs];
    if (!t) throw new Error(`the instrumented graph returned no '${io.head.logprobs}'`);
    logProbs = Float32Array.from(floatData(t));
  }
  let present: PastTensors | null = null;
  for (const name of Object.keys(out)) {
    if (!name.startsWith('present')) continue;
    present ??= {};
    present[name.replace('present', 'past_key_values')] = out[name] as Tensor;
  }
  return { residuals, lastLogits, logProbs, present };
}

/**
 * ln p(token) and the entropy H = -sum p ln p (nats) of the softmax of `logits`, in one pass over the
 * vocabulary (float64 sums, shifted by the maximum for stability). The entropy is the surprise the
 * model expects of its own next token: the domain check's yardstick (src/core/axis/calibration.ts).
 */
export function nextTokenStats(logits: Float32Array, token: number): { logProb: number; entropy: number } {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  let z = 0;
  let weighted = 0;
  for (let i = 0; i < logits.length; i++) {
    const d = (logits[i] as number) - max;
    const e = Math.exp(d);
    z += e;
    weighted += e * d;
  }
  const logZ = Math.log(z);
  return { logProb: (logits[token] as number) - max - logZ, entropy: logZ - weighted / z };
}

/** The cache cut to its first `length` positions (sequence axis = dims[-2]); tensors are copied. */
export function cropPast(past: PastTensors, length: number): PastTensors {
  const out: PastTensors = {};
  for (const [name, t] of Object.entries(past)) {
    const dims = t.dims;
    const seq = dims.at(-2) as number;
    if (length === seq) {
      out[name] = t;
      continue;
    }
    if (length > seq) throw new RangeError(`cannot crop '${name}' of length ${seq} to ${length}`);
    const inner = dims.at(-1) as number;
    const outer = dims.slice(0, -2).reduce((a, b) => a * b, 1);
    const src = t.data as unknown as { subarray(a: number, b: number): ArrayLike<number>; constructor: new (n: number) => { set(a: ArrayLike<number>, o: number): void } };
    const Ctor = src.constructor;
    const data = new Ctor(outer * length * inner);
    for (let o = 0; o < outer; o++) data.set(src.subarray(o * seq * inner, (o * seq + length) * inner), o * length * inner);
    out[name] = new Tensor(t.type, data, [...dims.slice(0, -2), length, inner]);
  }
  return out;
}

/** Number of positions held by a cache (0 when empty). */
export function pastLength(past: PastTensors | null): number {
  if (!past) return 0;
  const first = Object.values(past)[0];
  return first ? (first.dims.at(-2) as number) : 0;
}
