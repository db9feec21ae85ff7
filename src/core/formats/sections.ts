import type { TextRange } from '../transcript';

/** A text section between two markers, trimmed of surrounding whitespace. */
export function trimmedSpan(text: string, start: number, end: number): { text: string; range: TextRange } {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return { text: text.slice(s, e), range: { start: s, end: e } };
}

/** Line spans [start, end) without terminators, with the offset where the next line starts. */
export function* lineSpans(text: string, from = 0): Generator<{ start: number; end: number; next: number }> {
  let start = from;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    yield { start, end, next: nl + 1 };
    start = nl + 1;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff;
}
