/**
 * Word-level diff of two replies for the compare view, on top of jsdiff's `diffWords`
 * (whitespace-insensitive word tokens). Pure: no DOM, unit-tested in Node.
 */
import { diffWords } from 'diff';

export type DiffKind = 'same' | 'added' | 'removed';

/** A run of text that both replies share, or that only one of them has. */
export interface DiffSegment {
  readonly kind: DiffKind;
  readonly text: string;
}

export interface WordDiff {
  readonly segments: readonly DiffSegment[];
  /** Words only in `after` / only in `before` / in both. */
  readonly added: number;
  readonly removed: number;
  readonly same: number;
}

const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;

/**
 * The changes that turn `before` into `after`, as segments in reading order; adjacent segments of
 * the same kind are merged, so the view draws one mark per run of changed words.
 */
export function wordDiff(before: string, after: string): WordDiff {
  const segments: DiffSegment[] = [];
  let added = 0;
  let removed = 0;
  let same = 0;
  for (const c of diffWords(before, after)) {
    const kind: DiffKind = c.added ? 'added' : c.removed ? 'removed' : 'same';
    const n = words(c.value);
    if (kind === 'added') added += n;
    else if (kind === 'removed') removed += n;
    else same += n;
    const prev = segments[segments.length - 1];
    if (prev && prev.kind === kind) segments[segments.length - 1] = { kind, text: prev.text + c.value };
    else if (c.value) segments.push({ kind, text: c.value });
  }
  return { segments, added, removed, same };
}
