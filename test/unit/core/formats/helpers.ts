// Shared by the format tests: fixture paths and the range invariants every parse result must keep.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PART_SEPARATOR, type ParseResult, type TextRange, type Turn, type TurnPart, type YamlEncoding } from '../../../../src/core/transcript';
import { unquoteYaml } from '../../../../src/core/formats/yamlText';

/** The repository root: the nearest folder above the working directory holding package.json. */
export function repoRoot(): string {
  let dir = process.cwd();
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`No package.json above ${process.cwd()}`);
    dir = up;
  }
  return dir;
}

/** The text of a fixture in test/fixtures/formats. */
export function fixture(name: string): string {
  return readFileSync(join(repoRoot(), 'test', 'fixtures', 'formats', name), 'utf8');
}

/** The source text a span stands for, decoded by its encoding; undefined when it does not decode. */
function decode(text: string, range: TextRange, encoding: 'verbatim' | 'json-string' | YamlEncoding): string | undefined {
  const slice = text.slice(range.start, range.end);
  if (encoding === 'verbatim') return slice;
  try {
    if (encoding === 'yaml') {
      // A YAML scalar read on its own (the yaml library, not the format's code).
      const v: unknown = parseYaml(slice);
      return typeof v === 'string' ? v : undefined;
    }
    const json = encoding === 'json-string' ? slice : unquoteYaml(slice, 0, slice.length, encoding === 'yaml-single-json' ? 'single' : 'double')?.text;
    if (json === undefined) return undefined;
    const v: unknown = JSON.parse('"' + json + '"');
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function rangeProblem(text: string, r: TextRange, what: string): string | undefined {
  const ok = Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 0 && r.start <= r.end && r.end <= text.length;
  return ok ? undefined : `${what}: range [${r.start}, ${r.end}) outside text of length ${text.length}`;
}

function partProblems(text: string, p: TurnPart, what: string): string[] {
  const out: string[] = [];
  const rp = rangeProblem(text, p.range, what);
  if (rp) return [rp];
  if (p.encoding === 'placeholder') {
    if (!/^\[[^\]]*\]$/.test(p.text)) out.push(`${what}: placeholder text ${JSON.stringify(p.text)} is not "[type]"`);
  } else if (p.encoding === 'toolCall') {
    if (!isRenderedCall(p.text)) out.push(`${what}: tool call text ${JSON.stringify(p.text.slice(0, 80))} is not {"name", "arguments"}`);
  } else if (decode(text, p.range, p.encoding) !== p.text) {
    out.push(`${what}: text does not equal its ${p.encoding} slice`);
  }
  return out;
}

function isRenderedCall(s: string): boolean {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && 'arguments' in v;
  } catch {
    return false;
  }
}

function turnProblems(text: string, t: Turn, what: string): string[] {
  const rp = rangeProblem(text, t.range, what);
  if (rp) return [rp];
  const encoding = t.encoding ?? 'verbatim';
  if (encoding !== 'parts') return decode(text, t.range, encoding) === t.text ? [] : [`${what}: text does not equal its ${encoding} slice`];
  const parts = t.parts ?? [];
  const out = parts.flatMap((p, i) => partProblems(text, p, `${what} part ${i}`));
  if (parts.length === 0) out.push(`${what}: encoding "parts" without parts`);
  if (parts.map((p) => p.text).join(PART_SEPARATOR) !== t.text) out.push(`${what}: text is not its parts joined`);
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first && last && (first.range.start !== t.range.start || last.range.end !== t.range.end)) out.push(`${what}: range does not span its parts`);
  return out;
}

/**
 * Every invariant a parse result must keep, as readable problems (empty when all hold): ranges in
 * the text, and each turn's text equal to its source slice after the format's unescaping.
 */
export function invariantProblems(text: string, result: ParseResult): string[] {
  const out: string[] = [];
  result.conversations.forEach((c, ci) => {
    if (c.range) {
      const rp = rangeProblem(text, c.range, `conversation ${ci}`);
      if (rp) out.push(rp);
    }
    if (c.system) out.push(...turnProblems(text, c.system, `conversation ${ci} system`));
    c.turns.forEach((t, ti) => out.push(...turnProblems(text, t, `conversation ${ci} turn ${ti}`)));
  });
  result.diagnostics.forEach((d, i) => {
    const rp = rangeProblem(text, d.range, `diagnostic ${i} (${d.code})`);
    if (rp) out.push(rp);
    if (d.code === 'internal-error') out.push(`internal error: ${d.message}`);
  });
  return out;
}

/** The source slice of a range. */
export function slice(text: string, r: TextRange): string {
  return text.slice(r.start, r.end);
}
