/** Rank statistics: separation (AUC) and monotone trend (Spearman). Ties get average ranks. */

/** Average ranks (1-based) of xs. */
export function ranks(xs: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  const r = new Float64Array(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1] as number] === xs[idx[i] as number]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k] as number] = avg;
    i = j + 1;
  }
  return r;
}

/**
 * Area under the ROC curve for "positives score higher than negatives"
 * (Mann-Whitney U / (n_pos * n_neg)); 0.5 = no separation, 1 = perfect.
 */
export function auc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const n1 = positives.length;
  const n0 = negatives.length;
  if (n1 === 0 || n0 === 0) return NaN;
  const all = new Float64Array(n1 + n0);
  all.set(Array.from(positives), 0);
  all.set(Array.from(negatives), n1);
  const r = ranks(all);
  let sum = 0;
  for (let i = 0; i < n1; i++) sum += r[i] as number;
  return (sum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/** Spearman rank correlation of paired samples; NaN when either side is constant. */
export function spearman(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  if (xs.length !== ys.length) throw new RangeError(`spearman needs pairs: ${xs.length} vs ${ys.length}`);
  return pearson(ranks(xs), ranks(ys));
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}
