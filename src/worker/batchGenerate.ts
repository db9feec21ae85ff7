/**
 * Batched decoding (issue 25 item 2): several replies share each decode step's forward, so the
 * weights are read once per step for all rows (single-stream decode is memory-bound). Each row is
 * prefilled on its own (prefill is compute-bound; batching it gains little), then the rows' caches
 * are stacked into one [B, heads, T, dim] cache. Row b's cache holds its len_b tokens at [0, len_b);
 * the attention mask marks those and every token fed since, so the gap between them is masked:
 * optimum graphs append each step's key/value after the gap (position_ids from the mask's cumulative
 * sum), GroupQueryAttention graphs write it at the row's own length (seqlens_k = mask sum - 1).
 * Finished rows are dropped from the batch. Each row keeps its own cap setting: the graph takes one row
 * of floors and shifts per sequence (stackCapRows), so a capping sweep's cells decode together.
 */
import { DynamicCache, Tensor } from '@huggingface/transformers';
import { floatData, type CapFeeds, type DecoderModel, type GraphIo, type PastTensors } from './forward';

export interface BatchRowState {
  /** The row's cache after its prefill, dims [1, heads, len, dim] (null without a KV cache). */
  readonly past: PastTensors;
  readonly length: number;
}

export interface BatchStepOutput {
  /** logits[b]: next-token logits of active row b. */
  readonly logits: Float32Array[];
  /** residuals[b][L]: row b's residual (length hidden) of the fed token at layer L. */
  readonly residuals: Float32Array[][];
}

type Typed = { subarray(a: number, b: number): ArrayLike<number>; set(a: ArrayLike<number>, o: number): void; length: number; constructor: new (n: number) => Typed };

/** A decode batch: stacked cache and mask of the rows still running. */
export class DecodeBatch {
  private past: PastTensors;
  /** mask[b]: one byte per cache slot plus the next fed token. */
  private mask: Uint8Array[];
  private width: number;

  constructor(rows: readonly BatchRowState[]) {
    const width = Math.max(...rows.map((r) => r.length));
    this.width = width;
    this.mask = rows.map((r) => {
      const m = new Uint8Array(width);
      m.fill(1, 0, r.length);
      return m;
    });
    this.past = {};
    const first = rows[0] as BatchRowState;
    for (const name of Object.keys(first.past)) {
      const t0 = first.past[name] as Tensor;
      const heads = t0.dims[1] as number;
      const dim = t0.dims[3] as number;
      const Ctor = (t0.data as unknown as Typed).constructor;
      const data = new Ctor(rows.length * heads * width * dim);
      rows.forEach((r, b) => {
        const src = (r.past[name] as Tensor).data as unknown as Typed;
        for (let h = 0; h < heads; h++) {
          data.set(src.subarray(h * r.length * dim, (h + 1) * r.length * dim), ((b * heads + h) * width) * dim);
        }
      });
      this.past[name] = new Tensor(t0.type, data, [rows.length, heads, width, dim]);
    }
  }

  get size(): number {
    return this.mask.length;
  }

  /** Keeps only the rows whose indexes are in `keep` (ascending). */
  keepRows(keep: readonly number[]): void {
    if (keep.length === this.mask.length) return;
    this.mask = keep.map((b) => this.mask[b] as Uint8Array);
    for (const [name, t] of Object.entries(this.past)) {
      const [, heads, width, dim] = t.dims as [number, number, number, number];
      const row = heads * width * dim;
      const src = t.data as unknown as Typed;
      const data = new src.constructor(keep.length * row);
      keep.forEach((b, i) => data.set(src.subarray(b * row, (b + 1) * row), i * row));
      this.past[name] = new Tensor(t.type, data, [keep.length, heads, width, dim]);
    }
  }

  /** Feeds one token per row; returns each row's next logits and the fed token's residuals. */
  async step(model: DecoderModel, io: GraphIo, tokens: readonly number[], cap: CapFeeds | null): Promise<BatchStepOutput> {
    const B = tokens.length;
    const total = this.width + 1;
    const mask = new BigInt64Array(B * total);
    this.mask.forEach((m, b) => {
      for (let i = 0; i < this.width; i++) if (m[i]) mask[b * total + i] = 1n;
      mask[b * total + this.width] = 1n;
    });
    const inputs: Record<string, unknown> = {
      input_ids: new Tensor('int64', BigInt64Array.from(tokens, (x) => BigInt(x)), [B, 1]),
      attention_mask: new Tensor('int64', mask, [B, total]),
      past_key_values: new DynamicCache(this.past),
    };
    if (cap) {
      inputs[cap.names.v] = cap.v;
      inputs[cap.names.tau] = cap.tau;
      inputs[cap.names.shift] = cap.shift;
    }
    if (io.head) {
      inputs[io.head.logitsPositions] = new Tensor('int64', BigInt64Array.from([-1n]), [1]);
      inputs[io.head.logprobPositions] = new Tensor('int64', new BigInt64Array(0), [0]);
      inputs[io.head.logprobTargets] = new Tensor('int64', new BigInt64Array(0), [B, 0]);
    }
    const out = await model.forward(inputs);
    const logitsT = out['logits'];
    if (!logitsT) throw new Error("the graph returned no 'logits'");
    const vocab = logitsT.dims.at(-1) as number;
    const rows = logitsT.dims.at(-2) as number;
    const all = floatData(logitsT);
    const logits = Array.from({ length: B }, (_, b) => Float32Array.from(all.subarray((b * rows + rows - 1) * vocab, (b * rows + rows) * vocab)));
    const res = io.residualOutputs.map((name) => {
      const t = out[name];
      if (!t) throw new Error(`the instrumented graph returned no '${name}'`);
      return floatData(t);
    });
    const residuals = Array.from({ length: B }, (_, b) =>
      res.map((r) => {
        const h = r.length / B;
        return r.subarray(b * h, (b + 1) * h);
      }),
    );
    const next: PastTensors = {};
    for (const name of Object.keys(out)) {
      if (name.startsWith('present')) next[name.replace('present', 'past_key_values')] = out[name] as Tensor;
    }
    // GroupQueryAttention returns a cache of max(width + 1, total) slots; optimum graphs width + 1.
    const newWidth = (Object.values(next)[0] as Tensor).dims[2] as number;
    this.mask = this.mask.map((m) => {
      const g = new Uint8Array(newWidth);
      g.set(m.subarray(0, Math.min(m.length, newWidth)));
      g[this.width] = 1;
      return g;
    });
    this.width = newWidth;
    this.past = next;
    return { logits, residuals };
  }
}

/**
 * The cap inputs of a decode step from each active row's own (v is the axis, the same for every row):
 * one row of floors and shifts when all rows agree (most batches), else one per row, in batch order.
 */
export function stackCapRows(caps: readonly (CapFeeds | null)[]): CapFeeds | null {
  const first = caps[0];
  if (!first) return null;
  const tau0 = first.tau.data as Float32Array;
  const shift0 = first.shift.data as Float32Array;
  const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  if (caps.every((c) => c === first || (c && same(c.tau.data as Float32Array, tau0) && same(c.shift.data as Float32Array, shift0)))) return first;
  const n = tau0.length;
  const tau = new Float32Array(caps.length * n);
  const shift = new Float32Array(caps.length * n);
  caps.forEach((c, b) => {
    if (!c) throw new Error('a batch mixes rows with and without cap inputs');
    tau.set(c.tau.data as Float32Array, b * n);
    shift.set(c.shift.data as Float32Array, b * n);
  });
  return { names: first.names, v: first.v, tau: new Tensor('float32', tau, [caps.length, n]), shift: new Tensor('float32', shift, [caps.length, n]) };
}
