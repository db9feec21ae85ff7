/** Which models have an axis in the cache (host side: reads `<cacheDir>/axes/*.axis.json`). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxisFile } from '../core/axis/axisFile';

/** A cached axis: the model id and dtype it was computed for. */
export interface CachedAxis {
  readonly modelId: string;
  readonly dtype: string;
  readonly path: string;
}

/**
 * Every readable axis file in the cache's axes folder. Axes are stored by graph hash, so the model id
 * and dtype come from inside each file; a file that does not parse is skipped (scoring reports it
 * when it is used). An absent folder means none.
 */
export function cachedAxes(cacheDir: string): CachedAxis[] {
  const dir = join(cacheDir, 'axes');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.axis.json'));
  } catch {
    return [];
  }
  const out: CachedAxis[] = [];
  for (const n of names.sort()) {
    const path = join(dir, n);
    try {
      const a = parseAxisFile(readFileSync(path, 'utf8'), path);
      out.push({ modelId: a.model.id, dtype: a.model.dtype, path });
    } catch {
      // Unreadable or malformed: not a usable cached axis.
    }
  }
  return out;
}

/** The dtypes with a cached axis, per model id. */
export function cachedAxisDtypes(cacheDir: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const a of cachedAxes(cacheDir)) m.set(a.modelId, [...(m.get(a.modelId) ?? []), a.dtype]);
  return m;
}
