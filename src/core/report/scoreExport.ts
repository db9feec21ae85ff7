/**
 * Machine formats of scored conversations (JSON and CSV), shared by `persona-lens score`, the
 * editor's "Export Report" and the panel's "Save values", so a file exported from any of them
 * reads the same in a pipeline.
 */
import type { GateFailure } from '../gate';
import type { ConversationScores, TurnScore, UnscoredTurn } from '../scores';
import type { Conversation } from '../transcript';
import { renderCsv } from './table';

/** One scored conversation to export; `conversation` is its zero-based index in the file. */
export interface ExportedConversation {
  readonly file: string;
  readonly conversation: number;
  readonly scores: ConversationScores;
  /** Gate results, when gates were evaluated (CLI); left out of the JSON when undefined. */
  readonly gateFailures?: readonly GateFailure[];
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

/** A capped re-run of one turn and its values (the compare view's result, kept with the document's scores). */
export interface RerunValues {
  readonly conversation: number;
  readonly turn: number;
  readonly capped: number | null;
  readonly uncapped: number | null;
}

/**
 * What a document's values export holds, from the panel or from Export Report alike: every scored
 * conversation, with each turn's recorded projection (the paper's format) and its latest re-run.
 */
export function exportedConversations(
  file: string,
  conversations: readonly Pick<Conversation, 'turns'>[],
  scores: readonly (ConversationScores | null)[],
  reruns: readonly RerunValues[] = [],
): ExportedConversation[] {
  return scores.flatMap((s, ci) => {
    if (!s) return [];
    const turnExtras = new Map<number, TurnExtras>();
    for (const t of s.turns) {
      const recorded = conversations[ci]?.turns[t.turn]?.recordedProjection;
      const rerun = reruns.findLast((r) => r.conversation === ci && r.turn === t.turn);
      turnExtras.set(t.turn, {
        recordedProjection: recorded === undefined || !Number.isFinite(recorded) ? null : recorded,
        rerun: rerun ? { capped: rerun.capped, uncapped: rerun.uncapped } : null,
      });
    }
    return [{ file, conversation: ci, scores: s, turnExtras }];
  });
}

/**
 * The one naming rule for files exported next to a transcript: `<stem>.persona-lens.<ext>` for its
 * values and report, `<stem>.persona-lens.drift.png` for the drift plot.
 */
export function exportFileName(sourceName: string, what: 'values' | 'report' | 'plot', ext: string): string {
  const stem = sourceName.replace(/\.[^.]*$/, '') || 'transcript';
  return `${stem}.persona-lens${what === 'plot' ? '.drift' : ''}.${ext}`;
}

/** The fields of an assistant turn that got no value: everything a reading has, empty. */
const UNSCORED_FIELDS = { value: null, delta: null, zone: null, surprise: null, outOfDomain: false, alarm: false, tokenCount: 0 } as const;

/**
 * JSON array, one object per conversation: its per-turn values and readings (unscored assistant turns
 * with `value: null` and the reason), and the calibration the zones were cut with (per-token values left out).
 */
export function scoresJson(items: readonly ExportedConversation[]): string {
  return (
    JSON.stringify(
      items.map(conversationJson),
      null,
      2,
    ) + '\n'
  );
}

/** One conversation's object in scoresJson (and, with a type, a record of `score --format jsonl`). */
export function conversationJson(r: ExportedConversation): object {
  return {
    file: r.file,
    conversation: r.conversation,
    model: r.scores.model,
    axis: r.scores.axis,
    monitorLayer: r.scores.monitorLayer,
    /** The capping floor (an intervention parameter), not an alarm threshold. */
    tau: r.scores.tau,
    calibration: r.scores.calibration,
    // Per-token values stay out: they would dwarf the per-turn numbers CI gates read.
    turns: rowsInOrder(r.scores).map((row) => jsonTurn(row, r.turnExtras?.get(row.turn))),
    ...(r.gateFailures ? { gateFailures: r.gateFailures } : {}),
  };
}

function jsonTurn(row: TurnScore | UnscoredTurn, extras: TurnExtras | undefined): object {
  if ('reason' in row) return { turn: row.turn, role: 'assistant', ...UNSCORED_FIELDS, unscored: row.reason };
  const { tokens: _tokens, ...t } = row;
  return { ...t, layerValues: [...t.layerValues], ...extras };
}

/** Scored turns and unscored assistant turns, by turn index. */
function rowsInOrder(s: ConversationScores): (TurnScore | UnscoredTurn)[] {
  return [...s.turns, ...s.unscored].sort((a, b) => a.turn - b.turn);
}

/** RFC 4180 CSV, one row per scored turn and per unscored assistant turn, with the cuts it was read with. */
export function scoresCsv(items: readonly ExportedConversation[]): string {
  const extras = items.some((r) => r.turnExtras !== undefined);
  const rows = items.flatMap((r) => {
    const z = r.scores.calibration.zones;
    const cuts = [z?.assistantFrom ?? null, z?.roleTo ?? null, r.scores.calibration.domain?.limit ?? null];
    return rowsInOrder(r.scores).map((row) => {
      const x = r.turnExtras?.get(row.turn);
      const t = 'reason' in row ? { ...UNSCORED_FIELDS, role: 'assistant' } : row;
      return [
        r.file,
        r.conversation,
        row.turn,
        t.role,
        t.value,
        t.delta,
        t.zone,
        t.outOfDomain,
        t.surprise,
        t.alarm,
        'reason' in row ? row.reason : null,
        t.tokenCount,
        r.scores.monitorLayer,
        ...cuts,
        r.scores.tau,
        ...(extras
          ? [x?.recordedProjection ?? null, x?.rerun?.capped ?? null, x?.rerun?.uncapped ?? null]
          : []),
      ];
    });
  });
  return renderCsv(
    [
      ...['file', 'conversation', 'turn', 'role', 'value', 'delta', 'zone', 'out_of_domain', 'surprise', 'alarm', 'unscored', 'tokens', 'layer'],
      ...['assistant_from', 'role_to', 'surprise_limit', 'tau'],
      ...(extras ? ['recorded_projection', 'capped_rerun', 'uncapped_rerun'] : []),
    ],
    rows,
  );
}
