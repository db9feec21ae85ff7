/**
 * First principal component of a few high-dimensional points (role vectors: tens of rows,
 * hundreds to thousands of columns). Works on the n x n Gram matrix of the centred rows, so the
 * cost is O(n^2 d) instead of O(d^2).
 */

/** Unit PC1 direction (length d) of the rows and the share of variance it explains. */
export function firstPrincipalComponent(rows: readonly Float32Array[], iterations = 500): { direction: Float64Array; explained: number } {
  const n = rows.length;
  if (n < 2) throw new RangeError('PCA needs at least two rows');
  const d = (rows[0] as Float32Array).length;
  const mu = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mu[j] = (mu[j] as number) + (r[j] as number) / n;
  const centred = rows.map((r) => Float64Array.from(r, (x, j) => x - (mu[j] as number)));
  const gram = centred.map((a) => centred.map((b) => dotF64(a, b)));
  const total = gram.reduce((s, row, i) => s + (row[i] as number), 0);
  // Power iteration on the Gram matrix; a fixed non-symmetric start avoids starting orthogonal to PC1.
  let u: Float64Array = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    const next = Float64Array.from(gram, (row) => row.reduce((s, g, j) => s + g * (u[j] as number), 0));
    const norm = Math.hypot(...next);
    if (norm === 0) break;
    next.forEach((x, i) => (next[i] = x / norm));
    const delta = next.reduce((s, x, i) => s + Math.abs(x - (u[i] as number)), 0);
    u = next;
    lambda = norm;
    if (delta < 1e-12) break;
  }
  const direction = new Float64Array(d);
  centred.forEach((r, i) => r.forEach((x, j) => (direction[j] = (direction[j] as number) + x * (u[i] as number))));
  const dn = Math.hypot(...direction);
  if (dn > 0) direction.forEach((x, j) => (direction[j] = x / dn));
  return { direction, explained: total > 0 ? lambda / total : 0 };
}

/** Cosine similarity of two vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}

function dotF64(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}
