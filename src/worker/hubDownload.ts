/**
 * Fetches a Hugging Face model id into a local cache folder. transformers.js downloads files only
 * while it builds the inference session, but the engine needs the files on disk first: to check
 * them (modelFiles.ts) and to rewrite the graph (graph/instrument.ts). So this fetches the files
 * from transformers.js's `env.remoteHost` + `env.remotePathTemplate` into the same layout its
 * FileCache uses under `env.cacheDir` (`<cacheDir>/<model id>/<file>` for revision main), and the
 * resulting folder is then loaded as a local model.
 *
 * Every file is verified before it is put in place, the way huggingface_hub reads a file's metadata
 * (get_hf_file_metadata): a HEAD request with `Accept-Encoding: identity` that does not follow the
 * redirect to the CDN, whose `X-Linked-Etag` / `X-Linked-Size` (LFS files: the sha256 and size of
 * the content) or else `ETag` / `Content-Length` (small files: the git blob SHA-1) say what the file
 * must be. The body goes to `<file>.<etag>.part`, is resumed with a Range request after a cut, fails
 * after a stall without data, and is renamed to `<file>` only when its size and hash match. So a
 * file in the cache is always a verified one, and a cached file is used as it is (offline too).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { printable } from '../core/report/format';
import { CancelledError, EngineError, throwIfAborted } from '../protocol/errors';
import { modelFileNames, readModelConfig } from '../model/folder';
import { cachedModelDir, DEFAULT_STALL_TIMEOUT_MS } from '../model/hubIds';

/** One progress report while a file downloads (bytes; total 0 when the size is not known). */
export interface DownloadProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number;
}

/** Attempts per file when the connection is cut mid-body; each resumes where the last stopped. */
const ATTEMPTS = 3;

export interface DownloadOptions {
  readonly cacheDir: string;
  readonly dtype: string;
  /** Hub base URL, e.g. 'https://huggingface.co/'; the path template is '{model}/resolve/{revision}/'. */
  readonly remoteHost: string;
  readonly remotePathTemplate?: string;
  readonly revision?: string;
  /** When true nothing is fetched: the model must already be in the cache. */
  readonly offline: boolean;
  /** Milliseconds without a byte (or without response headers) after which a request fails. */
  readonly stallTimeoutMs?: number;
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly signal?: AbortSignal;
}

/** Files beside the graph: required ones first; optional ones may be absent on the hub. */
const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL = ['special_tokens_map.json', 'generation_config.json'];

/** Makes sure every file the model needs is in the cache, downloading what is missing; returns the folder. */
export async function ensureHubModel(modelId: string, o: DownloadOptions): Promise<string> {
  const revision = o.revision ?? 'main';
  const dir = cachedModelDir(o.cacheDir, modelId, revision);
  const fetchOne = async (file: string, required: boolean): Promise<void> => {
    // Only verified files are ever renamed into place, so one that is there is complete.
    if (existsSync(join(dir, file))) return;
    throwIfAborted(o.signal);
    if (o.offline) {
      if (!required) return;
      throw new EngineError('download', `${modelId}: ${file} is not in the cache (${join(dir, file)}) and downloads are off (offline)`);
    }
    await download({ modelId, file, dest: join(dir, file), required, revision }, o);
  };
  await fetchOne('config.json', true);
  // Read with its numbers bounded: config.json decides how many files are fetched next.
  const config = readModelConfig(dir);
  for (const f of [...REQUIRED.slice(1), ...modelFileNames(config, o.dtype, join(dir, 'config.json'))]) await fetchOne(f, true);
  for (const f of OPTIONAL) await fetchOne(f, false);
  return dir;
}

interface Target {
  readonly modelId: string;
  readonly file: string;
  readonly dest: string;
  readonly required: boolean;
  readonly revision: string;
}

/** What the hub says a file must be. */
interface FileMetadata {
  /** Where the body comes from (the CDN location of an LFS file, else the resolve URL). */
  readonly url: string;
  /** 'sha256' for LFS files, 'git-sha1' (git blob id) for small files. */
  readonly algorithm: 'sha256' | 'git-sha1';
  readonly digest: string;
  /** Bytes, when the hub says. */
  readonly size: number | null;
}

/** Raised inside a transfer when no byte came for the stall timeout. */
class StallError extends Error {}

async function download(t: Target, o: DownloadOptions): Promise<void> {
  const template = o.remotePathTemplate ?? '{model}/resolve/{revision}/';
  const base = o.remoteHost.endsWith('/') ? o.remoteHost : `${o.remoteHost}/`;
  const url = base + template.replaceAll('{model}', t.modelId).replaceAll('{revision}', encodeURIComponent(t.revision)) + t.file;
  const meta = await fileMetadata(t, url, o);
  if (!meta) return;
  mkdirSync(dirname(t.dest), { recursive: true });
  // Named by the published hash: a partial file of an older version of the file is never resumed.
  const part = `${t.dest}.${meta.digest.slice(0, 16)}.part`;
  let restartedAfterMismatch = false;
  for (let attempt = 1; ; attempt++) {
    let resumed: boolean;
    try {
      ({ resumed } = await transfer(t, meta, part, o));
    } catch (e) {
      if (o.signal?.aborted) throw new CancelledError('download');
      if (e instanceof CutError && attempt < ATTEMPTS) continue;
      if (e instanceof EngineError) throw e;
      throw new EngineError('download', `${t.modelId}: downloading ${t.file} failed (${printable((e as Error).message, 300)})`);
    }
    const problem = await verify(part, meta, o.signal);
    if (problem === null) break;
    rmSync(part, { force: true });
    // A resumed file that does not verify may hold a bad earlier piece: one fresh download, then give up.
    if (resumed && !restartedAfterMismatch) {
      restartedAfterMismatch = true;
      continue;
    }
    throw new EngineError('download', `${t.modelId}: ${t.file} ${problem}; the download was discarded (the hub or a proxy sent other bytes than it published)`);
  }
  renameSync(part, t.dest);
}

/** Aborts when the caller's signal does, or when `touch` is not called for `ms`. */
function stallGuard(ms: number, outer: AbortSignal | undefined): { signal: AbortSignal; touch: () => void; stop: () => void } {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(new StallError(`no data for ${Number((ms / 1000).toFixed(1))} s`)), ms);
  };
  touch();
  const signal = outer ? AbortSignal.any([outer, ac.signal]) : ac.signal;
  return { signal, touch, stop: () => clearTimeout(timer) };
}

/** The file's expected hash and size from a HEAD request (huggingface_hub's rules); null for an optional file the hub lacks. */
async function fileMetadata(t: Target, url: string, o: DownloadOptions): Promise<FileMetadata | null> {
  let current = url;
  for (let hop = 0; hop < 5; hop++) {
    const guard = stallGuard(o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, o.signal);
    let res: Response;
    try {
      res = await fetch(current, { method: 'HEAD', redirect: 'manual', headers: { 'accept-encoding': 'identity' }, signal: guard.signal });
    } catch (e) {
      throwIfAborted(o.signal);
      const why = guard.signal.reason instanceof StallError ? guard.signal.reason.message : printable((e as Error).message, 300);
      throw new EngineError('download', `${t.modelId}: cannot fetch ${url} (${why})`);
    } finally {
      guard.stop();
    }
    if (res.status === 404 && !t.required) return null;
    const linkedEtag = res.headers.get('x-linked-etag');
    const location = res.headers.get('location');
    const redirect = res.status >= 300 && res.status < 400 && location !== null;
    // A relative redirect is the hub's own (a renamed repository): follow it for the metadata.
    if (redirect && linkedEtag === null && location.startsWith('/')) {
      current = new URL(location, current).toString();
      continue;
    }
    if (!redirect && !res.ok) throw new EngineError('download', `${t.modelId}: ${current} answered HTTP ${res.status}`);
    const etag = (linkedEtag ?? res.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
    const sizeHeader = res.headers.get('x-linked-size') ?? (redirect ? null : res.headers.get('content-length'));
    const size = sizeHeader !== null && /^\d{1,16}$/.test(sizeHeader.trim()) ? Number(sizeHeader) : null;
    const algorithm = /^[0-9a-f]{64}$/.test(etag) ? 'sha256' : /^[0-9a-f]{40}$/.test(etag) ? 'git-sha1' : null;
    if (!algorithm) {
      throw new EngineError(
        'download',
        `${t.modelId}: ${current} publishes no checksum for ${t.file} (ETag ${etag ? `"${printable(etag, 80)}"` : 'missing'}; expected a sha256 or git blob id, as the Hugging Face hub sends), so it cannot be verified and is not downloaded`,
      );
    }
    return { url: redirect ? new URL(location, current).toString() : current, algorithm, digest: etag, size };
  }
  throw new EngineError('download', `${t.modelId}: ${url} redirects too often`);
}

/** The connection ended before the body did; the next attempt resumes. */
class CutError extends Error {}

/**
 * Appends the file's remaining bytes to `part` (resuming with a Range request when part has some);
 * resolves with whether it resumed. A cut connection throws CutError and keeps part for the next
 * attempt; a stall or an HTTP error throws EngineError (part kept after a stall, to resume later).
 */
async function transfer(t: Target, meta: FileMetadata, part: string, o: DownloadOptions): Promise<{ resumed: boolean }> {
  let have = existsSync(part) ? statSync(part).size : 0;
  if (meta.size !== null && have > meta.size) {
    rmSync(part, { force: true });
    have = 0;
  }
  if (meta.size !== null && have === meta.size) return { resumed: have > 0 };
  const guard = stallGuard(o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, o.signal);
  const stalled = (): string | null => (guard.signal.reason instanceof StallError ? guard.signal.reason.message : null);
  try {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (have > 0) headers['range'] = `bytes=${have}-`;
    let res: Response;
    try {
      res = await fetch(meta.url, { headers, signal: guard.signal });
    } catch (e) {
      throwIfAborted(o.signal);
      const why = stalled();
      if (why) throw new EngineError('download', `${t.modelId}: ${t.file}: the hub did not answer (${why})`);
      throw new CutError(printable((e as Error).message, 300));
    }
    // A compressed answer (a server that ignores Accept-Encoding: identity) is decoded by fetch;
    // Range counts bytes on the wire, so only an uncompressed 206 from the asked offset is appended.
    const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    const rangeStart = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
    const append = have > 0 && res.status === 206 && !encoded && rangeStart !== undefined && Number(rangeStart) === have;
    if (!append && res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      if (have > 0 && (res.status === 206 || res.status === 416)) {
        // The resume was refused or answered oddly: start the file over.
        rmSync(part, { force: true });
        throw new CutError(`the hub answered the request to resume from byte ${have} with HTTP ${res.status}`);
      }
      throw new EngineError('download', `${t.modelId}: ${meta.url} answered HTTP ${res.status}`);
    }
    if (!res.body) throw new EngineError('download', `${t.modelId}: ${meta.url} sent no body`);
    let loaded = append ? have : 0;
    const total = meta.size ?? 0;
    const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
    o.onProgress?.({ file: t.file, loaded, total });
    let failure: unknown = null;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        guard.touch();
        loaded += chunk.length;
        if (meta.size !== null && loaded > meta.size) {
          throw new EngineError('download', `${t.modelId}: ${t.file} is longer than the ${meta.size} bytes the hub published`);
        }
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        o.onProgress?.({ file: t.file, loaded, total });
      }
    } catch (e) {
      failure = e;
    }
    // What arrived stays in part (flushed), so a cut, a stall or a cancel resumes from there next time.
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (failure !== null) {
      throwIfAborted(o.signal);
      if (failure instanceof EngineError) {
        rmSync(part, { force: true });
        throw failure;
      }
      const why = stalled();
      if (why) throw new EngineError('download', `${t.modelId}: ${t.file} stalled after ${loaded} bytes (${why}); run again to resume it`);
      throw new CutError(printable((failure as Error).message, 300));
    }
    if (meta.size !== null && loaded < meta.size) throw new CutError(`${t.file} ended after ${loaded} of ${meta.size} bytes`);
    return { resumed: append };
  } finally {
    guard.stop();
  }
}

/** Null when `part` has the published size and hash; else what differs. */
async function verify(part: string, meta: FileMetadata, signal: AbortSignal | undefined): Promise<string | null> {
  const size = statSync(part).size;
  if (meta.size !== null && size !== meta.size) return `is ${size} bytes, the hub published ${meta.size}`;
  let hash: Hash;
  if (meta.algorithm === 'sha256') hash = createHash('sha256');
  else {
    // A git blob id is the SHA-1 of "blob <size>\0" followed by the content.
    hash = createHash('sha1');
    hash.update(`blob ${size}\0`);
  }
  try {
    await pipeline(createReadStream(part), hash, signal ? { signal } : {});
  } catch (e) {
    throwIfAborted(signal);
    throw e;
  }
  const digest = hash.digest('hex');
  if (digest === meta.digest) return null;
  return `has ${meta.algorithm} ${digest.slice(0, 16)}…, the hub published ${meta.digest.slice(0, 16)}…`;
}
