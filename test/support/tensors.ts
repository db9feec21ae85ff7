// Tensor helpers shared by the graph tests (float16 decoding, row projections, seeded unit vectors).
import { float16ArrayToFloat32 } from '../../src/worker/graph/float16';
import { mulberry32 } from './prng';

/** Float32 view of tensor data that may be fp16 bits (Uint16Array, as onnxruntime-node returns them). */
export function asFloat32(data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof Uint16Array) return float16ArrayToFloat32(data);
  throw new Error(`not float tensor data: ${Object.prototype.toString.call(data)}`);
}

/** <row t, v> for each row of x [rows, hidden]. */
export function projections(x: Float32Array, hidden: number, v: Float32Array): Float64Array {
  const rows = x.length / hidden;
  const out = new Float64Array(rows);
  for (let t = 0; t < rows; t++) {
    let d = 0;
    for (let j = 0; j < hidden; j++) d += (x[t * hidden + j] ?? 0) * (v[j] ?? 0);
    out[t] = d;
  }
  return out;
}

/** A seeded random unit vector. */
export function unitVector(hidden: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const v = new Float32Array(hidden);
  let n = 0;
  for (let j = 0; j < hidden; j++) {
    v[j] = rand() * 2 - 1;
    n += (v[j] ?? 0) ** 2;
  }
  for (let j = 0; j < hidden; j++) v[j] = (v[j] ?? 0) / Math.sqrt(n);
  return v;
}

/** Median of the values. */
export function median(values: ArrayLike<number>): number {
  const s = Array.from(values).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Row `t` of x [rows, hidden]. */
export function row(x: Float32Array | Uint16Array, hidden: number, t: number): Float32Array | Uint16Array {
  return x.subarray(t * hidden, (t + 1) * hidden);
}
