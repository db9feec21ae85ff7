/**
 * The axis file (docs/axis-file.md): an Assistant Axis for one model, with the floor
 * populations it was computed from, so the user can choose the floor percentile and
 * population at run time. JSON; vectors are little-endian float32 in base64.
 */
import * as v from 'valibot';
import { fromPercentileTable } from '../stats/descriptive';
import type { AxisSpec } from './axisSpec';
import { axisSpecProblems } from './axisSpec';

export const AXIS_FORMAT = 'persona-lens-axis';
/** Version 2 adds the held-out populations zones are drawn from and the surprise distribution; version 1 still loads. */
export const AXIS_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Which distribution of default-Assistant projections the floor tau is a percentile of. */
export type FloorPopulation = 'response' | 'token';

const finite = v.pipe(v.number(), v.finite());
const table = v.pipe(v.array(finite), v.length(101));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** A distribution kept as its size and its percentiles 0..100 (enough to read any cut and its rate later). */
const PopulationSchema = v.object({ n: count, table });

const LayerSchema = v.object({
  layer: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Unit axis direction, base64 float32 [hiddenSize]. */
  unit: v.string(),
  /** Norm of mean(default) - mean(roles) before normalisation (hidden-state units). */
  norm: finite,
  /** Percentiles 0..100 of default-Assistant projections: per-response means and per-token values. */
  floors: v.object({ response: table, token: table }),
  /** cos(axis, PC1 of the role vectors and the default vector); sign-free (absolute value). */
  pc1Cosine: v.nullable(finite),
  /** Held-out AUC of default-Assistant vs role responses on this layer's projection. */
  auc: v.nullable(finite),
  /**
   * Version 2: per-response mean projections of HELD-OUT replies (never used to build the axis), the
   * populations the reading zones are cut from: default-Assistant replies and in-role replies.
   */
  populations: v.optional(v.object({ default: v.nullable(PopulationSchema), role: v.nullable(PopulationSchema) })),
});

export const AxisFileSchema = v.object({
  format: v.literal(AXIS_FORMAT),
  version: v.picklist([1, 2]),
  model: v.object({
    id: v.string(),
    revision: v.nullable(v.string()),
    /** sha256 of the source ONNX graph file, "sha256:<hex>". */
    fileHash: v.string(),
    dtype: v.string(),
    numLayers: v.pipe(v.number(), v.integer(), v.minValue(1)),
    hiddenSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
    /** Version 2, when the model's config says: the domain check's "knows nothing" end (ln vocabSize nats). */
    vocabSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2))),
  }),
  battery: v.object({ hash: v.string(), subset: v.string(), roles: v.number(), questions: v.number(), responses: v.number() }),
  createdAt: v.string(),
  monitorLayer: v.pipe(v.number(), v.integer(), v.minValue(0)),
  cappingLayers: v.array(v.pipe(v.number(), v.integer(), v.minValue(0))),
  defaults: v.object({
    floorPopulation: v.picklist(['response', 'token']),
    percentile: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  }),
  layers: v.array(LayerSchema),
  /**
   * Version 2: expected surprise of the model's own kept battery replies (per reply, the mean entropy
   * in nats of the next-token distributions it was sampled from). The domain check compares a turn's
   * observed surprise (its mean negative log-likelihood per token) with it: on text the model can
   * model, the two agree on average.
   */
  surprise: v.optional(v.nullable(PopulationSchema)),
  /** Free-form validation metrics and timings (see the validation report). */
  validation: v.record(v.string(), v.unknown()),
});

export type AxisFile = v.InferOutput<typeof AxisFileSchema>;
export type AxisLayer = v.InferOutput<typeof LayerSchema>;
/** A stored distribution: its size and percentiles 0..100. */
export type Population = v.InferOutput<typeof PopulationSchema>;

/** Raised when an axis file is malformed or does not fit the loaded model. */
export class AxisFileError extends Error {
  override readonly name = 'AxisFileError';
}

/** Parses axis JSON text; `source` names the file in error messages. */
export function parseAxisFile(text: string, source: string): AxisFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new AxisFileError(`${source}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof data === 'object' && data !== null && (data as { format?: unknown }).format === AXIS_FORMAT) {
    const version = (data as { version?: unknown }).version;
    if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
      throw new AxisFileError(`${source}: axis file version ${String(version)} is not supported (this build reads versions ${READABLE_VERSIONS.join(' and ')})`);
    }
  }
  const r = v.safeParse(AxisFileSchema, data);
  if (!r.success) throw new AxisFileError(`${source}: not a Persona Lens axis file: ${v.summarize(r.issues)}`);
  const a = r.output;
  if (a.layers.length !== a.model.numLayers) throw new AxisFileError(`${source}: ${a.layers.length} layers listed for a ${a.model.numLayers}-layer model`);
  a.layers.forEach((l, i) => {
    if (l.layer !== i) throw new AxisFileError(`${source}: layers must be listed in order; entry ${i} is layer ${l.layer}`);
    const n = decodeVector(l.unit).length;
    if (n !== a.model.hiddenSize) throw new AxisFileError(`${source}: layer ${i} vector has ${n} values, hidden size is ${a.model.hiddenSize}`);
  });
  return a;
}

/** The model an axis is checked against when it is loaded. */
export interface ModelIdentity {
  readonly id: string;
  readonly fileHash: string;
  readonly dtype: string;
  readonly numLayers: number;
  readonly hiddenSize: number;
}

/** Refuses an axis made for another model or dtype, saying what differs. */
export function checkAxisFitsModel(axis: AxisFile, model: ModelIdentity, source: string): void {
  const m = axis.model;
  const diffs: string[] = [];
  if (m.numLayers !== model.numLayers || m.hiddenSize !== model.hiddenSize) {
    diffs.push(`shape ${m.numLayers} layers x ${m.hiddenSize} vs ${model.numLayers} x ${model.hiddenSize}`);
  }
  if (m.dtype !== model.dtype) diffs.push(`dtype ${m.dtype} vs ${model.dtype}`);
  if (m.fileHash !== model.fileHash) diffs.push(`graph file hash ${short(m.fileHash)} vs ${short(model.fileHash)}`);
  if (diffs.length > 0) {
    throw new AxisFileError(`${source} was computed for model "${m.id}" and does not fit the loaded model "${model.id}" (${diffs.join('; ')}). Compute an axis for this model or choose another axis file.`);
  }
}

/** User choices that turn an axis file into the numbers the engine needs. */
export interface AxisChoices {
  /** -1 or undefined: the file's recommended monitor layer. */
  readonly monitorLayer?: number;
  /** Undefined or empty: the file's recommended capping band. */
  readonly capLayers?: readonly number[];
  readonly percentile?: number;
  readonly population?: FloorPopulation;
}

/** The engine's view of an axis file under the user's choices. */
export function toAxisSpec(axis: AxisFile, choices: AxisChoices = {}): AxisSpec & { readonly percentile: number; readonly population: FloorPopulation } {
  const percentile = choices.percentile ?? axis.defaults.percentile;
  const population = choices.population ?? axis.defaults.floorPopulation;
  const capLayers = choices.capLayers && choices.capLayers.length > 0 ? [...choices.capLayers] : [...axis.cappingLayers];
  const monitorLayer = choices.monitorLayer === undefined || choices.monitorLayer < 0 ? axis.monitorLayer : choices.monitorLayer;
  const spec = {
    hiddenSize: axis.model.hiddenSize,
    vectors: axis.layers.map((l) => decodeVector(l.unit)),
    monitorLayer,
    capLayers,
    taus: Float32Array.from(capLayers, (l) => floorAt(axis, l, population, percentile)),
    percentile,
    population,
  };
  const problems = axisSpecProblems(spec, axis.model.numLayers, axis.model.hiddenSize);
  if (problems.length > 0) throw new AxisFileError(`axis choices are not usable: ${problems.join('; ')}`);
  return spec;
}

/** Floor tau of a layer: the chosen percentile of the chosen population. */
export function floorAt(axis: AxisFile, layer: number, population: FloorPopulation, percentile: number): number {
  const l = axis.layers[layer];
  if (!l) throw new AxisFileError(`layer ${layer} is outside 0..${axis.layers.length - 1}`);
  return fromPercentileTable(l.floors[population], percentile);
}

/** base64 of the little-endian float32 bytes of v. */
export function encodeVector(vec: ArrayLike<number>): string {
  const f = Float32Array.from(vec);
  return bytesToBase64(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
}

/** Inverse of encodeVector. */
export function decodeVector(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  if (bytes.length % 4 !== 0) throw new AxisFileError('a vector is not a whole number of float32 values');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  let s: string;
  try {
    s = atob(b64);
  } catch {
    throw new AxisFileError('a vector is not valid base64');
  }
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function short(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 12);
}
