// Numeric comparison helpers for tests.

/** max |a - b| / (max |b| + 1e-12): error relative to the reference's scale. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    scale = Math.max(scale, Math.abs(b[i] ?? 0));
  }
  return diff / (scale + 1e-12);
}

/** True when both arrays hold exactly the same bits (NaN-safe, -0 vs 0 distinguished). */
export function bitIdentical(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return x.equals(y);
}

/** ln softmax(row)[target] in float64 for each (row, target): rows of `logits` [rows, vocab]. */
export function referenceLogProbs(
  logits: ArrayLike<number>,
  vocab: number,
  rows: readonly number[],
  targets: readonly number[],
): Float64Array {
  return Float64Array.from(rows, (r, j) => {
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) max = Math.max(max, logits[r * vocab + i] ?? 0);
    let z = 0;
    for (let i = 0; i < vocab; i++) z += Math.exp((logits[r * vocab + i] ?? 0) - max);
    return (logits[r * vocab + (targets[j] ?? 0)] ?? 0) - max - Math.log(z);
  });
}

/** max |a - b| (absolute: log-probabilities are compared in nats). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return diff;
}
