/**
 * Offsets <-> zero-based line/column, with the same rules as VS Code's TextDocument:
 * "\r\n", "\n" and a lone "\r" each end a line; columns count UTF-16 code units.
 */

/** A zero-based line and UTF-16 column. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** Answers many offset/position look-ups on one text in O(log lines) each. */
export interface LineIndex {
  readonly lineCount: number;
  positionAt(offset: number): TextPosition;
  offsetAt(position: TextPosition): number;
}

/** Builds a line index for `text` (one linear scan). */
export function createLineIndex(text: string): LineIndex {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  const clamp = (offset: number): number => Math.max(0, Math.min(text.length, Math.floor(offset)));
  return {
    lineCount: starts.length,
    positionAt(offset: number): TextPosition {
      const o = clamp(offset);
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= o) lo = mid;
        else hi = mid - 1;
      }
      let column = o - (starts[lo] ?? 0);
      // An offset between "\r" and "\n" belongs to the end of the line, as in VS Code.
      const lineEnd = lineContentEnd(text, starts, lo);
      if (column > lineEnd - (starts[lo] ?? 0)) column = lineEnd - (starts[lo] ?? 0);
      return { line: lo, column };
    },
    offsetAt(position: TextPosition): number {
      if (position.line < 0) return 0;
      if (position.line >= starts.length) return text.length;
      const start = starts[position.line] ?? 0;
      const end = lineContentEnd(text, starts, position.line);
      return Math.max(start, Math.min(end, start + Math.max(0, position.column)));
    },
  };
}

/** Zero-based line and column of `offset` in `text` (clamped into the text). */
export function offsetToPosition(text: string, offset: number): TextPosition {
  return createLineIndex(text).positionAt(offset);
}

function lineContentEnd(text: string, starts: readonly number[], line: number): number {
  const next = starts[line + 1];
  if (next === undefined) return text.length;
  let end = next;
  if (text.charCodeAt(end - 1) === 10) end--;
  if (text.charCodeAt(end - 1) === 13) end--;
  return end;
}
