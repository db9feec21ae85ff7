/**
 * Checks a model folder before transformers.js sees it. from_pretrained reports missing files
 * vaguely, and a missing `_data` file makes it hang after an unhandled rejection
 * (docs/engine-notes.md pitfall 7), so every file it will open is checked here first, and each
 * problem names the file and the reason. The graph's content (readable, external data in bounds)
 * is checked by checkGraphBytes (worker/graph/graphCheck.ts) when the graph is read for instrumenting; a cached instrumented
 * graph was made from files with the same hash and stamps, which passed that check then.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printable } from '../core/report/format';
import { ModelFilesError } from '../protocol/errors';
import { checkRegularFile, readRegularFile, UserFileError } from '../io/files';
import { DTYPE_SUFFIX } from './graphFiles';

/** Decoder architectures (config.json model_type) the engine supports: Llama-style chat models. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma3_text', 'gemma3', 'phi3', 'smollm3'];

/** What the check learnt about a loadable folder. */
export interface ModelFolderInfo {
  readonly dir: string;
  readonly modelType: string;
  /** Path of the ONNX graph for the dtype, inside dir. */
  readonly onnxPath: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Bounds on numbers read from a model's files: every number that sizes a loop, an allocation or a
 * file list is checked against these before use, so a damaged or hostile config.json cannot make the
 * engine build 10^9 file names or allocate without end. Each is far above any real model.
 */
const LIMITS = {
  /** transformers.js `use_external_data_format` chunk count (each chunk holds up to 2 GB). */
  externalChunks: 1024,
  layers: 4096,
  hiddenSize: 1 << 20,
  heads: 1 << 16,
  positions: 1 << 26,
  vocab: 1 << 24,
  /** A JSON file of a model folder (real tokenizer.json files are up to a few tens of MB). */
  jsonBytes: 512 * 1024 * 1024,
  /** An ONNX protobuf cannot exceed 2 GB; weights above that live in external data files. */
  onnxBytes: 2 ** 31,
} as const;

/** File names (relative to the model folder) the dtype needs, external data included. */
export function modelFileNames(config: Readonly<Record<string, unknown>>, dtype: string, configPath = 'config.json'): string[] {
  // An own-property check: "constructor" or "__proto__" must not find Object.prototype's members.
  const suffix = Object.hasOwn(DTYPE_SUFFIX, dtype) ? DTYPE_SUFFIX[dtype] : undefined;
  if (suffix === undefined) throw new ModelFilesError(configPath, `unknown dtype '${printable(dtype, 40)}' (known: ${Object.keys(DTYPE_SUFFIX).join(', ')})`);
  const file = `model${suffix}.onnx`;
  const names = [`onnx/${file}`];
  for (let i = 0; i < externalChunks(config, file, configPath); i++) names.push(`onnx/${file}_data${i === 0 ? '' : `_${i}`}`);
  return names;
}

/** Number of `_data` chunks transformers.js expects for a model file (its use_external_data_format rule), validated. */
function externalChunks(config: Readonly<Record<string, unknown>>, file: string, configPath: string): number {
  const tjs = config['transformers.js_config'];
  const flag = isObject(tjs) ? ownValue(tjs, 'use_external_data_format') : undefined;
  if (flag === undefined || flag === null || flag === false) return 0;
  const where = 'transformers.js_config.use_external_data_format';
  if (isObject(flag)) {
    const v = ownValue(flag, file) ?? ownValue(flag, 'model');
    return v === undefined ? 0 : chunkCount(v, `${where}.${file}`, configPath);
  }
  return chunkCount(flag, where, configPath);
}

function chunkCount(v: unknown, where: string, configPath: string): number {
  if (v === true) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > LIMITS.externalChunks) {
    throw new ModelFilesError(configPath, `${where} must be true, false or a whole number of data files from 0 to ${LIMITS.externalChunks}, not ${shown(v)}`);
  }
  return v;
}

/** A config value for a message: its JSON, cut and made printable. */
function shown(v: unknown): string {
  return printable(JSON.stringify(v) ?? typeof v, 60);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function ownValue(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/**
 * Problems with the numbers of a config.json that the engine reads (shape, context, token ids),
 * each naming the key. Absent keys are fine (architectures nest some of them); present ones must
 * be whole numbers within LIMITS.
 */
export function configNumberProblems(config: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const whole = (key: string, min: number, max: number): void => {
    const v = ownValue(config, key);
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max}, not ${shown(v)}`);
    }
  };
  whole('num_hidden_layers', 1, LIMITS.layers);
  whole('hidden_size', 1, LIMITS.hiddenSize);
  whole('num_attention_heads', 1, LIMITS.heads);
  whole('num_key_value_heads', 1, LIMITS.heads);
  whole('head_dim', 1, LIMITS.hiddenSize);
  whole('max_position_embeddings', 1, LIMITS.positions);
  whole('vocab_size', 1, LIMITS.vocab);
  const tokenIds = (key: string): void => {
    const v = ownValue(config, key);
    if (v === undefined || v === null) return;
    const ids = Array.isArray(v) ? v : [v];
    if (ids.length > 1024 || !ids.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < LIMITS.vocab)) {
      problems.push(`${key} must be a token id or a list of token ids below ${LIMITS.vocab}, not ${shown(v)}`);
    }
  };
  tokenIds('eos_token_id');
  tokenIds('bos_token_id');
  return problems;
}

/** A JSON object from a file of a model folder: a regular file within the size limit, parsed; ModelFilesError otherwise. */
export function readModelJson(dir: string, name: string): Record<string, unknown> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new ModelFilesError(path, 'file is missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readRegularFile(path, { maxBytes: LIMITS.jsonBytes, what: name }).toString('utf8'));
  } catch (e) {
    if (e instanceof UserFileError) throw new ModelFilesError(path, e.reason);
    throw new ModelFilesError(path, `not valid JSON (${printable((e as Error).message, 200)}); the file may be truncated`);
  }
  if (!isObject(parsed)) throw new ModelFilesError(path, 'expected a JSON object');
  return parsed;
}

/** config.json of a model folder, read safely and with its numbers checked (see configNumberProblems). */
export function readModelConfig(dir: string): Record<string, unknown> {
  const config = readModelJson(dir, 'config.json');
  const problems = configNumberProblems(config);
  if (problems.length > 0) throw new ModelFilesError(join(dir, 'config.json'), problems.join('; '));
  externalChunks(config, 'model.onnx', join(dir, 'config.json'));
  return config;
}

/** Refuses a model file that is missing or is not a regular file (a FIFO would hang every reader). */
export function checkModelFile(path: string, missing: string): void {
  if (!existsSync(path)) throw new ModelFilesError(path, missing);
  const st = statSync(path);
  if (!st.isFile()) throw new ModelFilesError(path, `not a regular file (${st.isDirectory() ? 'a folder' : 'a device, pipe or socket'})`);
}

/**
 * The checks a host can make cheaply before it hashes a local model's graph (session.ts): the folder,
 * its config.json (parsed, numbers bounded) and the graph file for the dtype. Throws ModelFilesError.
 */
export function checkModelFolderQuick(dir: string, dtype: string): { config: Record<string, unknown>; onnxPath: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelFilesError(dir, 'model folder does not exist');
  const config = readModelConfig(dir);
  const [graphName] = modelFileNames(config, dtype, join(dir, 'config.json'));
  const onnxPath = join(dir, graphName as string);
  checkModelFile(onnxPath, `file is missing (dtype '${dtype}' needs it; a model folder holds config.json, tokenizer files and onnx/model*.onnx)`);
  return { config, onnxPath };
}

/** Checks config, tokenizer, and that the ONNX graph and its `_data` files are regular files; throws ModelFilesError naming the file. */
export function checkModelFolder(dir: string, dtype: string): ModelFolderInfo {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelFilesError(dir, 'model folder does not exist');
  const config = readModelConfig(dir);
  const modelType = typeof config['model_type'] === 'string' ? config['model_type'] : '';
  if (!SUPPORTED_MODEL_TYPES.includes(modelType)) {
    const arch = Array.isArray(config['architectures']) ? ` (${(config['architectures'] as unknown[]).join(', ')})` : '';
    throw new ModelFilesError(
      join(dir, 'config.json'),
      printable(`model_type '${modelType || '(none)'}'${arch} is not a supported decoder architecture (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`, 400),
    );
  }
  readModelJson(dir, 'tokenizer.json');
  const template = readModelJson(dir, 'tokenizer_config.json')['chat_template'];
  if (!(typeof template === 'string' && template.trim() !== '') && !(Array.isArray(template) && template.length > 0)) {
    throw new ModelFilesError(
      join(dir, 'tokenizer_config.json'),
      `has no chat_template; conversations are rendered with the model's chat template${existsSync(join(dir, 'chat_template.jinja')) ? ' (transformers.js does not read chat_template.jinja: put its text in chat_template)' : ''}`,
    );
  }
  const [graphName, ...dataNames] = modelFileNames(config, dtype, join(dir, 'config.json'));
  const onnxPath = join(dir, graphName as string);
  checkModelFile(onnxPath, `file is missing (dtype '${dtype}' needs it; ask for another dtype if the folder holds a different one)`);
  for (const d of dataNames) checkModelFile(join(dir, d), 'external data file is missing (config.json sets use_external_data_format)');
  let size: number;
  try {
    size = checkRegularFile(onnxPath, { maxBytes: LIMITS.onnxBytes, what: 'ONNX graph' }).size;
  } catch (e) {
    if (e instanceof UserFileError) throw new ModelFilesError(onnxPath, e.reason);
    throw e;
  }
  if (size === 0) throw new ModelFilesError(onnxPath, 'file is empty');
  return { dir, modelType, onnxPath, config };
}
