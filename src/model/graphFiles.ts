// File-level facts about a transformers.js model folder: which onnx file a dtype loads, which files hold its
// external data, and content hashes for the instrumentation cache key.
import { createHash, randomBytes } from 'node:crypto';
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
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The folder under a Persona Lens cache folder that holds instrumented graphs and the source-hash index. */
export function instrumentedCacheDir(cacheDir: string): string {
  return join(cacheDir, 'instrumented');
}

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
 * What identifies one version of a file without reading it: size, mtime and ctime (nanoseconds), inode and
 * device. ctime moves on every write and cannot be set back (unlike mtime, which copy tools restore), and a
 * file replaced by another one gets another inode, so a changed file never matches an old stamp.
 */
export function fileStamp(path: string): string {
  const st = statSync(path, { bigint: true });
  return [st.size, st.mtimeNs, st.ctimeNs, st.ino, st.dev].join(':');
}

const HASH_INDEX = 'source-hashes.json';

interface HashIndexEntry {
  readonly stamp: string;
  readonly sha256: string;
}

function readHashIndex(indexPath: string): Record<string, HashIndexEntry> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(indexPath, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, HashIndexEntry>) : {};
  } catch {
    return {};
  }
}

/**
 * SHA-256 of `path`, computed once per file version: remembered in `<cacheDir>/source-hashes.json` under
 * the absolute path with its fileStamp, so a later call (another process too) only stats the file. Hashing a
 * 652 MB graph takes about 2 s, at every CLI start otherwise. A hash is remembered only if the stamp was the
 * same before and after reading, so a file written while it was hashed is hashed again next time.
 */
export async function rememberedSha256(
  path: string,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; remembered: boolean }> {
  const abs = resolve(path);
  const stamp = fileStamp(abs);
  const indexPath = join(cacheDir, HASH_INDEX);
  const known = readHashIndex(indexPath)[abs];
  if (known?.stamp === stamp && /^[0-9a-f]{64}$/.test(known.sha256))
    return { sha256: known.sha256, remembered: true };
  const sha256 = await sha256File(abs, signal);
  if (fileStamp(abs) !== stamp) return { sha256, remembered: false };
  // Read again just before writing: another process may have added entries meanwhile. Entries of files
  // that are gone are dropped.
  const index = readHashIndex(indexPath);
  for (const f of Object.keys(index)) if (!existsSync(f)) delete index[f];
  index[abs] = { stamp, sha256 };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${indexPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(index));
  renameSync(tmp, indexPath);
  return { sha256, remembered: false };
}
