/**
 * Where a turn's value is drawn, as plain numbers (no vscode import, so it is unit-tested).
 *
 * JSON transcripts keep each message on one line, often thousands of characters long: a value
 * drawn after such a line sits far off-screen (and Monaco stops rendering a line after
 * `editor.stopRenderingLineAfter`, 10,000 characters by default, so it may not be drawn at all).
 * "auto" therefore draws after the first line only when that line is short or wraps, and
 * otherwise before the line's text, where it is visible without scrolling sideways.
 */

/** The `persona-lens.decorations.position` values. */
export type DecorationPosition = 'auto' | 'firstLine' | 'lineStart' | 'end';

/** Lines longer than this (in characters) count as long: past a typical editor width. */
export const LONG_LINE_CHARS = 120;

/** The turn's first line, as the editor sees it. */
export interface FirstLine {
  /** Zero-based line number. */
  readonly line: number;
  /** The line's text without its line break. */
  readonly text: string;
}

/** A decoration anchor: `after` draws at the end of the anchor, `before` in front of it. */
export interface Anchor {
  readonly side: 'before' | 'after';
  /** Zero-based line and character (UTF-16 code units). */
  readonly line: number;
  readonly character: number;
}

/**
 * Chooses the anchor of a turn's value. `end` is the turn's last position (line, character);
 * `wraps` is true when the editor wraps long lines, so a line's end is on screen.
 */
export function chooseAnchor(
  position: DecorationPosition,
  first: FirstLine,
  end: { readonly line: number; readonly character: number },
  wraps: boolean,
): Anchor {
  const lineEnd: Anchor = { side: 'after', line: first.line, character: first.text.length };
  const lineStart: Anchor = { side: 'before', line: first.line, character: firstNonBlank(first.text) };
  switch (position) {
    case 'end':
      return { side: 'after', line: end.line, character: end.character };
    case 'firstLine':
      return lineEnd;
    case 'lineStart':
      return lineStart;
    case 'auto':
      return wraps || first.text.length <= LONG_LINE_CHARS ? lineEnd : lineStart;
  }
}

function firstNonBlank(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : text.length;
}
