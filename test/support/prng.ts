// Seeded PRNG (mulberry32) so generated test models are the same on every run.

export { mulberry32 } from '../../src/core/random';

/** `n` uniform values in [center - scale, center + scale). */
export function uniform(rand: () => number, n: number, scale: number, center = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = center + (rand() * 2 - 1) * scale;
  return out;
}
