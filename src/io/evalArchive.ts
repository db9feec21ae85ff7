/**
 * Reading Inspect AI `.eval` logs (zip archives) on Node, for the CLI and the extension. Entries are
 * read lazily with yauzl: listing samples reads only the central directory and header.json, and
 * opening a sample inflates only that sample's entries, so logs of hundreds of MB stay cheap.
 */
import yauzl from 'yauzl';
import { evalSampleDocument, evalSampleEntries, type EvalSampleEntry } from '../core/formats';

/** A sample entry larger than this is refused (a document that size is no use in an editor). */
export const MAX_SAMPLE_BYTES = 64 * 1024 * 1024;

/** What a `.eval` archive holds: its header and its samples, in id then epoch order. */
export interface EvalArchiveIndex {
  readonly header: unknown;
  readonly samples: readonly EvalSampleEntry[];
}

/** Lists the samples of a `.eval` file. Rejects with a readable message when it is not a readable zip. */
export async function listEvalSamples(path: string): Promise<EvalArchiveIndex> {
  return withArchive(path, async (zip) => {
    const header = (await readJson(zip, 'header.json')) ?? (await readJson(zip, '_journal/start.json'));
    return { header, samples: evalSampleEntries(zip.entries.keys()) };
  });
}

/** The read-only document text of one sample (see `evalSampleDocument`). */
export async function readEvalSampleDocument(
  path: string,
  sample: Pick<EvalSampleEntry, 'shape' | 'entry'>,
): Promise<string> {
  return withArchive(path, async (zip) => {
    const header = (await readJson(zip, 'header.json')) ?? (await readJson(zip, '_journal/start.json'));
    if (sample.shape === 'monolith') {
      const json = await readJson(zip, sample.entry);
      if (json === undefined) throw new Error(`${path} has no entry ${sample.entry}`);
      return evalSampleDocument(header, json);
    }
    // Chunked samples: a shell, message chunks and attachment chunks, each named by its first index.
    const shell = await readJson(zip, `${sample.entry}sample.json`);
    const messages = (await readChunks(zip, `${sample.entry}messages/`)).flat();
    const attachments = (await readChunks(zip, `${sample.entry}attachments/`)).flat();
    const body = { ...(isObject(shell) ? shell : {}), messages };
    return evalSampleDocument(header, body, (key) => {
      const v = /^\d+$/.test(key) ? attachments[Number(key)] : undefined;
      return typeof v === 'string' ? v : undefined;
    });
  });
}

interface Archive {
  readonly zip: yauzl.ZipFile;
  readonly entries: Map<string, yauzl.Entry>;
}

async function withArchive<T>(path: string, use: (a: Archive) => Promise<T>): Promise<T> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, z) =>
      err || !z ? reject(readable(err)) : resolve(z),
    );
  });
  try {
    const entries = await new Promise<Map<string, yauzl.Entry>>((resolve, reject) => {
      const found = new Map<string, yauzl.Entry>();
      zip.on('entry', (e: yauzl.Entry) => {
        found.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('end', () => resolve(found));
      zip.on('error', (e: unknown) => reject(readable(e)));
      zip.readEntry();
    });
    return await use({ zip, entries });
  } finally {
    zip.close();
  }
}

async function readJson(a: Archive, name: string): Promise<unknown> {
  const entry = a.entries.get(name);
  if (!entry) return undefined;
  if (entry.uncompressedSize > MAX_SAMPLE_BYTES) {
    throw new Error(
      `${name} is ${Math.round(entry.uncompressedSize / (1024 * 1024))} MB uncompressed, over the ${MAX_SAMPLE_BYTES / (1024 * 1024)} MB limit for one sample`,
    );
  }
  const text = await new Promise<string>((resolve, reject) => {
    a.zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error(`cannot read ${name}`));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
    });
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(
      `${name} in the archive is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

/** The JSON arrays of a chunked sequence, in order of their first index. */
async function readChunks(a: Archive, prefix: string): Promise<unknown[][]> {
  const starts = [...a.entries.keys()]
    .filter((n) => n.startsWith(prefix) && /^\d+\.json$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length, -'.json'.length)))
    .sort((x, y) => x - y);
  const out: unknown[][] = [];
  for (const start of starts) {
    const chunk = await readJson(a, `${prefix}${start}.json`);
    out.push(Array.isArray(chunk) ? chunk : []);
  }
  return out;
}

function readable(err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  // Callers say which file; the message says what is wrong with it.
  return new Error(`not a readable Inspect .eval log (a zip archive): ${why}`, { cause: err });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
