/**
 * Fetches a Hugging Face model id into a local cache folder. transformers.js downloads files only
 * while it builds the inference session, but the engine needs the files on disk first: to check
 * them (modelFiles.ts) and to rewrite the graph (graph/instrument.ts). So this fetches the files
 * from transformers.js's `env.remoteHost` + `env.remotePathTemplate` into the same layout its
 * FileCache uses under `env.cacheDir` (`<cacheDir>/<model id>/<file>` for revision main), and the
 * resulting folder is then loaded as a local model.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EngineError, throwIfAborted } from './errors';
import { modelFileNames } from './modelFiles';

/** One progress report while a file downloads (bytes; total 0 when the server sends no length). */
export interface DownloadProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number;
}

export interface DownloadOptions {
  readonly cacheDir: string;
  readonly dtype: string;
  /** Hub base URL, e.g. 'https://huggingface.co/'; the path template is '{model}/resolve/{revision}/'. */
  readonly remoteHost: string;
  readonly remotePathTemplate?: string;
  readonly revision?: string;
  /** When true nothing is fetched: the model must already be in the cache. */
  readonly offline: boolean;
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly signal?: AbortSignal;
}

/** Files beside the graph: required ones first; optional ones may be absent on the hub. */
const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL = ['special_tokens_map.json', 'generation_config.json'];

/** Whether a string looks like a hub model id ("org/name" or "name"), not a filesystem path. */
export function isHubModelId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(s) && !s.includes('..');
}

/** Folder the model id lives in inside cacheDir (transformers.js FileCache layout). */
export function cachedModelDir(cacheDir: string, modelId: string, revision = 'main'): string {
  return revision === 'main' ? join(cacheDir, modelId) : join(cacheDir, modelId, revision);
}

/** Makes sure every file the model needs is in the cache, downloading what is missing; returns the folder. */
export async function ensureHubModel(modelId: string, o: DownloadOptions): Promise<string> {
  const revision = o.revision ?? 'main';
  const dir = cachedModelDir(o.cacheDir, modelId, revision);
  const fetchOne = async (file: string, required: boolean): Promise<void> => {
    if (existsSync(join(dir, file))) return;
    throwIfAborted(o.signal);
    if (o.offline) {
      if (!required) return;
      throw new EngineError('download', `${modelId}: ${file} is not in the cache (${join(dir, file)}) and downloads are off (offline)`);
    }
    await download(modelId, file, join(dir, file), required, revision, o);
  };
  for (const f of REQUIRED.slice(0, 1)) await fetchOne(f, true);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new EngineError('download', `${modelId}: cached config.json is unreadable (${(e as Error).message})`);
  }
  for (const f of [...REQUIRED.slice(1), ...modelFileNames(config, o.dtype)]) await fetchOne(f, true);
  for (const f of OPTIONAL) await fetchOne(f, false);
  return dir;
}

async function download(modelId: string, file: string, dest: string, required: boolean, revision: string, o: DownloadOptions): Promise<void> {
  const template = o.remotePathTemplate ?? '{model}/resolve/{revision}/';
  const base = o.remoteHost.endsWith('/') ? o.remoteHost : `${o.remoteHost}/`;
  const url = base + template.replaceAll('{model}', modelId).replaceAll('{revision}', encodeURIComponent(revision)) + file;
  let res: Response;
  try {
    res = await fetch(url, o.signal ? { signal: o.signal } : {});
  } catch (e) {
    throwIfAborted(o.signal);
    throw new EngineError('download', `${modelId}: cannot fetch ${url} (${(e as Error).message})`);
  }
  if (res.status === 404 && !required) return;
  if (!res.ok || !res.body) throw new EngineError('download', `${modelId}: ${url} answered HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  mkdirSync(dirname(dest), { recursive: true });
  // Written under a temporary name and renamed at the end, so a cut download never looks complete.
  const tmp = `${dest}.part${process.pid}`;
  const out = createWriteStream(tmp);
  let loaded = 0;
  try {
    o.onProgress?.({ file, loaded: 0, total });
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      throwIfAborted(o.signal);
      loaded += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      o.onProgress?.({ file, loaded, total });
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (total > 0 && loaded !== total) throw new EngineError('download', `${modelId}: ${file} ended after ${loaded} of ${total} bytes`);
    renameSync(tmp, dest);
  } catch (e) {
    out.destroy();
    rmSync(tmp, { force: true });
    throwIfAborted(o.signal);
    if (e instanceof EngineError) throw e;
    throw new EngineError('download', `${modelId}: downloading ${file} failed (${(e as Error).message})`);
  }
}
