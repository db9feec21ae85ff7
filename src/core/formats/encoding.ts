/** Default refusal threshold: a transcript larger than this is almost surely not meant for the editor view. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** UTF-8 byte length of `text`; returns early (a value above `limit`) when the text is surely longer. */
export function utf8Length(text: string, limit = Number.POSITIVE_INFINITY): number {
  // Every UTF-16 code unit takes at least one UTF-8 byte, and at most three.
  if (text.length > limit) return text.length;
  return exactUtf8Length(text);
}

function exactUtf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** What the text looks like byte-wise: fine, text with decode failures, or not text at all. */
export type EncodingCheck =
  | { readonly kind: 'text' }
  | { readonly kind: 'replacement'; readonly first: number; readonly count: number }
  | { readonly kind: 'binary'; readonly first: number; readonly reason: string };

const SNIFF = 8000;

/**
 * Git's heuristic (a NUL in the first 8000 characters means binary), plus U+FFFD, which a lenient
 * UTF-8 decoder (VS Code, TextDecoder, fs with "utf8") puts where bytes were not valid UTF-8.
 */
export function checkEncoding(text: string): EncodingCheck {
  const head = text.length > SNIFF ? text.slice(0, SNIFF) : text;
  const nul = head.indexOf('\u0000');
  if (nul >= 0) return { kind: 'binary', first: nul, reason: 'it contains NUL characters' };
  const first = text.indexOf('\uFFFD');
  if (first < 0) return { kind: 'text' };
  let count = 0;
  let headCount = 0;
  for (let i = first; i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    count++;
    if (i < SNIFF) headCount++;
  }
  // A file of mostly undecodable bytes is binary or another encoding (UTF-16, Latin-1 heavy text).
  if (headCount > 32 && headCount / head.length > 0.1) return { kind: 'binary', first, reason: `${headCount} of its first ${head.length} characters are not valid UTF-8` };
  return { kind: 'replacement', first, count };
}
