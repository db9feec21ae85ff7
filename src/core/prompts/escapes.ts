/**
 * Values of string-literal escape sequences, as the languages define them: ECMAScript (string and
 * template literals) and Python (str literals; raw strings keep their backslashes). The parser
 * finds each escape sequence; these give its value.
 */

const SIMPLE_JS: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** The value of one ECMAScript escape sequence (backslash included); null when it is invalid (e.g. in a tagged template). */
export function jsEscapeValue(seq: string): string | null {
  const body = seq.slice(1);
  if (/^(\r\n|\n|\r|\u2028|\u2029)$/.test(body)) return ''; // line continuation
  if (body.length === 1 && SIMPLE_JS[body] !== undefined) return SIMPLE_JS[body];
  if (/^x[0-9a-fA-F]{2}$/.test(body)) return String.fromCharCode(parseInt(body.slice(1), 16));
  if (/^u[0-9a-fA-F]{4}$/.test(body)) return String.fromCharCode(parseInt(body.slice(1), 16));
  const cp = /^u\{([0-9a-fA-F]+)\}$/.exec(body);
  if (cp) {
    const n = parseInt(cp[1] as string, 16);
    return n <= 0x10ffff ? String.fromCodePoint(n) : null;
  }
  // Legacy octal (sloppy-mode strings): \1 .. \377.
  if (/^[0-7]{1,3}$/.test(body)) {
    const n = parseInt(body, 8);
    return n <= 0o377 ? String.fromCharCode(n) : null;
  }
  if (/^[xu]/.test(body)) return null;
  return body; // \' \" \\ \` \$ and any other character stand for themselves
}

const SIMPLE_PY: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"' };

/**
 * The value of one Python escape sequence in a str literal; null for `\N{name}` (the Unicode name
 * table is not at hand, so the value is left as written and the prompt is flagged).
 */
export function pyEscapeValue(seq: string): string | null {
  const body = seq.slice(1);
  if (/^(\r\n|\n|\r)$/.test(body)) return ''; // line continuation
  if (body.length === 1 && SIMPLE_PY[body] !== undefined) return SIMPLE_PY[body];
  if (/^[0-7]{1,3}$/.test(body)) return String.fromCodePoint(parseInt(body, 8));
  if (/^x[0-9a-fA-F]{2}$/.test(body)) return String.fromCodePoint(parseInt(body.slice(1), 16));
  if (/^u[0-9a-fA-F]{4}$/.test(body)) return String.fromCharCode(parseInt(body.slice(1), 16));
  if (/^U[0-9a-fA-F]{8}$/.test(body)) {
    const n = parseInt(body.slice(1), 16);
    return n <= 0x10ffff ? String.fromCodePoint(n) : null;
  }
  if (body.startsWith('N{')) return null;
  return seq; // unknown escapes keep their backslash in Python
}

/** Python's textwrap.dedent: removes the whitespace prefix common to all non-blank lines; blank lines become empty. */
export function dedent(text: string): string {
  const lines = text.split('\n');
  let margin: string | null = null;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (margin === null) margin = indent;
    else {
      let i = 0;
      while (i < margin.length && i < indent.length && margin[i] === indent[i]) i++;
      margin = margin.slice(0, i);
    }
  }
  const cut = margin?.length ?? 0;
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(cut))).join('\n');
}
