/**
 * Per-token heat of a scored conversation as document ranges: every content token of each readable
 * assistant turn, shaded by its own projection (heatBuckets.ts), mapped from the turn's text to the
 * file (sourceOffsets.ts). Neighbouring tokens of the same shade are merged, so the editor draws a
 * few hundred ranges where a reply has thousands of tokens.
 */
import type { ConversationScores, TokenValue } from '../scores';
import type { Conversation } from '../transcript';
import { heatBucket, type HeatBucket } from './heatBuckets';
import { sourceOffsets, sourceSpan } from './sourceOffsets';

/** A run of same-shade tokens: [start, end) in the file, with the extent of their values. */
export interface HeatRange {
  readonly start: number;
  readonly end: number;
  readonly bucket: HeatBucket;
  /** Index of the turn in `Conversation.turns`. */
  readonly turn: number;
  readonly min: number;
  readonly max: number;
  readonly tokens: number;
}

export interface HeatOptions {
  /**
   * The scores predate the text (an edit since): shade a turn only when its tokens still spell its
   * text, so an edited reply is left plain instead of shaded at the wrong characters.
   */
  readonly checkTokens: boolean;
}

/**
 * The heat ranges of one conversation, in file order. Turns without a zone (out of the model's
 * domain, or an axis that draws no zones) are never shaded: their values are not readings.
 */
export function heatRanges(conversation: Conversation, scores: ConversationScores, source: string, options: HeatOptions): HeatRange[] {
  const cuts = scores.calibration.zones;
  if (!cuts) return [];
  const out: HeatRange[] = [];
  for (const s of scores.turns) {
    const turn = conversation.turns[s.turn];
    if (!turn || s.role !== 'assistant' || turn.role !== 'assistant' || s.outOfDomain || s.zone === null) continue;
    if (options.checkTokens && !tokensSpell(s.tokens, turn.text)) continue;
    const map = sourceOffsets(turn, source);
    if (!map) continue;
    let run: { start: number; end: number; bucket: HeatBucket; min: number; max: number; tokens: number } | null = null;
    for (const t of s.tokens) {
      const bucket = heatBucket(t.value, cuts);
      if (bucket === null) continue;
      const span = sourceSpan(map, t.start, t.end);
      if (!span) continue;
      const { start, end } = span;
      if (run && run.bucket === bucket && run.end === start) {
        run.end = end;
        run.min = Math.min(run.min, t.value);
        run.max = Math.max(run.max, t.value);
        run.tokens++;
        continue;
      }
      if (run) out.push({ ...run, turn: s.turn });
      run = { start, end, bucket, min: t.value, max: t.value, tokens: 1 };
    }
    if (run) out.push({ ...run, turn: s.turn });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * True when each token's text is what the turn holds at its offsets. A token's decoded text may
 * differ in surrounding whitespace (SentencePiece) or hold U+FFFD (half a character): those pass.
 */
export function tokensSpell(tokens: readonly TokenValue[], text: string): boolean {
  for (const t of tokens) {
    if (t.end > text.length) return false;
    if (t.text.includes('\uFFFD')) continue;
    const slice = text.slice(t.start, t.end);
    if (slice !== t.text && slice.trim() !== t.text.trim()) return false;
  }
  return true;
}
