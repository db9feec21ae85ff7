/**
 * Assistant Axis from response activations (arXiv 2601.10387, section 3): per layer,
 * axis = mean(default-Assistant responses) - mean(role vectors), a role vector being the mean
 * of that role's in-role responses. Reported alongside: |cos(axis, PC1)| of the role vectors
 * plus the default vector, and the held-out AUC of default vs role responses.
 */
import { auc } from '../stats/rank';
import { dot } from './axisSpec';
import { cosine, firstPrincipalComponent } from '../stats/pca';

/** Mean hidden state over one response's tokens, at every layer. */
export interface ResponseActivations {
  /** "default" for default-Assistant prompts, otherwise the role id. */
  readonly persona: string;
  readonly questionId: string;
  /** Held-out responses (held-out role or question) validate the axis and never build it. */
  readonly heldOut: boolean;
  /** layerMeans[L] = mean over response tokens of the residual leaving layer L. */
  readonly layerMeans: readonly Float32Array[];
}

export const DEFAULT_PERSONA = 'default';

/** One layer of a computed axis, before floors are attached. */
export interface AxisLayerVectors {
  readonly unit: Float32Array;
  readonly norm: number;
  readonly pc1Cosine: number | null;
  readonly auc: number | null;
}

/** Computes the axis at every layer from training responses and validates it on held-out ones. */
export function buildAxisLayers(responses: readonly ResponseActivations[], numLayers: number): AxisLayerVectors[] {
  const train = responses.filter((r) => !r.heldOut);
  const defaults = train.filter((r) => r.persona === DEFAULT_PERSONA);
  const roleIds = [...new Set(train.filter((r) => r.persona !== DEFAULT_PERSONA).map((r) => r.persona))];
  if (defaults.length === 0) throw new RangeError('no default-Assistant responses to build the axis from');
  if (roleIds.length === 0) throw new RangeError('no role responses to build the axis from');
  const heldDefault = responses.filter((r) => r.heldOut && r.persona === DEFAULT_PERSONA);
  const heldRole = responses.filter((r) => r.heldOut && r.persona !== DEFAULT_PERSONA);
  return Array.from({ length: numLayers }, (_, layer) => {
    const at = (rs: readonly ResponseActivations[]): Float32Array[] => rs.map((r) => layerOf(r, layer));
    const defaultVector = meanVector(at(defaults));
    const roleVectors = roleIds.map((id) => meanVector(at(train.filter((r) => r.persona === id))));
    const roleMean = meanVector(roleVectors);
    const raw = defaultVector.map((x, j) => x - (roleMean[j] as number));
    const norm = Math.hypot(...raw);
    if (!(norm > 0)) throw new RangeError(`layer ${layer}: default and role means coincide; no axis`);
    const unit = raw.map((x) => x / norm);
    // PCA over the role vectors plus the default vector (demo-model-notes: the default must be in it).
    const pc1Cosine = Math.abs(cosine(firstPrincipalComponent([defaultVector, ...roleVectors]).direction, unit));
    const project = (rs: readonly ResponseActivations[]): number[] => at(rs).map((h) => dot(h, 0, unit));
    const separation = heldDefault.length > 0 && heldRole.length > 0 ? auc(project(heldDefault), project(heldRole)) : null;
    return { unit, norm, pc1Cosine, auc: separation };
  });
}

/** Recommended monitor layer: about half the depth, as the paper monitors (22 of 46, 32 of 64). */
export function recommendedMonitorLayer(numLayers: number): number {
  return Math.floor(numLayers / 2);
}

/** Recommended capping band: about 70%..85% of depth (paper: 46..53 of 64, 56..71 of 80). */
export function recommendedCappingLayers(numLayers: number): number[] {
  const first = Math.min(numLayers - 1, Math.floor(0.7 * numLayers));
  const last = Math.max(first, Math.min(numLayers - 1, Math.ceil(0.85 * numLayers) - 1));
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Element-wise mean of equally long vectors (float64 accumulation). */
export function meanVector(vs: readonly Float32Array[]): Float32Array {
  const first = vs[0];
  if (!first) throw new RangeError('mean of no vectors');
  const acc = new Float64Array(first.length);
  for (const x of vs) {
    if (x.length !== acc.length) throw new RangeError(`vector lengths differ: ${x.length} vs ${acc.length}`);
    for (let j = 0; j < acc.length; j++) acc[j] = (acc[j] as number) + (x[j] as number);
  }
  return Float32Array.from(acc, (s) => s / vs.length);
}

function layerOf(r: ResponseActivations, layer: number): Float32Array {
  const h = r.layerMeans[layer];
  if (!h) throw new RangeError(`response ${r.persona}/${r.questionId} has no layer ${layer}`);
  return h;
}
