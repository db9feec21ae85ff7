/**
 * Checks a model folder before transformers.js sees it. from_pretrained reports missing files
 * vaguely, and a missing `_data` file makes it hang after an unhandled rejection
 * (docs/engine-notes.md pitfall 7), so every file it will open is checked here first, and each
 * problem names the file and the reason.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { ModelFilesError } from './errors';
import { DTYPE_SUFFIX } from './graph/modelFiles';

/** Decoder architectures (config.json model_type) the engine supports: Llama-style chat models. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma3_text', 'gemma3', 'smollm3'];

/** What the check learnt about a loadable folder. */
export interface ModelFolderInfo {
  readonly dir: string;
  readonly modelType: string;
  /** Path of the ONNX graph for the dtype, inside dir. */
  readonly onnxPath: string;
  /** External data files the graph references (relative to the onnx folder). */
  readonly externalData: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
}

/** File names (relative to the model folder) the dtype needs, external data included. */
export function modelFileNames(config: Readonly<Record<string, unknown>>, dtype: string): string[] {
  const suffix = DTYPE_SUFFIX[dtype];
  if (suffix === undefined) throw new ModelFilesError('config.json', `unknown dtype '${dtype}' (known: ${Object.keys(DTYPE_SUFFIX).join(', ')})`);
  const file = `model${suffix}.onnx`;
  const names = [`onnx/${file}`];
  for (let i = 0; i < externalChunks(config, file); i++) names.push(`onnx/${file}_data${i === 0 ? '' : `_${i}`}`);
  return names;
}

/** Number of `_data` chunks transformers.js expects for a model file (its use_external_data_format rule). */
function externalChunks(config: Readonly<Record<string, unknown>>, file: string): number {
  const tjs = config['transformers.js_config'];
  const flag = tjs !== null && typeof tjs === 'object' ? (tjs as Record<string, unknown>)['use_external_data_format'] : undefined;
  if (flag === undefined || flag === null || flag === false) return 0;
  if (typeof flag === 'object') {
    const f = flag as Record<string, unknown>;
    const v = f[file] ?? f['model'];
    return v === undefined ? 0 : Number(v);
  }
  return Number(flag);
}

function readJson(dir: string, name: string): Record<string, unknown> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new ModelFilesError(path, 'file is missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelFilesError(path, `not valid JSON (${(e as Error).message}); the file may be truncated`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ModelFilesError(path, 'expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** Checks config, tokenizer, the ONNX graph and its external data; throws ModelFilesError naming the file. */
export function checkModelFolder(dir: string, dtype: string): ModelFolderInfo {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelFilesError(dir, 'model folder does not exist');
  const config = readJson(dir, 'config.json');
  const modelType = typeof config['model_type'] === 'string' ? config['model_type'] : '';
  if (!SUPPORTED_MODEL_TYPES.includes(modelType)) {
    const arch = Array.isArray(config['architectures']) ? ` (${(config['architectures'] as unknown[]).join(', ')})` : '';
    throw new ModelFilesError(
      join(dir, 'config.json'),
      `model_type '${modelType || '(none)'}'${arch} is not a supported decoder architecture (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
    );
  }
  readJson(dir, 'tokenizer.json');
  readJson(dir, 'tokenizer_config.json');
  const [graphName, ...dataNames] = modelFileNames(config, dtype);
  const onnxPath = join(dir, graphName as string);
  if (!existsSync(onnxPath)) {
    throw new ModelFilesError(onnxPath, `file is missing (dtype '${dtype}' needs it; ask for another dtype if the folder holds a different one)`);
  }
  for (const d of dataNames) {
    if (!existsSync(join(dir, d))) throw new ModelFilesError(join(dir, d), 'external data file is missing (config.json sets use_external_data_format)');
  }
  const bytes = readFileSync(onnxPath);
  if (bytes.length === 0) throw new ModelFilesError(onnxPath, 'file is empty');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelFilesError(onnxPath, `not a readable ONNX model; the file may be truncated (${(e as Error).message})`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) throw new ModelFilesError(onnxPath, 'ONNX model has no graph nodes; the file may be truncated');
  const externalData = checkExternalData(model, join(dir, 'onnx'));
  return { dir, modelType, onnxPath, externalData, config };
}

/** Every externally stored initializer must lie inside its data file. */
function checkExternalData(model: onnx.ModelProto, onnxDir: string): string[] {
  const sizes = new Map<string, number>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const kv = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
    const location = kv.get('location') ?? '';
    const path = join(onnxDir, location);
    if (!sizes.has(location)) {
      if (!location || !existsSync(path)) throw new ModelFilesError(path, `external data file is missing (needed by initializer '${t.name}')`);
      sizes.set(location, statSync(path).size);
    }
    const end = Number(kv.get('offset') ?? 0) + Number(kv.get('length') ?? 0);
    const size = sizes.get(location) as number;
    if (end > size) throw new ModelFilesError(path, `external data file is truncated (${size} bytes, initializer '${t.name}' needs ${end})`);
  }
  return [...sizes.keys()];
}
