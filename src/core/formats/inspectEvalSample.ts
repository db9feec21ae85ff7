/**
 * Inspect AI's `.eval` logs are zip archives (header.json, samples/<id>_epoch_<n>.json, ...). The
 * archive is read outside core (src/io/evalArchive.ts); this turns one sample into the text of a
 * read-only document: a one-sample Inspect JSON log (version, status, samples: [sample], eval) with
 * `attachment://` references resolved, which the "inspect-eval" format reads like any JSON log, so
 * turn ranges are exact in that document.
 */

/** Where a sample lives in a `.eval` archive. */
export interface EvalSampleEntry {
  /** The sample's id as written in its entry name ("1", "find-flag"). */
  readonly id: string;
  readonly epoch: number;
  /** "monolith": one entry samples/<id>_epoch_<n>.json; "chunked": a folder samples/<id>_epoch_<n>/ (Inspect 0.3.2xx+). */
  readonly shape: 'monolith' | 'chunked';
  /** The entry name (monolith) or folder prefix with a trailing slash (chunked). */
  readonly entry: string;
}

const MONOLITH = /^samples\/(.+)_epoch_(\d+)\.json$/;
const CHUNKED = /^samples\/(.+)_epoch_(\d+)\/sample\.json$/;

/** The samples named by a list of archive entry names, in id then epoch order (numeric ids numerically). */
export function evalSampleEntries(names: Iterable<string>): EvalSampleEntry[] {
  const out: EvalSampleEntry[] = [];
  for (const name of names) {
    const m = MONOLITH.exec(name);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      out.push({ id: m[1], epoch: Number(m[2]), shape: 'monolith', entry: name });
      continue;
    }
    const c = CHUNKED.exec(name);
    if (c?.[1] !== undefined && c[2] !== undefined)
      out.push({
        id: c[1],
        epoch: Number(c[2]),
        shape: 'chunked',
        entry: name.slice(0, -'sample.json'.length),
      });
  }
  const num = (s: string): number => (/^\d+$/.test(s) ? Number(s) : Number.NaN);
  return out.sort((a, b) => {
    const na = num(a.id);
    const nb = num(b.id);
    const byId = !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : a.id.localeCompare(b.id);
    return byId || a.epoch - b.epoch;
  });
}

/** The label a sample is shown with ("sample 3, epoch 1"). */
export function evalSampleLabel(s: Pick<EvalSampleEntry, 'id' | 'epoch'>): string {
  return `sample ${s.id}, epoch ${s.epoch}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ATTACHMENT = 'attachment://';
// Sample fields the document keeps: what the conversation is and how it was judged. Events (often
// most of a sample's bytes) stay in the archive, for Inspect's own viewer.
const KEPT = ['id', 'epoch', 'input', 'target', 'messages', 'scores', 'metadata', 'error'];

/**
 * The document text for one sample. `header` is the archive's header.json (or _journal/start.json
 * of a log still running), `sample` the sample's JSON; `attachments` resolves `attachment://<key>`
 * references (a sample's own "attachments" map is used when not given).
 */
export function evalSampleDocument(
  header: unknown,
  sample: unknown,
  attachments?: (key: string) => string | undefined,
): string {
  const s = isObject(sample) ? sample : {};
  const own = isObject(s.attachments) ? s.attachments : {};
  const lookup = attachments ?? ((key: string) => (typeof own[key] === 'string' ? own[key] : undefined));
  const kept: Record<string, Json> = {};
  for (const key of KEPT) {
    if (!(key in s)) continue;
    kept[key] = resolve(s[key] as Json, lookup);
  }
  const h = isObject(header) ? header : {};
  const doc: Record<string, Json> = {};
  for (const key of ['version', 'status']) if (key in h) doc[key] = h[key] as Json;
  // The conversation first: the header's eval spec (task, model, config, revision...) runs long.
  doc.samples = [kept];
  doc.eval = isObject(h.eval) ? (h.eval as Json) : {};
  return JSON.stringify(doc, null, 2) + '\n';
}

function resolve(value: Json, lookup: (key: string) => string | undefined): Json {
  if (typeof value === 'string') {
    if (!value.startsWith(ATTACHMENT)) return value;
    return lookup(value.slice(ATTACHMENT.length)) ?? value;
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, lookup));
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolve(v, lookup);
    return out;
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
