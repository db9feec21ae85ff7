/** `persona-lens models`: the model catalogue, with the dtypes shipped, sizes and cached axes. */
import { parseArgs } from 'node:util';
import { CATALOGUE, formatSize, SUPPORT_TEXT, type CatalogueEntry } from '../core/models/catalogue';
import { renderTable } from '../core/report/table';
import { cachedAxisDtypes } from '../engine/cachedAxes';
import { defaultCacheDir } from './context';
import { ExitCode, UsageError } from './exitCodes';

export const MODELS_USAGE = `Usage: persona-lens models [--format table|json] [--cache-dir DIR]

Lists the catalogue of small chat models with ONNX exports Persona Lens can download (--model ID):
architecture, export layout and whether the engine's graph rewrite covers it, the dtypes each ships
with download sizes, context length, licence, and which dtypes have an axis in the cache.
"unverified" marks a fact not read from the model's hub listing or card.

Options:
  --format F         table (default) or json
  --cache-dir DIR    where axes are looked for (default: ~/.cache/persona-lens)`;

/** Runs the models command; resolves with the exit code. */
export function runModels(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { format: { type: 'string', default: 'table' }, 'cache-dir': { type: 'string' } },
  });
  const format = values.format;
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`--format must be table or json, not "${format}"`);
  const cached = cachedAxisDtypes(values['cache-dir'] ?? defaultCacheDir());
  const axes = (e: CatalogueEntry): string[] => cached.get(e.id) ?? [];
  if (format === 'json') {
    const out = CATALOGUE.map((e) => ({ ...e, cachedAxisDtypes: axes(e) }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  const table = renderTable(CATALOGUE, [
    { header: 'model', cell: (e) => e.id },
    { header: 'arch', cell: (e) => `${e.architecture} ${e.parameters}` },
    { header: 'layout', cell: (e) => e.layout },
    { header: 'rewrite', cell: (e) => e.support },
    {
      header: 'dtypes (download)',
      cell: (e) =>
        e.files.map((f) => `${f.dtype} ${f.sizeMB === null ? '?' : formatSize(f.sizeMB)}`).join(', '),
    },
    {
      header: 'context',
      cell: (e) => (e.contextLength === null ? '?' : String(e.contextLength)),
      align: 'right',
    },
    { header: 'licence', cell: (e) => e.licence ?? '?' },
    { header: 'axis cached', cell: (e) => axes(e).join(', ') || '-' },
  ]);
  const legend = Object.entries(SUPPORT_TEXT)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  process.stdout.write(
    `${table}\n\n? = unverified (not read from the hub listing or model card). rewrite — ${legend}.\n`,
  );
  return Promise.resolve(ExitCode.ok);
}
