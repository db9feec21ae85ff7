/**
 * Machine formats of scored conversations (JSON and CSV), shared by `persona-lens score` and the
 * editor's "Export Report", so a file exported from either reads the same in a pipeline.
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
        turns: r.scores.turns.map(({ tokens: _tokens, ...t }) => ({ ...t, layerValues: [...t.layerValues] })),
        ...(r.gateFailures ? { gateFailures: r.gateFailures } : {}),
      })),
      null,
      2,
    ) + '\n'
  );
}

/** RFC 4180 CSV, one row per scored turn. */
export function scoresCsv(items: readonly ExportedConversation[]): string {
  const rows = items.flatMap((r) =>
    r.scores.turns.map((t) => [
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
    ]),
  );
  return renderCsv(
    ['file', 'conversation', 'turn', 'role', 'value', 'delta', 'below_floor', 'tokens', 'layer', 'tau'],
    rows,
  );
}
