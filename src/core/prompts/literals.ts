/**
 * The value of a string literal as tree-sitter shows it: the text between its quotes, with escape
 * sequences replaced by their values and substitutions (`${...}`, f-string `{...}`) kept as parts.
 * Shared by the JavaScript-family and Python detectors; each says which node types are what.
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { TextRange } from '../transcript';
import { dedent } from './escapes';
import type { FoundPrompt, PromptLanguage, PromptPart } from './types';

/** A literal (or a concatenation of literals) with its value in parts. */
export interface Literal {
  readonly parts: readonly PromptPart[];
  readonly literalRange: TextRange;
  /** Ranges inside the literal that could not be given a value (an unknown escape, `\N{...}`); their source stands in. */
  readonly unresolved: number;
  readonly transform?: 'dedent';
}

/** How one language's string nodes look. */
export interface StringSyntax {
  /** Node types of escape sequences. */
  readonly escape: ReadonlySet<string>;
  /** Node types of substitutions. */
  readonly substitution: ReadonlySet<string>;
  /** Node types that stand for a literal brace (`{{` in an f-string). */
  readonly braceEscape: ReadonlySet<string>;
  /** The value of an escape sequence, or null when it has none. */
  readonly escapeValue: (seq: string) => string | null;
}

/**
 * The parts of one string node whose content runs over [start, end): text runs between
 * substitutions, each with its cooked value. `raw` keeps escapes as written (Python r-strings).
 */
export function stringParts(src: string, node: Node, start: number, end: number, syntax: StringSyntax, raw: boolean): { parts: PromptPart[]; unresolved: number } {
  const parts: PromptPart[] = [];
  let unresolved = 0;
  let runStart = start;
  let value = '';
  let at = start;
  const flush = (to: number): void => {
    value += src.slice(at, to);
    parts.push({ kind: 'text', range: { start: runStart, end: to }, text: value });
    value = '';
  };
  const visit = (n: Node): void => {
    for (const c of n.children) {
      if (!c || c.endIndex <= start || c.startIndex >= end) continue;
      if (syntax.substitution.has(c.type)) {
        flush(c.startIndex);
        parts.push({ kind: 'substitution', range: { start: c.startIndex, end: c.endIndex }, source: c.text });
        at = runStart = c.endIndex;
      } else if (!raw && syntax.escape.has(c.type)) {
        value += src.slice(at, c.startIndex);
        const v = syntax.escapeValue(c.text);
        if (v === null) unresolved++;
        value += v ?? c.text;
        at = c.endIndex;
      } else if (syntax.braceEscape.has(c.type)) {
        value += src.slice(at, c.startIndex) + c.text.slice(0, 1);
        at = c.endIndex;
      } else if (c.childCount > 0) visit(c);
    }
  };
  visit(node);
  flush(end);
  // Empty runs next to substitutions say nothing: drop them, but keep one part for "".
  const kept = parts.filter((p) => p.kind === 'substitution' || p.range.end > p.range.start);
  return { parts: kept.length > 0 ? kept : parts.slice(0, 1), unresolved };
}

/** The prompt text of a literal: its static parts with each substitution's source in its place. */
export function literalText(parts: readonly PromptPart[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : p.source)).join('');
}

/** True when the literal has no substitution. */
export function isStatic(parts: readonly PromptPart[]): boolean {
  return parts.every((p) => p.kind === 'text');
}

/** The content range of parts: first start to last end. */
export function contentRange(parts: readonly PromptPart[]): TextRange {
  const first = parts[0];
  const last = parts[parts.length - 1];
  return { start: first?.range.start ?? 0, end: last?.range.end ?? 0 };
}

/** Joins the literals of a concatenation (`"a" + "b"`, Python's `"a" "b"`); a non-literal operand becomes a substitution. */
export function concat(pieces: readonly (Literal | { readonly expression: Node })[]): Literal | null {
  if (!pieces.some((p) => 'parts' in p)) return null;
  const parts: PromptPart[] = [];
  let unresolved = 0;
  let start = Infinity;
  let end = -Infinity;
  for (const p of pieces) {
    if ('parts' in p) {
      parts.push(...p.parts);
      unresolved += p.unresolved;
      start = Math.min(start, p.literalRange.start);
      end = Math.max(end, p.literalRange.end);
    } else {
      parts.push({ kind: 'substitution', range: { start: p.expression.startIndex, end: p.expression.endIndex }, source: p.expression.text });
      start = Math.min(start, p.expression.startIndex);
      end = Math.max(end, p.expression.endIndex);
    }
  }
  return { parts, literalRange: { start, end }, unresolved };
}

/** A place where a literal is passed as a system prompt. */
export interface PromptSite {
  readonly literal: Literal;
  /** What marks it, e.g. `system:`. */
  readonly via: string;
  /** The identifier it is used through, when the literal is a constant's value. */
  readonly usedAt?: TextRange;
}

/** One prompt per literal (the first site that reaches it), in source order. */
export function promptsOfSites(sites: readonly PromptSite[], language: PromptLanguage): FoundPrompt[] {
  const seen = new Set<number>();
  const out: FoundPrompt[] = [];
  for (const f of sites) {
    if (seen.has(f.literal.literalRange.start)) continue;
    seen.add(f.literal.literalRange.start);
    const raw = literalText(f.literal.parts);
    out.push({
      language,
      via: f.via,
      text: f.literal.transform === 'dedent' ? dedent(raw) : raw,
      range: contentRange(f.literal.parts),
      literalRange: f.literal.literalRange,
      parts: f.literal.parts,
      static: isStatic(f.literal.parts) && f.literal.unresolved === 0,
      ...(f.usedAt ? { usedAt: f.usedAt } : {}),
      ...(f.literal.transform ? { transform: f.literal.transform } : {}),
    });
  }
  return out.sort((a, b) => a.literalRange.start - b.literalRange.start);
}

/** The operands of `a + b + c` (any nesting), each unwrapped. */
export function plusOperands(n: Node, isPlus: (x: Node) => boolean, unwrap: (x: Node) => Node): Node[] {
  const u = unwrap(n);
  if (!isPlus(u)) return [u];
  const l = u.childForFieldName('left');
  const r = u.childForFieldName('right');
  return [...(l ? plusOperands(l, isPlus, unwrap) : []), ...(r ? plusOperands(r, isPlus, unwrap) : [])];
}

/**
 * Every value a name is given in the file (declarations and later assignments): a name given one
 * value is a constant whose literal is the prompt; with several, which reaches a call is a run-time matter.
 */
export function definitions(root: Node, assigns: (n: Node) => { name: Node | null; value: Node | null } | null): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  const visit = (n: Node): void => {
    const a = assigns(n);
    if (a?.name?.type === 'identifier' && a.value) out.set(a.name.text, [...(out.get(a.name.text) ?? []), a.value]);
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(root);
  return out;
}
