/**
 * Activation capping, reference formula (arXiv 2601.10387): at a capped layer, at every token,
 * h <- h + v * max(tau - <h, v>, 0), v the unit axis of that layer. The projection then never falls
 * below the floor tau; tokens already at or above it are untouched. The instrumented graph computes
 * the same thing in fp32; this function is the ground truth tests compare it with.
 */
import { dot } from './axisSpec';

/** Capped copy of row-major hidden states [tokens, v.length] with floor tau on unit axis v. */
export function capHidden(hidden: Float32Array, v: Float32Array, tau: number): Float32Array {
  const h = v.length;
  if (h === 0 || hidden.length % h !== 0) {
    throw new RangeError(`hidden states of length ${hidden.length} are not rows of width ${h}`);
  }
  const out = Float32Array.from(hidden);
  const n = hidden.length / h;
  for (let t = 0; t < n; t++) {
    const lift = Math.max(tau - dot(hidden, t, v), 0);
    if (lift === 0) continue;
    for (let i = 0; i < h; i++) out[t * h + i] = (hidden[t * h + i] as number) + (v[i] as number) * lift;
  }
  return out;
}
