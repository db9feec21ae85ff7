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
 * over a 150k vocabulary cheap without changing any draw in practice.
 */
function topIndices(logits: Float32Array, topK: number, temperature: number): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  const floor = max - 40 * temperature;
  const idx: number[] = [];
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) >= floor) idx.push(i);
  idx.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
  return topK > 0 ? idx.slice(0, topK) : idx;
}
