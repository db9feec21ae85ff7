/**
 * What the engine needs from an Assistant Axis (arXiv 2601.10387): one unit direction per
 * decoder layer, the layer whose projection is monitored, and the capping band with its floors.
 * The axis file format (population, percentile, provenance) belongs to the axis pipeline; this
 * type is only the numeric part the model worker consumes.
 *
 * Layer indices are zero-based and name the residual stream leaving that block
 * ("post-MLP residual after layer L"). Projections are in the model's hidden-state units.
 */
export interface AxisSpec {
  /** Width of every vector; must equal the model's hidden size. */
  readonly hiddenSize: number;
  /** Unit axis per layer: vectors[L] has length hiddenSize, ||v|| = 1. Length = number of layers. */
  readonly vectors: readonly Float32Array[];
  /** Layer whose per-turn mean is the headline value (the paper uses about depth / 2). */
  readonly monitorLayer: number;
  /** Capping band: zero-based layers, ascending, no duplicates (about 70%..89% of depth). */
  readonly capLayers: readonly number[];
  /** Floor tau per entry of capLayers, same units as projections; -Infinity switches a layer off. */
  readonly taus: Float32Array;
}

/** Problems that make an AxisSpec unusable with a model of the given shape; empty when valid. */
export function axisSpecProblems(axis: AxisSpec, numLayers: number, hiddenSize: number): string[] {
  const problems: string[] = [];
  if (axis.hiddenSize !== hiddenSize) problems.push(`axis hidden size ${axis.hiddenSize} != model hidden size ${hiddenSize}`);
  if (axis.vectors.length !== numLayers) problems.push(`axis has ${axis.vectors.length} layer vectors, model has ${numLayers} layers`);
  axis.vectors.forEach((v, l) => {
    if (v.length !== axis.hiddenSize) problems.push(`axis vector of layer ${l} has length ${v.length}, expected ${axis.hiddenSize}`);
    else {
      const n = Math.sqrt(dot(v, 0, v));
      if (!(Math.abs(n - 1) < 1e-3)) problems.push(`axis vector of layer ${l} is not unit length (norm ${n})`);
    }
  });
  if (!Number.isInteger(axis.monitorLayer) || axis.monitorLayer < 0 || axis.monitorLayer >= numLayers) {
    problems.push(`monitor layer ${axis.monitorLayer} is outside 0..${numLayers - 1}`);
  }
  if (axis.taus.length !== axis.capLayers.length) problems.push(`${axis.taus.length} taus for ${axis.capLayers.length} cap layers`);
  axis.capLayers.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= numLayers) problems.push(`cap layer ${l} is outside 0..${numLayers - 1}`);
    if (i > 0 && l <= (axis.capLayers[i - 1] ?? -1)) problems.push('cap layers must be ascending without duplicates');
  });
  axis.taus.forEach((t, i) => {
    if (Number.isNaN(t) || t === Infinity) problems.push(`tau of cap layer ${axis.capLayers[i]} is ${t}`);
  });
  return problems;
}

/** Dot product of row `row` of a row-major matrix (row length v.length) with v, accumulated in float64. */
export function dot(m: Float32Array, row: number, v: Float32Array): number {
  const h = v.length;
  const o = row * h;
  let s = 0;
  for (let i = 0; i < h; i++) s += (m[o + i] as number) * (v[i] as number);
  return s;
}

/** v scaled to unit length (a copy); throws on a zero vector. */
export function unitVector(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, 0, v));
  if (!(n > 0)) throw new RangeError('cannot normalise a zero vector');
  return v.map((x) => x / n);
}
