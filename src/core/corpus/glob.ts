/**
 * Glob patterns for corpus paths (`persona-lens score 'logs/**\/*.jsonl'`): quoted globs work the
 * same on every shell and on Windows, where the shell does not expand them. Supports `*`, `?`, `**`,
 * `[...]` and `{a,b}`; `*` and `?` never cross a `/` and never match a leading dot (as in bash).
 */

/** True when `text` holds a glob character, so it is a pattern rather than a path. */
export function hasGlobMagic(text: string): boolean {
  return /[*?[{]/.test(text);
}

/** The part of a pattern before its first segment with a glob character: where the walk starts. */
export function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const i = parts.findIndex(hasGlobMagic);
  const base = parts.slice(0, i < 0 ? parts.length : i).join('/');
  return base === '' ? (pattern.startsWith('/') ? '/' : '.') : base;
}

/** A RegExp matching a whole '/'-separated path against `pattern`; throws on an unclosed `[` or `{`. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const atSegmentStart = i === 0 || pattern[i - 1] === '/';
    if (c === '*') {
      if (pattern[i + 1] === '*' && atSegmentStart && (pattern[i + 2] === '/' || i + 2 === pattern.length)) {
        // `**/` : any number of whole segments (none included), never through a dot-folder.
        re += pattern[i + 2] === '/' ? '(?:(?!\\.)[^/]*/)*' : '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?';
        i += pattern[i + 2] === '/' ? 2 : 1;
        continue;
      }
      re += `${atSegmentStart ? '(?!\\.)' : ''}[^/]*`;
    } else if (c === '?') re += `${atSegmentStart ? '(?!\\.)' : ''}[^/]`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error(`unclosed "[" at column ${i + 1} of the pattern ${pattern}`);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  if (braces > 0) throw new Error(`unclosed "{" in the pattern ${pattern}`);
  return new RegExp(`^${re}$`);
}
