// Public entry point of graph instrumentation: rewrite a transformers.js model folder's decoder graph so
// every layer's exit residual is a graph output and chosen layers get runtime-controlled activation caps,
// and cache the rewritten folder on disk. See docs/instrumentation.md.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InstrumentationError } from './errors';
import { readGraphSkeleton, SKELETON_REFERENCED_BYTES, SkeletonReadError } from './graphSkeleton';
import { decodeModel, encodeModel, onnx } from './onnxProto';
import { externalDataStamps, fileStamp, onnxFileName, sha256Text } from '../../model/graphFiles';
import type { HeadIo } from './outputHead';
import { findResidualStream, type StreamHints } from './residualStream';
import { rewriteGraph } from './rewrite';

export { InstrumentationError } from './errors';

export interface InstrumentSettings {
  /** Zero-based decoder layers whose exit residual (the stream leaving that layer) is capped. Empty: no cap inputs. */
  readonly capLayers: readonly number[];
  /** Keep the original output head ('logits' at every position, no log-probabilities): the graph before
   * REWRITE_VERSION 2, kept so benchmarks can measure against it. */
  readonly allPositionLogits?: boolean;
}

export interface InstrumentedModel {
  /** A folder laid out like the source model folder (config.json, tokenizer files, onnx/<file>) holding the rewritten graph, loadable by from_pretrained(dir, { dtype, local_files_only: true, session_options: sessionOptions }). */
  readonly dir: string;
  readonly sessionOptions: Record<string, unknown>;
  readonly numLayers: number;
  readonly hiddenSize: number;
  /** residualOutputs[i]: graph output name of the stream leaving decoder layer i, e.g. 'residual.3'. Never starts with 'present'. */
  readonly residualOutputs: readonly string[];
  readonly capLayers: readonly number[];
  /** Cap inputs, present iff capLayers is non-empty: v float32 [capLayers.length, hidden] (unit rows), tau and shift float32 [rows, capLayers.length] (rows 1, or one per batch row); tau = -Infinity switches a layer's cap off (bit-identical to the original graph). */
  readonly capInputs: { readonly v: string; readonly tau: string; readonly shift: string } | null;
  /** Position-selected logits and in-graph next-token log-probabilities (every call feeds the three inputs);
   * null with `allPositionLogits`. */
  readonly head: HeadIo | null;
  /** Which structural pattern was found: 'skip-simplified-layernorm' | 'skip-layernorm' | 'add'. */
  readonly pattern: string;
  readonly fromCache: boolean;
}

/** Bump when the rewrite changes, so cached graphs from older code are not reused. */
export const REWRITE_VERSION = 5;
const MARKER = 'persona-lens-instrumented.json';
/** Small top-level files copied into the rewritten folder (configs, tokenizers, templates). */
const COPY_EXTENSIONS = ['.json', '.jinja', '.txt', '.model', '.tiktoken'];

interface GraphResult {
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly residualOutputs: readonly string[];
  readonly capInputs: { readonly v: string; readonly tau: string; readonly shift: string } | null;
  readonly head: HeadIo | null;
  readonly pattern: string;
  /** True if any initializer lives in an external file. */
  readonly externalData: boolean;
}

/** Initializers at least this large are read from the source file instead of being copied (see below). */
const REFERENCED_BYTES = SKELETON_REFERENCED_BYTES;

/**
 * Points every large initializer whose bytes sit inside the source file `bytes` (weights embedded in the
 * .onnx) at that file as ONNX external data (location = the file's name, offset, length), so the rewritten
 * graph holds no copy of the weights. Measured on a 652 MB embedded graph (SmolLM2-135M shape): the rewrite
 * took 8.0 s with the weights re-encoded and 0.09 s with references, and onnxruntime created the session in
 * 1.2-1.5 s instead of 4.6-4.9 s. protobufjs decodes `bytes` fields as views of the input, so a tensor's
 * offset in the file is its view's offset; anything that is not such a view stays embedded.
 */
function referenceSourceBytes(graph: onnx.IGraphProto, bytes: Uint8Array, file: string): void {
  for (const t of graph.initializer ?? []) {
    const raw = t.rawData;
    if (!raw || raw.length < REFERENCED_BYTES || raw.buffer !== bytes.buffer) continue;
    const offset = raw.byteOffset - bytes.byteOffset;
    if (offset < 0 || offset + raw.length > bytes.length) continue;
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [
      { key: 'location', value: basename(file) },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
    t.rawData = new Uint8Array(0);
  }
}

/**
 * Rewrites one .onnx file (decoded from `bytes`, the whole file) and returns the new bytes plus what was
 * done. The new graph reads its weights from the source folder (external data, and the source .onnx itself
 * for embedded weights): load it with externalDataSessionOptions(<folder of `file`>). Exposed for graphs
 * that are not in a transformers.js folder (tests on raw exporter graphs).
 */
export function instrumentGraphBytes(
  bytes: Uint8Array,
  file: string,
  settings: InstrumentSettings,
  hints: StreamHints = {},
): { bytes: Uint8Array; result: GraphResult } {
  let model: onnx.ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new InstrumentationError(file, `not a readable ONNX model (${(e as Error).message}).`);
  }
  const graph = model.graph;
  if (!graph) throw new InstrumentationError(file, 'the model has no graph.');
  const plan = findResidualStream(graph, file, hints);
  const rw = rewriteGraph(model, plan, settings, file);
  referenceSourceBytes(graph, bytes, file);
  const externalData = (graph.initializer ?? []).some(
    (t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL,
  );
  return {
    bytes: encodeModel(model),
    result: {
      numLayers: plan.layerExits.length,
      hiddenSize: plan.hiddenSize,
      residualOutputs: rw.residualOutputs,
      capInputs: rw.capInputs,
      head: rw.head,
      pattern: plan.pattern,
      externalData,
    },
  };
}

/** Session options that let onnxruntime find external data next to the ORIGINAL graph (symlinks are rejected). */
export function externalDataSessionOptions(originalOnnxDir: string): Record<string, unknown> {
  return { extra: { session: { model_external_initializers_file_folder_path: originalOnnxDir } } };
}

function readConfig(modelDir: string): Record<string, unknown> {
  const path = join(modelDir, 'config.json');
  if (!existsSync(path))
    throw new InstrumentationError(path, 'config.json not found (not a transformers.js model folder).');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InstrumentationError(path, `config.json is not valid JSON (${(e as Error).message}).`);
  }
}

/** config.json of the rewritten folder: the external data stays with the original graph, so drop the flag
 * that makes transformers.js look for `<file>_data` next to the rewritten graph. */
function patchedConfig(config: Record<string, unknown>): Record<string, unknown> {
  const js = config['transformers.js_config'];
  if (!js || typeof js !== 'object') return config;
  const rest = { ...(js as Record<string, unknown>) };
  delete rest.use_external_data_format;
  return { ...config, 'transformers.js_config': rest };
}

interface Marker {
  readonly key: string;
  readonly fileName: string;
  readonly result: GraphResult;
  readonly capLayers: readonly number[];
}

function readMarker(dir: string, key: string): Marker | undefined {
  const path = join(dir, MARKER);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Marker;
    return m.key === key && existsSync(join(dir, 'onnx', m.fileName)) ? m : undefined;
  } catch {
    return undefined;
  }
}

function toInstrumented(
  dir: string,
  m: Marker,
  sourceOnnxDir: string,
  fromCache: boolean,
): InstrumentedModel {
  return {
    dir,
    sessionOptions: m.result.externalData ? externalDataSessionOptions(sourceOnnxDir) : {},
    numLayers: m.result.numLayers,
    hiddenSize: m.result.hiddenSize,
    residualOutputs: m.result.residualOutputs,
    capLayers: m.capLayers,
    capInputs: m.result.capInputs,
    head: m.result.head,
    pattern: m.result.pattern,
    fromCache,
  };
}

/**
 * The source graph as the rewrite needs it: without reading large weights (graphSkeleton.ts), or the whole
 * file where its framing is broken, so the bytes check reports that as before.
 */
function graphBytesForRewrite(source: string): Uint8Array {
  try {
    return readGraphSkeleton(source);
  } catch (e) {
    if (e instanceof SkeletonReadError) return readFileSync(source);
    throw e;
  }
}

/**
 * Returns the instrumented copy of `modelDir` for `dtype`, from `cacheDir` when an entry for the same source
 * graph version (the .onnx file's stamp; external data by name, size and mtime) and settings exists.
 */
export function instrumentModel(modelDir: string, opts: InstrumentOptions): Promise<InstrumentedModel> {
  try {
    return Promise.resolve(instrumentModelNow(modelDir, opts));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

export interface InstrumentOptions {
  readonly dtype: string;
  readonly settings: InstrumentSettings;
  readonly cacheDir: string;
  readonly signal?: AbortSignal;
  /** Called with the source graph's bytes when they are read for a rewrite (a cache miss) and may throw.
   * A hit needs no such check: its key holds the graph's and the external data files' stamps. */
  readonly checkSource?: (bytes: Uint8Array) => void;
}

/** instrumentModel's work: all of it synchronous file IO since the graph is no longer hashed here. */
function instrumentModelNow(modelDir: string, opts: InstrumentOptions): InstrumentedModel {
  const dir = resolve(modelDir);
  const config = readConfig(dir);
  const fileName = onnxFileName(opts.dtype);
  const onnxDir = join(dir, 'onnx');
  const source = join(onnxDir, fileName);
  if (!existsSync(source))
    throw new InstrumentationError(source, `no ${fileName} for dtype '${opts.dtype}'.`);
  const capLayers = [...opts.settings.capLayers];
  const allPositionLogits = opts.settings.allPositionLogits === true;
  opts.signal?.throwIfAborted();
  const sideFiles = readdirSync(dir).filter(
    (f) => COPY_EXTENSIONS.some((e) => f.endsWith(e)) && f !== MARKER && statSync(join(dir, f)).isFile(),
  );

  const key = sha256Text(
    JSON.stringify({
      rewrite: REWRITE_VERSION,
      fileName,
      // The graph file's version by its stamp (size, mtime, ctime, inode, device; see fileStamp), not its
      // content hash: a cold start need not read 652 MB before instrumenting, and the host hashes the file
      // for the axis check meanwhile (src/engine/session.ts). A rewritten or replaced file gets a new stamp.
      onnx: fileStamp(source),
      data: externalDataStamps(onnxDir, fileName),
      // The copied config/tokenizer files are part of the entry, so edits to them (e.g. a chat template) miss.
      side: sideFiles.sort().map((f) => [f, sha256Text(readFileSync(join(dir, f)))]),
      capLayers,
      allPositionLogits,
    }),
  );
  const entry = join(resolve(opts.cacheDir), key.slice(0, 32));
  const cached = readMarker(entry, key);
  if (cached) return toInstrumented(entry, cached, onnxDir, true);
  opts.signal?.throwIfAborted();

  const num = (k: string): number | undefined => (typeof config[k] === 'number' ? config[k] : undefined);
  const hints: StreamHints = { hiddenSize: num('hidden_size'), numLayers: num('num_hidden_layers') };
  const sourceBytes = graphBytesForRewrite(source);
  opts.checkSource?.(sourceBytes);
  const { bytes, result } = instrumentGraphBytes(
    sourceBytes,
    source,
    { capLayers, allPositionLogits },
    hints,
  );
  opts.signal?.throwIfAborted();

  mkdirSync(dirname(entry), { recursive: true });
  const tmp = `${entry}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(join(tmp, 'onnx'), { recursive: true });
    for (const f of sideFiles) if (f !== 'config.json') copyFileSync(join(dir, f), join(tmp, f));
    writeFileSync(join(tmp, 'config.json'), JSON.stringify(patchedConfig(config), null, 2));
    writeFileSync(join(tmp, 'onnx', fileName), bytes);
    const marker: Marker = { key, fileName, result, capLayers };
    writeFileSync(join(tmp, MARKER), JSON.stringify(marker, null, 2));
    // A valid entry written meanwhile (another call with the same key) may already be in use: keep it.
    const raced = readMarker(entry, key);
    if (raced) {
      rmSync(tmp, { recursive: true, force: true });
      return toInstrumented(entry, raced, onnxDir, true);
    }
    if (existsSync(entry)) rmSync(entry, { recursive: true, force: true });
    renameSync(tmp, entry);
    return toInstrumented(entry, marker, onnxDir, false);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process may have finished the same entry first.
    const other = readMarker(entry, key);
    if (other) return toInstrumented(entry, other, onnxDir, true);
    throw e;
  }
}
