/** `persona-lens prompts FILE...`: the system prompts found in source code and prompt files. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PROMPT_GLOBS, type FoundPrompt } from '../core/prompts';
import { firstWords } from '../core/report/format';
import { renderTable } from '../core/report/table';
import { offsetToPosition } from '../core/textPosition';
import { ExitCode, UsageError } from './exitCodes';
import { promptPlace, promptsOfFile } from './promptInput';

export const PROMPTS_USAGE = `Usage: persona-lens prompts FILE... [--glob G]... [--format table|json]

Lists the system prompts found in each file: string literals in TypeScript, JavaScript and Python
passed as a system message (role "system"/"developer", system:/system=, instructions:/instructions=,
system_prompt=, SystemMessage(...), ("system", "...") tuples), Prompty system sections, and prompt
files (${DEFAULT_PROMPT_GLOBS.join(', ')}, plus --glob). Each is numbered as FILE#N, the name
--system-file (probe) and --system-a-file/--system-b-file take. A prompt with run-time substitutions
(template literal, f-string) is marked "dynamic": its text shows them as written.

Options:
  --glob G           also read files matching G as prompt files (repeatable), e.g. "prompts/**/*.md"
  --format F         table (default) or json (ranges as UTF-16 offsets, positions 1-based)`;

/** Runs the prompts command; resolves with the exit code (2 when a file cannot be read). */
export async function runPrompts(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { glob: { type: 'string', multiple: true }, format: { type: 'string', default: 'table' } },
  });
  if (positionals.length === 0) throw new UsageError(`no file given\n\n${PROMPTS_USAGE}`);
  const format = values.format;
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not "${format}"`);
  const globs = [...DEFAULT_PROMPT_GLOBS, ...(values.glob ?? [])];
  let code: ExitCode = ExitCode.ok;
  const found: { file: string; text: string; prompts: readonly FoundPrompt[]; notes: readonly string[] }[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      code = ExitCode.badInput;
      continue;
    }
    const scan = await promptsOfFile(file, text, globs);
    for (const n of scan.notes) process.stderr.write(`${file}: note: ${n}\n`);
    found.push({ file, text, ...scan });
  }
  if (format === 'json') {
    const pos = (text: string, offset: number): { line: number; column: number } => {
      const p = offsetToPosition(text, offset);
      return { line: p.line + 1, column: p.column + 1 };
    };
    const out = found.flatMap((f) =>
      f.prompts.map((p, i) => ({
        id: `${f.file}#${i + 1}`,
        file: f.file,
        index: i + 1,
        language: p.language,
        via: p.via,
        static: p.static,
        ...(p.transform ? { transform: p.transform } : {}),
        start: pos(f.text, p.range.start),
        end: pos(f.text, p.range.end),
        range: p.range,
        literalRange: p.literalRange,
        ...(p.usedAt ? { usedAt: { ...p.usedAt, position: pos(f.text, p.usedAt.start) } } : {}),
        text: p.text,
      })),
    );
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return code;
  }
  const rows = found.flatMap((f) => f.prompts.map((p, i) => ({ f, p, i })));
  if (rows.length === 0) {
    process.stdout.write('no system prompts found\n');
    return code;
  }
  process.stdout.write(
    `${renderTable(rows, [
      { header: 'prompt', cell: (r) => `${r.f.file}#${r.i + 1}` },
      { header: 'at', cell: (r) => promptPlace(r.f.file, r.f.text, r.p).slice(r.f.file.length + 1) },
      { header: 'via', cell: (r) => r.p.via },
      { header: '', cell: (r) => (r.p.static ? '' : 'dynamic') },
      { header: 'text', cell: (r) => JSON.stringify(firstWords(r.p.text, 60)) },
    ])}\n`,
  );
  return code;
}
