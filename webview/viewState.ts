/**
 * View state the panel keeps in the webview (getState/setState) so it survives a reload: the
 * selected turn and the open tab. Data is never stored here; the host re-sends it (style.md §11).
 * Pure: no DOM, so it is unit-tested in Node.
 */
import * as v from 'valibot';

export const VIEWS = ['drift', 'compare', 'sweep'] as const;
export type View = (typeof VIEWS)[number];

export interface TurnRef {
  readonly conversation: number;
  readonly turn: number;
}

export interface ViewState {
  readonly selected: TurnRef | null;
  readonly view: View;
}

const index = v.pipe(v.number(), v.integer(), v.minValue(0));
const StoredSchema = v.object({
  selected: v.optional(v.nullable(v.object({ conversation: index, turn: index })), null),
  view: v.optional(v.picklist(VIEWS), 'drift'),
});

/** Reads a stored state; anything malformed (older versions, hand edits) falls back to defaults. */
export function parseViewState(stored: unknown): ViewState {
  const r = v.safeParse(StoredSchema, stored);
  return r.success ? r.output : { selected: null, view: 'drift' };
}

/** True when two turn references name the same turn. */
export function sameTurn(a: TurnRef | null, b: TurnRef | null): boolean {
  return a !== null && b !== null && a.conversation === b.conversation && a.turn === b.turn;
}

/**
 * The turn a key moves the selection to, among `points` in plot order (conversation, then turn).
 * ArrowRight/ArrowDown: next; ArrowLeft/ArrowUp: previous; Home/End: first/last. With nothing
 * selected, any of them selects the first point. Returns null for other keys or no points.
 */
export function stepSelection(
  points: readonly TurnRef[],
  current: TurnRef | null,
  key: string,
): TurnRef | null {
  if (points.length === 0) return null;
  const at = current ? points.findIndex((p) => sameTurn(p, current)) : -1;
  const last = points.length - 1;
  let next: number;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      next = at < 0 ? 0 : Math.min(last, at + 1);
      break;
    case 'ArrowLeft':
    case 'ArrowUp':
      next = at < 0 ? 0 : Math.max(0, at - 1);
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = last;
      break;
    default:
      return null;
  }
  return points[next] ?? null;
}
