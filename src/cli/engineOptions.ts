/** The options every model-backed command shares (model, axis, floors, cache), parsed once. */
import type { SessionOptions } from '../engine/session';
import { parseLayerList } from '../core/layers';
import { DTYPE_SUFFIX } from '../model/graphFiles';
import { DEFAULT_STALL_TIMEOUT_MS } from '../model/hubIds';
import { MAX_THREADS } from '../protocol/messages';
import { defaultCacheDir, PACKAGE_ROOT } from './context';
import { UsageError } from './exitCodes';
import { DEFAULT_MAX_FILE_MB } from './transcripts';

/** parseArgs definitions of the shared options; commands spread these into their own. */
export const ENGINE_OPTIONS = {
  model: { type: 'string', default: 'demo' },
  axis: { type: 'string' },
  layer: { type: 'string' },
  dtype: { type: 'string', default: 'auto' },
  percentile: { type: 'string' },
  'cap-layers': { type: 'string' },
  'cache-dir': { type: 'string' },
  offline: { type: 'boolean', default: false },
  'download-timeout': { type: 'string' },
  'max-file-mb': { type: 'string' },
  threads: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

/** --help line for --threads (axis compute shares it). */
export const THREADS_USAGE = `  --threads N        onnxruntime threads (default 0: every CPU this process may use)`;

/** --help lines for ENGINE_OPTIONS. */
export const ENGINE_USAGE = `  --model M          demo (default), a Hugging Face model id, or a model folder
  --axis A           axis file (default: the axis stored for the model)
  --layer L          monitor layer (default: the axis's recommended layer)
  --dtype D          fp32, fp16, q8, q4, ... (default: auto)
  --percentile P     floor percentile (default: the axis's, 25)
  --cap-layers L     capping band, e.g. 2-3 (default: the axis's)
  --cache-dir DIR    downloads, graphs and axes (default: ~/.cache/persona-lens)
  --offline          never contact a model hub (HF_ENDPOINT sets the hub, default https://huggingface.co)
  --download-timeout S  give up a download after S seconds without data (default ${DEFAULT_STALL_TIMEOUT_MS / 1000})
  --max-file-mb N    refuse input files larger than N MB, unread (default ${DEFAULT_MAX_FILE_MB})
${THREADS_USAGE}
  --quiet            no progress on stderr
  --verbose          worker log lines on stderr`;

/** The parsed values of ENGINE_OPTIONS. */
export interface EngineValues {
  readonly model: string;
  readonly axis?: string | undefined;
  readonly layer?: string | undefined;
  readonly dtype: string;
  readonly percentile?: string | undefined;
  readonly 'cap-layers'?: string | undefined;
  readonly 'cache-dir'?: string | undefined;
  readonly offline: boolean;
  readonly 'download-timeout'?: string | undefined;
  readonly 'max-file-mb'?: string | undefined;
  readonly threads?: string | undefined;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/** A finite number from an option value, or undefined when the option is absent. */
export function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} needs a number, got "${value}"`);
  return n;
}

/** A whole number from an option value within [min, max], or undefined when absent. */
export function integerOption(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const n = numberOption(name, value);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} needs a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got "${value}"`,
    );
  }
  return n;
}

/** --max-file-mb in bytes: the size above which input files are refused before they are read. */
export function maxFileBytes(values: Pick<EngineValues, 'max-file-mb'>): number {
  const mb = numberOption('max-file-mb', values['max-file-mb']) ?? DEFAULT_MAX_FILE_MB;
  if (mb <= 0 || mb > 4096) throw new UsageError(`--max-file-mb must be above 0 and at most 4096, got ${mb}`);
  return Math.floor(mb * 1024 * 1024);
}

/** --model, --dtype and --download-timeout checked as the CLI's user typed them. */
export function modelOptions(values: Pick<EngineValues, 'model' | 'dtype' | 'download-timeout'>): { model: string; dtype: string; stallTimeoutMs: number } {
  const model = values.model.trim();
  if (model === '') throw new UsageError('--model is empty; give demo, a Hugging Face model id or a model folder');
  // An own-property check: "constructor" or "__proto__" are not dtypes.
  if (values.dtype !== 'auto' && !Object.hasOwn(DTYPE_SUFFIX, values.dtype)) {
    throw new UsageError(`--dtype must be auto or one of ${Object.keys(DTYPE_SUFFIX).join(', ')}, not "${values.dtype}"`);
  }
  const seconds = numberOption('download-timeout', values['download-timeout']);
  if (seconds !== undefined && (seconds <= 0 || seconds > 86_400)) {
    throw new UsageError(`--download-timeout must be above 0 and at most 86400 seconds, got ${seconds}`);
  }
  return { model, dtype: values.dtype, stallTimeoutMs: seconds === undefined ? DEFAULT_STALL_TIMEOUT_MS : Math.ceil(seconds * 1000) };
}

/** --threads as a whole number, or undefined when absent (0 stands for the default). */
export function threadsOption(value: string | undefined): number | undefined {
  return integerOption('threads', value, 0, MAX_THREADS);
}

/** { threads } when set, else nothing (SessionOptions are exact-optional). */
export function optionalThreads(threads: number | undefined): { threads?: number } {
  return threads === undefined ? {} : { threads };
}

/** The hub to download from: $HF_ENDPOINT (as huggingface_hub reads it), else the default hub. */
export function hubEndpoint(): string | undefined {
  const e = process.env.HF_ENDPOINT?.trim();
  return e ? e : undefined;
}

/** Session options from the shared values; checks them before any model is loaded. */
export function sessionOptions(values: EngineValues, maxTokensPerConversation?: number): SessionOptions {
  const { model, dtype, stallTimeoutMs } = modelOptions(values);
  const remoteHost = hubEndpoint();
  for (const name of ['axis', 'cache-dir'] as const) {
    if (values[name] !== undefined && values[name].trim() === '') throw new UsageError(`--${name} is empty`);
  }
  const layer = integerOption('layer', values.layer, 0);
  const percentile = numberOption('percentile', values.percentile);
  if (percentile !== undefined && (percentile < 0 || percentile > 100))
    throw new UsageError(`--percentile must be within 0..100, got ${percentile}`);
  let capLayers: number[] | undefined;
  try {
    capLayers = values['cap-layers'] ? parseLayerList(values['cap-layers']) : undefined;
  } catch (e) {
    throw new UsageError(`--cap-layers: ${(e as Error).message}`);
  }
  return {
    packageRoot: PACKAGE_ROOT,
    cacheDir: values['cache-dir'] ?? defaultCacheDir(),
    model,
    dtype,
    ...(values.axis !== undefined ? { axisFile: values.axis } : {}),
    offline: values.offline,
    ...optionalThreads(threadsOption(values.threads)),
    download: { stallTimeoutMs, ...(remoteHost ? { remoteHost } : {}) },
    ...(maxTokensPerConversation !== undefined ? { maxTokensPerConversation } : {}),
    choices: {
      ...(layer !== undefined ? { monitorLayer: layer } : {}),
      ...(percentile !== undefined ? { percentile } : {}),
      ...(capLayers ? { capLayers } : {}),
    },
  };
}
