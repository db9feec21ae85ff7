// File-level facts about a transformers.js model folder: which onnx file a dtype loads, which files hold its
// external data, and content hashes for the instrumentation cache key.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** transformers.js v4 file suffix per dtype (onnx/model<suffix>.onnx). */
export const DTYPE_SUFFIX: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** File name transformers.js loads for `dtype`, e.g. 'model_fp16.onnx'. */
export function onnxFileName(dtype: string): string {
  // Own properties only: "constructor" must not find Object.prototype.constructor.
  const suffix = Object.hasOwn(DTYPE_SUFFIX, dtype) ? DTYPE_SUFFIX[dtype] : undefined;
  if (suffix === undefined)
    throw new RangeError(`unknown dtype '${dtype}' (known: ${Object.keys(DTYPE_SUFFIX).join(', ')})`);
  return `model${suffix}.onnx`;
}

export interface DataFileStamp {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * External-data files that belong to `fileName` in `dir` by the two naming conventions in use
 * (transformers.js `<file>_data`, `<file>_data_1`, ...; genai builder `<file>.data`), stamped by size and mtime.
 */
export function externalDataStamps(dir: string, fileName: string): DataFileStamp[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f !== fileName && (f.startsWith(`${fileName}_data`) || f.startsWith(`${fileName}.data`)))
    .sort()
    .map((name) => {
      const st = statSync(join(dir, name));
      return { name, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
    });
}

/** SHA-256 (hex) of a file, streamed so large single-file models are not held in memory for the hash. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash, signal ? { signal } : {});
  return hash.digest('hex');
}

/** SHA-256 (hex) of a string or bytes. */
export function sha256Text(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * SHA-256 of `path`, remembered in `<cacheDir>/source-hashes.json` under its absolute path, size and
 * mtime: hashing a 1.4 GB embedded-weight graph takes seconds at every worker start otherwise.
 */
export async function rememberedSha256(
  path: string,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<string> {
  const st = statSync(path);
  const stamp = `${st.size}:${Math.trunc(st.mtimeMs)}`;
  const indexPath = join(cacheDir, 'source-hashes.json');
  let index: Record<string, { stamp: string; sha256: string }> = {};
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8')) as typeof index;
  } catch {
    index = {};
  }
  const known = index[path];
  if (known?.stamp === stamp && /^[0-9a-f]{64}$/.test(known.sha256)) return known.sha256;
  const sha256 = await sha256File(path, signal);
  index[path] = { stamp, sha256 };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${indexPath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(index));
  renameSync(tmp, indexPath);
  return sha256;
}
