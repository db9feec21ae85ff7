/**
 * Machine formats of scored conversations (JSON and CSV), shared by `persona-lens score`, the
 * editor's "Export Report" and the panel's "Save values", so a file exported from any of them
 * reads the same in a pipeline.
 */
import type { ConversationScores } from '../scores';
import { renderCsv } from './table';

/** One scored conversation to export; `conversation` is its zero-based index in the file. */
export interface ExportedConversation {
  readonly file: string;
  readonly conversation: number;
  readonly scores: ConversationScores;
  /** Gate results, when gates were evaluated (CLI); left out of the JSON when undefined. */
  readonly gateFailures?: readonly {
    readonly turn: number;
    readonly value: number;
    readonly message: string;
  }[];
  /**
   * What the panel knows beyond the scores, by turn index: a projection recorded in the transcript
   * (the paper's format) and the latest capped/uncapped re-run of the turn. When any exported
   * conversation has extras, the CSV gains their columns (empty where unknown).
   */
  readonly turnExtras?: ReadonlyMap<number, TurnExtras>;
}

/** Per-turn values the panel adds to an export; null where the turn has none. */
export interface TurnExtras {
  readonly recordedProjection: number | null;
  readonly rerun: { readonly capped: number | null; readonly uncapped: number | null } | null;
}

/** JSON array, one object per conversation with its per-turn values (per-token values left out). */
export function scoresJson(items: readonly ExportedConversation[]): string {
  return (
    JSON.stringify(
      items.map((r) => ({
        file: r.file,
        conversation: r.conversation,
        model: r.scores.model,
        axis: r.scores.axis,
        monitorLayer: r.scores.monitorLayer,
        tau: r.scores.tau,
        // Per-token values stay out: they would dwarf the per-turn numbers CI gates read.
        turns: r.scores.turns.map(({ tokens: _tokens, ...t }) => ({
          ...t,
          layerValues: [...t.layerValues],
          ...(r.turnExtras?.has(t.turn) ? r.turnExtras.get(t.turn) : {}),
        })),
        ...(r.gateFailures ? { gateFailures: r.gateFailures } : {}),
      })),
      null,
      2,
    ) + '\n'
  );
}

/** RFC 4180 CSV, one row per scored turn. */
export function scoresCsv(items: readonly ExportedConversation[]): string {
  const extras = items.some((r) => r.turnExtras !== undefined);
  const rows = items.flatMap((r) =>
    r.scores.turns.map((t) => {
      const x = r.turnExtras?.get(t.turn);
      return [
        r.file,
        r.conversation,
        t.turn,
        t.role,
        t.value,
        t.delta,
        t.belowFloor,
        t.tokenCount,
        r.scores.monitorLayer,
        r.scores.tau,
        ...(extras
          ? [x?.recordedProjection ?? null, x?.rerun?.capped ?? null, x?.rerun?.uncapped ?? null]
          : []),
      ];
    }),
  );
  return renderCsv(
    [
      ...['file', 'conversation', 'turn', 'role', 'value', 'delta', 'below_floor', 'tokens', 'layer', 'tau'],
      ...(extras ? ['recorded_projection', 'capped_rerun', 'uncapped_rerun'] : []),
    ],
    rows,
  );
}
