/**
 * Computes an Assistant Axis for a model with the model itself (issue: "Assistant Axis for any
 * model"): generate a short reply for every run of the plan, keep the replies that stand for
 * their persona, take each kept reply's mean residual at every layer, build the axis, then
 * score the default-Assistant replies on it for the floor populations. Every finished run is
 * appended to a checkpoint file, so an interrupted computation resumes where it stopped.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AXIS_FORMAT, AXIS_VERSION, decodeVector, encodeVector, type AxisFile, type Population } from '../core/axis/axisFile';
import { buildAxisLayers, DEFAULT_PERSONA, recommendedCappingLayers, recommendedMonitorLayer, type ResponseActivations } from '../core/axis/axisBuilder';
import { planAxisRuns, responseProblem, runSeed, type AxisRun, type AxisSampling, type AxisSubset } from '../core/axis/axisPlan';
import { dot, type AxisSpec } from '../core/axis/axisSpec';
import { batteryHash, loadBattery } from '../core/battery';
import type { Battery } from '../core/battery/types';
import { mean, percentile, percentileTable } from '../core/stats/descriptive';
import { axisReportMarkdown, axisReportSvg, type PersonaMean } from '../core/report/axisReport';
import type { EngineClient, LoadProgress } from './client';
import { loadTarget, resolveModelRef } from './modelRef';
import { extraLoadOptions, graphHash, resolveDtype, storedAxisPath, type SessionOptions } from './session';
import type { ChatMessage, GenerateResult, ModelInfo, Sampling } from '../protocol/messages';
import { temperatureSampling } from '../core/sampler';
import { throwIfAborted } from '../protocol/errors';
import { UserFileError, writeFileAtomic } from '../io/files';

export interface AxisComputeOptions {
  readonly battery: Battery;
  readonly subset: AxisSubset;
  /** Restrict the battery's roles to these ids (default: all of the subset's). */
  readonly roles?: readonly string[];
  /** Tokens generated per reply; short replies are enough for a mean activation. */
  readonly maxTokens: number;
  /** Decoding of the replies (AXIS_SAMPLING: the reference pipeline's); each run's seed comes from `seed` and its key. */
  readonly sampling: AxisSampling;
  readonly seed: number;
  /** Checkpoint file (JSON lines); created if missing, resumed if present and matching. */
  readonly checkpointPath: string;
  readonly model: { readonly id: string; readonly revision: string | null; readonly fileHash: string; readonly dtype: string };
  readonly onProgress?: (p: AxisProgress) => void;
}

export interface AxisProgress {
  readonly phase: 'generate' | 'floors' | 'done';
  readonly done: number;
  readonly total: number;
  /** Estimated milliseconds left in this phase, from the mean time per run so far. */
  readonly etaMs: number | null;
  readonly detail: string;
}

/** One finished run as stored in the checkpoint. */
export interface RunRecord {
  readonly key: string;
  readonly text: string;
  /** Null when the reply was dropped (the reason says why). */
  readonly dropped: string | null;
  /** base64 float32 per layer; empty when dropped. */
  readonly layerMeans: readonly string[];
  /**
   * The reply's expected surprise: the mean entropy (nats) of the next-token distributions it was
   * sampled from. Null when dropped or when no token was generated.
   */
  readonly surprise: number | null;
  readonly ms: number;
}

/** Bump when RunRecord gains a field every run must have, so older checkpoints start afresh instead of mixing. */
const RECORD_VERSION = 3;

interface CheckpointHeader {
  readonly kind: 'persona-lens-axis-checkpoint';
  readonly recordVersion: number;
  readonly fileHash: string;
  readonly dtype: string;
  readonly batteryHash: string;
  readonly subset: AxisSubset;
  readonly roles: readonly string[];
  readonly maxTokens: number;
  readonly sampling: AxisSampling;
  readonly seed: number;
}

export interface AxisComputeResult {
  readonly axis: AxisFile;
  readonly runs: number;
  readonly kept: number;
  readonly dropped: { readonly key: string; readonly reason: string }[];
  /** Mean monitor-layer projection of each persona's held-out and training replies. */
  readonly personaMeans: PersonaMean[];
  readonly timings: Readonly<Record<string, number>>;
  /** Replies generated in this run whose activation was read from the decode pass (no second forward). */
  readonly readFromDecode: number;
  /** Replies generated in this run (the rest of `runs` came from a checkpoint). */
  readonly generated: number;
}

/** Computes the axis; the model must already be loaded in the client (capping is not needed). */
export async function computeAxis(client: EngineClient, info: ModelInfo, o: AxisComputeOptions, signal?: AbortSignal): Promise<AxisComputeResult> {
  const started = Date.now();
  const plan = planAxisRuns(o.battery, o.subset, o.roles);
  const header: CheckpointHeader = {
    kind: 'persona-lens-axis-checkpoint',
    recordVersion: RECORD_VERSION,
    fileHash: o.model.fileHash,
    dtype: o.model.dtype,
    batteryHash: batteryHash(o.battery),
    subset: o.subset,
    roles: [...(o.roles ?? [])],
    maxTokens: o.maxTokens,
    sampling: o.sampling,
    seed: o.seed,
  };
  const records = readCheckpoint(o.checkpointPath, header);
  const todo = plan.filter((r) => !records.has(r.key));
  let spent = 0;
  let finished = 0;
  /** Replies whose activation came from the decode pass (the rest took a second forward). */
  let readFromDecode = 0;
  // Replies are decoded AXIS_BATCH at a time (one forward per step for all of them; each row's tokens are
  // those single-stream generation gives, per its own seed); each is then checked and recorded as before.
  for (let g = 0; g < todo.length; g += AXIS_BATCH) {
    throwIfAborted(signal);
    await runAxisBatch(client, info, todo.slice(g, g + AXIS_BATCH), o, signal, (run, record, gen) => {
      if (gen.replyMeans) readFromDecode++;
      spent += record.ms;
      records.set(run.key, record);
      appendFileSync(o.checkpointPath, `${JSON.stringify(record)}\n`);
      finished++;
      const done = plan.length - todo.length + finished;
      o.onProgress?.({ phase: 'generate', done, total: plan.length, etaMs: ((todo.length - finished) * spent) / finished, detail: `${run.persona}: ${run.questionId}` });
    });
  }
  // Generation time of every run, including runs done before a resume (each record keeps its own).
  const generateMs = plan.reduce((sum, r) => sum + (records.get(r.key)?.ms ?? 0), 0);

  const activations: ResponseActivations[] = [];
  const dropped: { key: string; reason: string }[] = [];
  const surprises: number[] = [];
  for (const run of plan) {
    const r = records.get(run.key);
    if (!r) continue;
    if (r.dropped) dropped.push({ key: run.key, reason: r.dropped });
    else {
      activations.push({ persona: run.persona, questionId: run.questionId, heldOut: run.heldOut, layerMeans: r.layerMeans.map(decodeVector) });
      if (r.surprise !== null && Number.isFinite(r.surprise)) surprises.push(r.surprise);
    }
  }
  const t1 = Date.now();
  const layers = buildAxisLayers(activations, info.numLayers);
  const monitorLayer = recommendedMonitorLayer(info.numLayers);
  const buildMs = Date.now() - t1;

  // Floors: per-response means are projections of the stored layer means (projection is linear);
  // per-token values need one scoring pass over the default-Assistant replies on the new axis.
  const t2 = Date.now();
  const defaults = plan.filter((r) => r.persona === DEFAULT_PERSONA && !r.heldOut && !records.get(r.key)?.dropped && records.has(r.key));
  const spec: AxisSpec = { hiddenSize: info.hiddenSize, vectors: layers.map((l) => l.unit), monitorLayer, capLayers: [], taus: new Float32Array(0) };
  const tokenValues: number[][] = Array.from({ length: info.numLayers }, () => []);
  for (const [i, run] of defaults.entries()) {
    throwIfAborted(signal);
    const messages = [...prompt(run), { role: 'assistant', content: (records.get(run.key) as RunRecord).text }];
    const scored = await client.score(messages, { axis: spec }, signal);
    const reply = scored.turns[scored.turns.length - 1];
    if (reply) scored.projections.forEach((p, k) => tokenValues[scored.layers[k] as number]?.push(...p.subarray(reply.tokenStart, reply.tokenEnd)));
    o.onProgress?.({ phase: 'floors', done: i + 1, total: defaults.length, etaMs: null, detail: run.questionId });
  }
  const floorsMs = Date.now() - t2;

  const project = (a: ResponseActivations, l: number): number => dot(a.layerMeans[l] as Float32Array, 0, layers[l]?.unit as Float32Array);
  const trainDefaults = activations.filter((a) => a.persona === DEFAULT_PERSONA && !a.heldOut);
  // Zones are cut from replies the axis never saw: its training replies sit optimistically far apart.
  const heldDefaults = activations.filter((a) => a.persona === DEFAULT_PERSONA && a.heldOut);
  const heldRoles = activations.filter((a) => a.persona !== DEFAULT_PERSONA && a.heldOut);
  const population = (rs: readonly ResponseActivations[], l: number): Population | null =>
    rs.length === 0 ? null : { n: rs.length, table: percentileTable(rs.map((a) => project(a, l))) };
  const personas = [...new Set(activations.map((a) => a.persona))];
  const personaMeans = personas
    .map((persona) => {
      const xs = activations.filter((a) => a.persona === persona).map((a) => project(a, monitorLayer));
      return { persona, value: mean(xs), n: xs.length, p10: percentile(xs, 10), p25: percentile(xs, 25), p75: percentile(xs, 75), p90: percentile(xs, 90) };
    })
    .sort((a, b) => b.value - a.value);

  const axis: AxisFile = {
    format: AXIS_FORMAT,
    version: AXIS_VERSION,
    model: { id: o.model.id, revision: o.model.revision, fileHash: o.model.fileHash, dtype: o.model.dtype, numLayers: info.numLayers, hiddenSize: info.hiddenSize, ...(info.vocabSize !== null && info.vocabSize >= 2 ? { vocabSize: info.vocabSize } : {}) },
    battery: {
      hash: header.batteryHash,
      subset: o.subset,
      roles: new Set(plan.filter((r) => r.persona !== DEFAULT_PERSONA).map((r) => r.persona)).size,
      questions: new Set(plan.map((r) => r.questionId)).size,
      responses: activations.length,
    },
    createdAt: new Date().toISOString(),
    monitorLayer,
    cappingLayers: recommendedCappingLayers(info.numLayers),
    defaults: { floorPopulation: 'response', percentile: 25 },
    layers: layers.map((l, i) => ({
      layer: i,
      unit: encodeVector(l.unit),
      norm: l.norm,
      floors: { response: percentileTable(trainDefaults.map((a) => project(a, i))), token: percentileTable(tokenValues[i] ?? []) },
      pc1Cosine: l.pc1Cosine,
      auc: l.auc,
      populations: { default: population(heldDefaults, i), role: population(heldRoles, i) },
    })),
    surprise: surprises.length === 0 ? null : { n: surprises.length, table: percentileTable(surprises) },
    validation: {
      maxTokens: o.maxTokens,
      temperature: o.sampling.temperature,
      topP: o.sampling.topP,
      seed: o.seed,
      kept: activations.length,
      dropped: dropped.length,
      personaMeansAtMonitorLayer: personaMeans,
      timingsMs: { generate: generateMs, build: buildMs, floors: floorsMs, wall: Date.now() - started },
    },
  };
  o.onProgress?.({ phase: 'done', done: plan.length, total: plan.length, etaMs: 0, detail: 'axis computed' });
  return {
    axis,
    runs: plan.length,
    kept: activations.length,
    dropped,
    personaMeans,
    timings: { generate: generateMs, build: buildMs, floors: floorsMs, wall: Date.now() - started },
    readFromDecode,
    generated: todo.length,
  };
}

/**
 * One batch of an axis computation's runs, as computeAxis does it (also timed by the axisEta benchmark):
 * the replies are decoded together, then each is checked and its activations read (from the decode pass
 * where it reads the scoring tokens, else by a second forward); `onRun` gets each
 * finished run (with its generation), whose `ms` is its share of the batch's decoding plus its own activations pass.
 */
export async function runAxisBatch(
  client: EngineClient,
  info: ModelInfo,
  group: readonly AxisRun[],
  o: Pick<AxisComputeOptions, 'maxTokens' | 'sampling' | 'seed'>,
  signal: AbortSignal | undefined,
  onRun: (run: AxisRun, record: RunRecord, gen: GenerateResult) => void,
): Promise<void> {
  const t0 = Date.now();
  const gens = await client.generateBatch(
    group.map((run) => ({ messages: prompt(run), sampling: runSampling(o.sampling, o.seed, run) })),
    { capping: false, maxTokens: o.maxTokens, replyMeans: true },
    signal,
  );
  const share = (Date.now() - t0) / group.length;
  for (const [k, run] of group.entries()) {
    const gen = gens[k] as GenerateResult;
    onRun(run, await finishRun(client, info, run, gen, share, signal), gen);
  }
}

/** The messages a run's reply answers: its system prompt (if any) and question. */
export function prompt(run: AxisRun): ChatMessage[] {
  return [...(run.systemPrompt === null ? [] : [{ role: 'system', content: run.systemPrompt }]), { role: 'user', content: run.question }];
}

/** The decoding of one run of an axis computation (also used by the demo model's proof to replay its population). */
export function runSampling(sampling: AxisSampling, seed: number, run: Pick<AxisRun, 'key'>): Sampling {
  return temperatureSampling(sampling.temperature, sampling.topP, runSeed(seed, run.key));
}

/** Replies decoded per batch in axis computation. */
export const AXIS_BATCH = 16;

async function finishRun(client: EngineClient, info: ModelInfo, run: AxisRun, gen: GenerateResult, genMs: number, signal?: AbortSignal): Promise<RunRecord> {
  const t0 = Date.now() - genMs;
  const messages = prompt(run);
  const text = gen.text.trim();
  const problem = responseProblem(text, run.persona);
  if (problem) return { key: run.key, text, dropped: problem, layerMeans: [], surprise: null, ms: Date.now() - t0 };
  // The decode pass's own residuals where scoring would read the same tokens (issue 25 item 4), else a second forward.
  const layerMeans = gen.replyMeans ?? (await client.activations([...messages, { role: 'assistant', content: text }], messages.length, signal)).layerMeans;
  if (layerMeans.length !== info.numLayers) throw new Error(`activations returned ${layerMeans.length} layers, the model has ${info.numLayers}`);
  // The yardstick of the domain check is what the model expects its own text to cost (the entropy along
  // the reply), not the observed surprise of these replies: they are sampled at temperature 0.7, so
  // their tokens are the likelier ones (on the demo model: median 0.19 nats/token, against 1.1-1.5 on
  // the generator's own in-domain replies), and a limit read from them would call in-domain text unreadable.
  const surprise = gen.entropy.length > 0 ? mean(gen.entropy) : null;
  return { key: run.key, text, dropped: null, layerMeans: layerMeans.map(encodeVector), surprise, ms: Date.now() - t0 };
}

/** Reads finished runs of a checkpoint made with the same settings; starts a new file otherwise. */
function readCheckpoint(path: string, header: CheckpointHeader): Map<string, RunRecord> {
  const records = new Map<string, RunRecord>();
  if (existsSync(path)) {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    let first: Partial<CheckpointHeader> | null = null;
    try {
      first = lines[0] ? (JSON.parse(lines[0]) as Partial<CheckpointHeader>) : null;
    } catch {
      // A damaged header (a cut write): start the checkpoint over.
    }
    if (first && JSON.stringify(first) === JSON.stringify(header)) {
      for (const line of lines.slice(1)) {
        try {
          const r = JSON.parse(line) as RunRecord;
          records.set(r.key, r);
        } catch {
          // A line cut by an interruption: that run is simply done again.
        }
      }
      return records;
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(header)}\n`);
  return records;
}

/** Default checkpoint location for a model graph and battery subset inside the cache folder. */
export function checkpointPath(cacheDir: string, fileHash: string, dtype: string, subset: AxisSubset): string {
  return join(cacheDir, 'axes', 'checkpoints', `${fileHash.replace(/^sha256:/, '').slice(0, 24)}-${dtype}-${subset}.jsonl`);
}

export interface StoredAxisOptions {
  readonly packageRoot: string;
  readonly cacheDir: string;
  /** "demo", a folder or a hub id. */
  readonly model: string;
  readonly dtype: string;
  readonly offline: boolean;
  /** Hub downloads: base URL and stall timeout (see SessionOptions). */
  readonly download?: SessionOptions['download'];
  readonly threads?: SessionOptions['threads'];
  readonly subset: AxisSubset;
  readonly roles?: readonly string[];
  readonly maxTokens: number;
  readonly sampling: AxisSampling;
  readonly seed: number;
  /** Where to write the axis; default: the cache location scoring looks in. See axisOutputPaths. */
  readonly out?: string;
  /** Overwrite an existing report and plot beside `out` (the axis file itself is named by the user). */
  readonly force?: boolean;
  readonly battery?: Battery;
  readonly onLoadProgress?: (p: LoadProgress) => void;
  readonly onProgress?: (p: AxisProgress) => void;
}

/** What computeAndStoreAxis wrote. */
export interface StoredAxis {
  readonly path: string;
  readonly reportPath: string;
  readonly plotPath: string;
  readonly result: AxisComputeResult;
}

/** The three files an axis computation writes: the axis, and its report (.md) and plot (.svg) named after it without .json / .axis.json. */
export function axisOutputPaths(path: string): { path: string; reportPath: string; plotPath: string } {
  const stem = path.replace(/(\.axis)?\.json$/, '');
  return { path, reportPath: `${stem}.md`, plotPath: `${stem}.svg` };
}

/**
 * Refuses an `out` that cannot be written, and the report and plot beside a user-named axis file
 * unless forced: the user named `out`, not `notes.md` and `notes.svg` next to it, which may be
 * their own files.
 */
function checkOutputs(out: string, force: boolean): void {
  const folder = dirname(resolve(out));
  if (!existsSync(folder)) throw new UserFileError(out, `cannot write: there is no folder ${folder}`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UserFileError(out, 'cannot write: it is a folder');
  if (force) return;
  const { reportPath, plotPath } = axisOutputPaths(out);
  for (const p of [reportPath, plotPath]) {
    if (existsSync(p)) {
      throw new UserFileError(p, `exists; the axis report and plot are written beside ${out} as ${reportPath} and ${plotPath}, so this file would be overwritten. Move it, choose another --out, or pass --force`);
    }
  }
}

/**
 * Loads the model, computes its axis (resuming a checkpoint), and writes the axis file with its
 * Markdown report and SVG plot beside it (each written whole or not at all). Used by
 * `persona-lens axis compute` and the "Compute Axis for Model" command.
 */
export async function computeAndStoreAxis(client: EngineClient, o: StoredAxisOptions, signal?: AbortSignal): Promise<StoredAxis> {
  // Checked before minutes of computing, and again before writing.
  if (o.out !== undefined) checkOutputs(o.out, o.force ?? false);
  const ref = resolveModelRef(o.model, o.packageRoot);
  let dtype = resolveDtype(o.dtype, ref.kind === 'hub' ? null : ref.dir);
  const info = await client.load(loadTarget(ref), { cacheDir: o.cacheDir, dtype, offline: o.offline, capLayers: [], ...extraLoadOptions(o) }, o.onLoadProgress, signal);
  dtype = resolveDtype(o.dtype, info.dir);
  const fileHash = await graphHash(info.dir, dtype, o.cacheDir, signal);
  const result = await computeAxis(
    client,
    info,
    {
      battery: o.battery ?? loadBattery(),
      subset: o.subset,
      ...(o.roles ? { roles: o.roles } : {}),
      maxTokens: o.maxTokens,
      sampling: o.sampling,
      seed: o.seed,
      checkpointPath: checkpointPath(o.cacheDir, fileHash, dtype, o.subset),
      model: { id: ref.label, revision: null, fileHash, dtype },
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    },
    signal,
  );
  const { path, reportPath, plotPath } = axisOutputPaths(o.out ?? storedAxisPath(o.cacheDir, fileHash, dtype));
  if (o.out !== undefined) checkOutputs(o.out, o.force ?? false);
  else mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(result.axis, null, 1)}\n`);
  writeFileAtomic(plotPath, axisReportSvg(result.axis, result.personaMeans));
  writeFileAtomic(reportPath, axisReportMarkdown(result.axis, result.personaMeans, result.timings, basename(plotPath)));
  return { path, reportPath, plotPath, result };
}
