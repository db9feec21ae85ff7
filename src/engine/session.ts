/**
 * A scoring session as the CLI and the extension host use it: a model (demo, folder or hub id)
 * loaded in the worker, plus the axis file that fits it. Runs on the host side, over EngineClient.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AxisFileError, checkAxisFitsModel, floorAt, parseAxisFile, toAxisSpec, type AxisChoices, type AxisFile } from '../core/axis/axisFile';
import type { Calibration } from '../core/axis/calibration';
import { calibrationWithVerdict } from '../core/axis/verdict';
import type { AxisSpec } from '../core/axis/axisSpec';
import type { ConversationScores } from '../core/scores';
import type { Conversation } from '../core/transcript';
import { toConversationScores, toEngineMessages } from '../core/turnScores';
import type { EngineClient, LoadProgress } from './client';
import { readTextFile, UserFileError } from '../io/files';
import { instrumentedCacheDir } from '../model/graphFiles';
import { onnxFileName, rememberedSha256 } from '../model/graphFiles';
import { checkModelFolderQuick, readModelConfig, readModelJson } from '../model/folder';
import type { ModelInfo } from '../protocol/messages';
import { loadTarget, resolveModelRef, type ModelRef } from './modelRef';

/** Axis files are a few MB even for 80-layer models; anything far larger is not one. */
const AXIS_FILE_MAX_BYTES = 256 * 1024 * 1024;

export interface SessionOptions {
  /** Folder with package.json (where models/demo lives). */
  readonly packageRoot: string;
  /** Downloads, instrumented graphs and computed axes. */
  readonly cacheDir: string;
  /** "demo", a folder or a hub id. */
  readonly model: string;
  /** transformers.js dtype, or "auto" (the model's own default, else fp32). */
  readonly dtype: string;
  /** An axis file to use instead of the one stored for the model. */
  readonly axisFile?: string;
  readonly offline: boolean;
  /** Hub downloads: the hub's base URL (default https://huggingface.co/) and the stall timeout. */
  readonly download?: { readonly remoteHost?: string; readonly stallTimeoutMs?: number };
  /** onnxruntime intra-op threads; 0 or absent: every CPU the process may use. */
  readonly threads?: number;
  readonly choices?: AxisChoices;
  /** Conversations longer than this many tokens are cut after the last whole turn that fits. */
  readonly maxTokensPerConversation?: number;
  /** Also alarm on assistant turns that fall more than this below the first assistant turn (null/undefined: only the role zone alarms). */
  readonly dropAlarm?: number | null;
}

/** The LoadOptions fields of SessionOptions.download and .threads (only those that are set). */
export function extraLoadOptions(o: Pick<SessionOptions, 'download' | 'threads'>): { remoteHost?: string; stallTimeoutMs?: number; threads?: number } {
  const d = o.download;
  return {
    ...(d?.remoteHost !== undefined ? { remoteHost: d.remoteHost } : {}),
    ...(d?.stallTimeoutMs !== undefined ? { stallTimeoutMs: d.stallTimeoutMs } : {}),
    ...(o.threads !== undefined ? { threads: o.threads } : {}),
  };
}

/** Raised when no axis has been computed for the model yet. */
export class AxisMissingError extends Error {
  override readonly name = 'AxisMissingError';
}

/** The loaded model, its axis and the numbers scoring uses. */
export interface OpenSession {
  readonly ref: ModelRef;
  readonly info: ModelInfo;
  readonly dtype: string;
  readonly fileHash: string;
  readonly axis: AxisFile;
  readonly axisPath: string;
  readonly spec: AxisSpec & { readonly percentile: number; readonly population: 'response' | 'token' };
  /** Capping floor at the monitor layer under the chosen percentile and population (shown with capping; never an alarm). */
  readonly monitorTau: number;
  /** How values at the monitor layer are read: zones from the axis's held-out populations, and the domain check. */
  readonly calibration: Calibration;
  readonly maxTokensPerConversation: number | undefined;
  readonly dropAlarm: number | null;
}

/** Where an axis computed for a model graph is stored inside the cache folder. */
export function storedAxisPath(cacheDir: string, fileHash: string, dtype: string): string {
  return join(cacheDir, 'axes', `${fileHash.replace(/^sha256:/, '').slice(0, 24)}-${dtype}.axis.json`);
}

/** The dtype "auto" stands for: the model's transformers.js_config.dtype when it is a string, else fp32. */
export function resolveDtype(dtype: string, modelDir: string | null): string {
  if (dtype !== 'auto') return dtype;
  if (!modelDir) return 'fp32';
  try {
    // A broken or missing config.json is reported by the folder check that follows; here it means fp32.
    const tjs = readModelJson(modelDir, 'config.json')['transformers.js_config'];
    const d = tjs !== null && typeof tjs === 'object' && Object.hasOwn(tjs, 'dtype') ? (tjs as Record<string, unknown>)['dtype'] : undefined;
    return typeof d === 'string' ? d : 'fp32';
  } catch {
    return 'fp32';
  }
}

/**
 * "sha256:<hex>" of a model's graph file, hashed once per file version (remembered in the cache folder by
 * size, times, inode and device; shared with the instrumentation cache, so loading does not hash it again).
 */
export async function graphHash(modelDir: string, dtype: string, cacheDir: string, signal?: AbortSignal): Promise<string> {
  const path = join(modelDir, 'onnx', onnxFileName(dtype));
  return `sha256:${(await rememberedSha256(path, instrumentedCacheDir(cacheDir), signal)).sha256}`;
}

/**
 * Loads the model and its axis. The axis decides which layers get capping nodes, so it is read
 * before the model is instrumented; hub models are downloaded first to learn their graph hash.
 */
export async function openSession(
  client: EngineClient,
  o: SessionOptions,
  onProgress?: (p: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<OpenSession> {
  const ref = resolveModelRef(o.model, o.packageRoot);
  const baseLoad = { cacheDir: o.cacheDir, offline: o.offline, ...extraLoadOptions(o) };
  let dir = ref.kind === 'hub' ? null : ref.dir;
  let dtype = resolveDtype(o.dtype, dir);
  let config: Record<string, unknown>;
  if (!dir) {
    // A hub model: download (or find in the cache) and load it once to know its files.
    const first = await client.load(loadTarget(ref), { ...baseLoad, dtype, capLayers: o.choices?.capLayers ?? [] }, onProgress, signal);
    dir = first.dir;
    dtype = resolveDtype(o.dtype, dir);
    config = readModelConfig(dir);
  } else {
    // Before the graph is hashed: a folder without config.json or onnx/, or with a broken config.json,
    // fails here naming the file (hashing a FIFO would hang, and a raw ENOENT names nothing useful).
    config = checkModelFolderQuick(dir, dtype).config;
  }
  const fileHash = await graphHash(dir, dtype, o.cacheDir, signal);
  const axisPath = o.axisFile || (ref.kind === 'demo' ? join(ref.dir, 'axis.json') : storedAxisPath(o.cacheDir, fileHash, dtype));
  if (!existsSync(axisPath)) {
    throw new AxisMissingError(
      o.axisFile
        ? `axis file ${axisPath} does not exist`
        : `no Assistant Axis has been computed for ${ref.label} (${dtype}) yet; compute one with "persona-lens axis compute --model ${ref.label}" or the command "Persona Lens: Compute Axis for Model"`,
    );
  }
  let axisText: string;
  try {
    axisText = readTextFile(axisPath, { maxBytes: AXIS_FILE_MAX_BYTES, what: 'axis file' });
  } catch (e) {
    if (e instanceof UserFileError) throw new AxisFileError(`axis file ${e.message}`);
    throw e;
  }
  const axis = parseAxisFile(axisText, axisPath);
  checkAxisFitsModel(
    axis,
    { id: ref.label, fileHash, dtype, numLayers: Number(config['num_hidden_layers']), hiddenSize: Number(config['hidden_size']) },
    axisPath,
  );
  const spec = toAxisSpec(axis, o.choices);
  const info = await client.load(loadTarget(ref), { ...baseLoad, dtype, capLayers: spec.capLayers }, onProgress, signal);
  if (info.numLayers !== axis.model.numLayers || info.hiddenSize !== axis.model.hiddenSize) {
    throw new AxisFileError(`${axisPath}: the loaded graph has ${info.numLayers} layers x ${info.hiddenSize}, the axis ${axis.model.numLayers} x ${axis.model.hiddenSize}`);
  }
  const monitorTau = floorAt(axis, spec.monitorLayer, spec.population, spec.percentile);
  const calibration = calibrationWithVerdict(axis, spec.monitorLayer);
  return { ref, info, dtype, fileHash, axis, axisPath, spec, monitorTau, calibration, maxTokensPerConversation: o.maxTokensPerConversation, dropAlarm: o.dropAlarm ?? null };
}

/** Scores one conversation in an open session. */
export async function scoreConversation(client: EngineClient, s: OpenSession, c: Conversation, signal?: AbortSignal): Promise<ConversationScores> {
  const { messages, turnOffset } = toEngineMessages(c);
  // Always allow cutting at the model's context: a long transcript shows its first turns, with a warning, instead of nothing.
  const result = await client.score(messages, { axis: s.spec, maxTokens: s.maxTokensPerConversation ?? Number.MAX_SAFE_INTEGER }, signal);
  return toConversationScores(c, result, {
    turnOffset,
    tau: s.monitorTau,
    model: s.ref.label,
    axis: axisLabel(s.axisPath),
    calibration: s.calibration,
    dropAlarm: s.dropAlarm,
  });
}

/** How scores name an axis file: its folder and name. */
export function axisLabel(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts.slice(-2).join('/');
}
