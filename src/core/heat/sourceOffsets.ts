/**
 * Where each character of a turn's `text` sits in the file, so a token's [start, end) in the text
 * (what the engine scores) becomes a range of the document. JSON strings hold escapes (`\n`, `\"`,
 * `\u00e9`), so text and source differ in length and only a walk over the escapes lines them up.
 */
import { PART_SEPARATOR, type PartEncoding, type TextRange, type Turn } from '../transcript';

/**
 * Text character i is written at [start[i], end[i]) of the source. Characters with no source of
 * their own (part separators, rendered tool calls, placeholders) have empty spans.
 */
export interface SourceOffsets {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/**
 * The source span of text [from, to): from the first character with source text to the last one's
 * end; null when none has any (a token made of separators or placeholder text).
 */
export function sourceSpan(map: SourceOffsets, from: number, to: number): { start: number; end: number } | null {
  if (to > map.end.length) return null;
  let a = from;
  while (a < to && (map.end[a] as number) <= (map.start[a] as number)) a++;
  let b = to - 1;
  while (b > a && (map.end[b] as number) <= (map.start[b] as number)) b--;
  if (a >= to) return null;
  return { start: map.start[a] as number, end: map.end[b] as number };
}

/**
 * The source offset of every character of `turn.text` in `source`, or null when the turn's
 * encoding has no character-exact mapping here (YAML scalars) or the source no longer holds the
 * turn's text (the file changed since it was parsed).
 */
export function sourceOffsets(turn: Pick<Turn, 'text' | 'range' | 'encoding' | 'parts'>, source: string): SourceOffsets | null {
  const encoding = turn.encoding ?? 'verbatim';
  if (encoding !== 'parts') return pieceOffsets(turn.text, turn.range, encoding, source);
  const parts = turn.parts ?? [];
  const n = turn.text.length;
  const out = { start: new Int32Array(n), end: new Int32Array(n) };
  let at = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as NonNullable<Turn['parts']>[number];
    if (p > 0) {
      // The separator exists only in the text: an empty span where this part starts.
      for (let k = 0; k < PART_SEPARATOR.length && at < n; k++, at++) out.start[at] = out.end[at] = part.range.start;
    }
    const map = pieceOffsets(part.text, part.range, part.encoding, source);
    if (!map || at + part.text.length > n) return null;
    out.start.set(map.start, at);
    out.end.set(map.end, at);
    at += part.text.length;
  }
  return at === n ? out : null;
}

/** Offsets of one piece of text held at `range` with `encoding`; null when the source does not hold it. */
function pieceOffsets(text: string, range: TextRange, encoding: PartEncoding, source: string): SourceOffsets | null {
  if (range.start < 0 || range.end > source.length || range.end < range.start) return null;
  switch (encoding) {
    case 'verbatim':
    case 'yaml':
      return source.slice(range.start, range.end) === text ? identity(text.length, range.start) : null;
    case 'json-string':
      return jsonStringOffsets(text, range, source);
    case 'placeholder':
    case 'toolCall':
      // Not text of the file: "[image]" or a rendered call. Nothing to shade.
      return { start: new Int32Array(text.length).fill(range.end), end: new Int32Array(text.length).fill(range.end) };
    case 'yaml-single-json':
    case 'yaml-double-json':
      return null;
  }
}

function identity(length: number, from: number): SourceOffsets {
  const start = new Int32Array(length);
  const end = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    start[i] = from + i;
    end[i] = from + i + 1;
  }
  return { start, end };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Offsets of the unescaped value of the JSON string body at `range` (quotes excluded). Each escape
 * yields one UTF-16 unit (a `\uD83D\uDE00` pair yields two), credited to the escape's first character.
 */
export function jsonStringOffsets(text: string, range: TextRange, source: string): SourceOffsets | null {
  const out = { start: new Int32Array(text.length), end: new Int32Array(text.length) };
  let i = 0;
  let s = range.start;
  while (s < range.end) {
    if (i >= text.length) return null;
    const c = source.charCodeAt(s);
    let unit: number;
    let width: number;
    if (c !== 0x5c) {
      unit = c;
      width = 1;
    } else {
      const e = source[s + 1];
      if (e === undefined || s + 1 >= range.end) return null;
      if (e === 'u') {
        const hex = source.slice(s + 2, s + 6);
        if (s + 6 > range.end || !/^[0-9a-fA-F]{4}$/.test(hex)) return null;
        unit = parseInt(hex, 16);
        width = 6;
      } else {
        const v = SIMPLE_ESCAPES[e];
        if (v === undefined) return null;
        unit = v.charCodeAt(0);
        width = 2;
      }
    }
    if (text.charCodeAt(i) !== unit) return null;
    out.start[i] = s;
    out.end[i++] = s + width;
    s += width;
  }
  return i === text.length ? out : null;
}
