// Hub model ids and where their files live in the cache: read by the host (is this setting a hub id?)
// and by the worker (which downloads), so it sits outside both.
import { join } from 'node:path';

/** A download that receives no data for this long fails (a stalled server otherwise holds a load for minutes). */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** Whether a string looks like a hub model id ("org/name" or "name"), not a filesystem path. */
export function isHubModelId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(s) && !s.includes('..');
}

/** Folder the model id lives in inside cacheDir (transformers.js FileCache layout). */
export function cachedModelDir(cacheDir: string, modelId: string, revision = 'main'): string {
  return revision === 'main' ? join(cacheDir, modelId) : join(cacheDir, modelId, revision);
}
