/**
 * YAML quoted scalars as text with a source map, so that JSON held in a YAML string (a recorded
 * HTTP body in a VCR cassette) can be parsed and its strings pointed at exactly in the YAML file.
 * Follows YAML 1.2 flow scalars: line folding (a line break and the next line's indentation become
 * one space; each empty line a newline; spaces before a break are dropped), `''` in single quotes,
 * and backslash escapes in double quotes (an escaped line break joins lines).
 */

/** The quoting of a flow scalar. */
export type QuoteStyle = 'single' | 'double';

/** A quoted scalar's value and, per value character, the source offset it comes from (plus one entry for the end). */
export interface Unquoted {
  readonly text: string;
  readonly map: Int32Array;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Unquotes `src[start, end)`, the content of a quoted scalar without its quotes (or a fragment of it
 * that starts and ends outside escapes). Returns undefined on a malformed escape.
 */
export function unquoteYaml(
  src: string,
  start: number,
  end: number,
  style: QuoteStyle,
): Unquoted | undefined {
  const out: string[] = [];
  const from: number[] = [];
  // Characters written by escapes ("\ ", "\t") are content: folding never trims them.
  let kept = 0;
  let i = start;
  while (i < end) {
    const c = src[i] as string;
    if (c === '\n' || (c === '\r' && src[i + 1] === '\n')) {
      // Folding: drop the spaces before the break, count empty lines, skip the next line's indentation.
      while (out.length > kept && isBlank(out[out.length - 1])) {
        out.pop();
        from.pop();
      }
      const breakAt = i;
      let empty = 0;
      i += c === '\r' ? 2 : 1;
      for (;;) {
        let j = i;
        while (j < end && isBlank(src[j])) j++;
        if (j < end && (src[j] === '\n' || (src[j] === '\r' && src[j + 1] === '\n'))) {
          empty++;
          i = j + (src[j] === '\r' ? 2 : 1);
          continue;
        }
        i = j;
        break;
      }
      if (empty === 0) {
        out.push(' ');
        from.push(breakAt);
      } else {
        for (let k = 0; k < empty; k++) {
          out.push('\n');
          from.push(breakAt);
        }
      }
      continue;
    }
    if (style === 'single' && c === "'" && src[i + 1] === "'") {
      out.push("'");
      from.push(i);
      i += 2;
      continue;
    }
    if (style === 'double' && c === '\\') {
      const e = src[i + 1];
      if (e === undefined || i + 1 >= end) return undefined;
      if (e === '\n' || e === '\r') {
        // An escaped line break: the lines join with nothing between them.
        i += e === '\r' && src[i + 2] === '\n' ? 3 : 2;
        while (i < end && isBlank(src[i])) i++;
        continue;
      }
      const hex = HEX_LENGTH[e];
      if (hex !== undefined) {
        const digits = src.slice(i + 2, i + 2 + hex);
        if (digits.length !== hex || !/^[0-9a-fA-F]+$/.test(digits) || i + 2 + hex > end) return undefined;
        const ch = String.fromCodePoint(parseInt(digits, 16));
        for (const unit of ch.length === 2 ? [ch[0] as string, ch[1] as string] : [ch]) {
          out.push(unit);
          from.push(i);
        }
        kept = out.length;
        i += 2 + hex;
        continue;
      }
      const esc = Object.hasOwn(ESCAPES, e) ? ESCAPES[e] : undefined;
      if (esc === undefined) return undefined;
      out.push(esc);
      from.push(i);
      kept = out.length;
      i += 2;
      continue;
    }
    out.push(c);
    from.push(i);
    i++;
  }
  const map = new Int32Array(from.length + 1);
  from.forEach((v, k) => (map[k] = v));
  map[from.length] = end;
  return { text: out.join(''), map };
}
