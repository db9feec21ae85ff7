/** The options every model-backed command shares (model, axis, floors, cache), parsed once. */
import type { SessionOptions } from '../worker/session';
import { parseLayerList } from '../core/layers';
import { defaultCacheDir, PACKAGE_ROOT } from './context';
import { UsageError } from './exitCodes';

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
  quiet: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

/** --help lines for ENGINE_OPTIONS. */
export const ENGINE_USAGE = `  --model M          demo (default), a Hugging Face model id, or a model folder
  --axis A           axis file (default: the axis stored for the model)
  --layer L          monitor layer (default: the axis's recommended layer)
  --dtype D          fp32, fp16, q8, q4, ... (default: auto)
  --percentile P     floor percentile (default: the axis's, 25)
  --cap-layers L     capping band, e.g. 2-3 (default: the axis's)
  --cache-dir DIR    downloads, graphs and axes (default: ~/.cache/persona-lens)
  --offline          never contact a model hub
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

/** Session options from the shared values; checks them before any model is loaded. */
export function sessionOptions(values: EngineValues, maxTokensPerConversation?: number): SessionOptions {
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
    model: values.model,
    dtype: values.dtype,
    ...(values.axis ? { axisFile: values.axis } : {}),
    offline: values.offline,
    ...(maxTokensPerConversation !== undefined ? { maxTokensPerConversation } : {}),
    choices: {
      ...(layer !== undefined ? { monitorLayer: layer } : {}),
      ...(percentile !== undefined ? { percentile } : {}),
      ...(capLayers ? { capLayers } : {}),
    },
  };
}
