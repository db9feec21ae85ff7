// Loads and checks the probe set, and selects its quick or full part.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { canonicalJson } from '../canonicalJson';
import probesJson from './probes.json';
import { probeSetSchema } from './schema';
import type { ProbeSet, ProbeSetFile, ProbeSetSize } from './types';

/** Thrown when probe data is malformed or inconsistent. */
export class ProbeSetError extends Error {
  override readonly name = 'ProbeSetError';
}

/** Parses and cross-checks probe data (ids unique, quick ids known); `source` names it in errors. */
export function parseProbeSet(data: unknown, source = 'probes.json'): ProbeSetFile {
  const parsed = v.safeParse(probeSetSchema, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new ProbeSetError(`${source}: invalid probe set at ${path || '(root)'}: ${issue.message}`);
  }
  const file = parsed.output;
  const ids = new Set<string>();
  for (const p of file.probes) {
    if (ids.has(p.id)) throw new ProbeSetError(`${source}: duplicate probe id '${p.id}'`);
    ids.add(p.id);
  }
  for (const id of file.quick) if (!ids.has(id)) throw new ProbeSetError(`${source}: quick names unknown probe '${id}'`);
  return file;
}

/** Hex SHA-256 of the probe file's canonical JSON (object keys sorted). */
export function probeFileHash(file: ProbeSetFile): string {
  return createHash('sha256').update(canonicalJson(file)).digest('hex');
}

/** The probes of one size from a parsed file, in file order. */
export function selectProbes(file: ProbeSetFile, size: ProbeSetSize): ProbeSet {
  const quick = new Set(file.quick);
  return {
    size,
    version: file.version,
    hash: probeFileHash(file),
    probes: size === 'full' ? file.probes : file.probes.filter((p) => quick.has(p.id)),
  };
}

let cached: ProbeSetFile | undefined;

/** The project's probe set (bundled probes.json) of one size, parsed and checked once. */
export function loadProbeSet(size: ProbeSetSize): ProbeSet {
  cached ??= parseProbeSet(probesJson);
  return selectProbes(cached, size);
}

/** True for the names of the two sizes. */
export function isProbeSetSize(x: string): x is ProbeSetSize {
  return x === 'quick' || x === 'full';
}
