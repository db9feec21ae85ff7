/**
 * Next-token choice for the engine's own decode loop. transformers.js's sampling draws from an
 * unseeded global source, and capped-vs-uncapped comparisons need the same draws for the same
 * seed, so sampling here uses a seeded PRNG. All arithmetic is float64 over the fp32 logits.
 */
import { mulberry32 } from './random';

/** Greedy (argmax, lowest id on ties) or seeded sampling with temperature, top-k and top-p. */
export type Sampling =
  | { readonly kind: 'greedy' }
  | { readonly kind: 'sample'; readonly temperature: number; readonly topK: number; readonly topP: number; readonly seed: number };

/** Seeded sampling without top-k, or greedy decoding when `temperature` is 0. */
export function temperatureSampling(temperature: number, topP: number, seed: number): Sampling {
  return temperature > 0 ? { kind: 'sample', temperature, topK: 0, topP, seed } : { kind: 'greedy' };
}

/** Uniform floats in [0, 1) from a seed (the project's one PRNG). */
export const seededRandom = mulberry32;

/** Index of the largest logit (first one on ties). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  return best;
}

/**
 * Picks the next token id. topK <= 0 keeps every token; topP >= 1 keeps the whole mass.
 * Candidates are ordered by logit then id, so the pick depends only on the logits and the draw.
 */
export function sampleToken(logits: Float32Array, s: Sampling, random: () => number): number {
  if (s.kind === 'greedy' || s.temperature <= 0) return argmax(logits);
  const order = topIndices(logits, s.topK, s.temperature);
  const max = logits[order[0] as number] as number;
  const weights = new Float64Array(order.length);
  let sum = 0;
  for (let i = 0; i < order.length; i++) {
    const w = Math.exp(((logits[order[i] as number] as number) - max) / s.temperature);
    weights[i] = w;
    sum += w;
  }
  // Nucleus: the smallest head of the sorted candidates whose probability reaches topP.
  let keep = order.length;
  if (s.topP < 1) {
    let acc = 0;
    for (let i = 0; i < order.length; i++) {
      acc += (weights[i] as number) / sum;
      if (acc >= s.topP) {
        keep = i + 1;
        break;
      }
    }
  }
  let kept = 0;
  for (let i = 0; i < keep; i++) kept += weights[i] as number;
  let r = random() * kept;
  for (let i = 0; i < keep; i++) {
    r -= weights[i] as number;
    if (r < 0) return order[i] as number;
  }
  return order[keep - 1] as number;
}

/**
 * Ids of the topK (<= 0: all) largest logits, descending, ties by lower id. Tokens whose weight
 * relative to the best is below e^-40 (about 4e-18) are dropped before sorting, which keeps a step
 * over a 150k vocabulary cheap without changing any draw in practice when the logits are peaked. When
 * they are flat (random weights, or a model unsure of its next token) most of the vocabulary remains:
 * a comparator sort of 152k ids took about 90 ms per sampled token, about half of an axis computation's
 * decoding time at Qwen2.5-0.5B shape, so large candidate sets are radix-sorted (same order).
 */
function topIndices(logits: Float32Array, topK: number, temperature: number): ArrayLike<number> {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  const floor = max - 40 * temperature;
  let n = 0;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) >= floor) n++;
  let order: ArrayLike<number>;
  if (n < RADIX_FROM) {
    const idx: number[] = [];
    for (let i = 0; i < logits.length; i++) if ((logits[i] as number) >= floor) idx.push(i);
    order = idx.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
  } else order = radixOrder(logits, floor, n);
  return topK > 0 && topK < order.length ? Array.prototype.slice.call(order, 0, topK) : order;
}

/** Below this many candidates the comparator sort is as quick as clearing the radix sort's counts. */
const RADIX_FROM = 4096;
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * The ids of the n logits >= floor, by descending logit then ascending id: a stable two-pass (16-bit)
 * radix sort on a key that orders float32 values as unsigned integers, over ids taken in ascending order.
 */
function radixOrder(logits: Float32Array, floor: number, n: number): Uint32Array {
  let keys = new Uint32Array(n);
  let ids = new Uint32Array(n);
  let j = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i] as number;
    if (!(x >= floor)) continue;
    // -0 compares equal to +0, so it takes +0's key.
    F32[0] = x === 0 ? 0 : x;
    const bits = U32[0] as number;
    const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
    keys[j] = 0xffffffff - ascending;
    ids[j++] = i;
  }
  let keys2 = new Uint32Array(n);
  let ids2 = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const b = ((keys[i] as number) >>> shift) & 0xffff;
      counts[b] = (counts[b] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number;
      const b = (k >>> shift) & 0xffff;
      const at = counts[b] as number;
      counts[b] = at + 1;
      keys2[at] = k;
      ids2[at] = ids[i] as number;
    }
    [keys, keys2] = [keys2, keys];
    [ids, ids2] = [ids2, ids];
  }
  return ids;
}
