/** The A/B comparison of one conversation under two system prompts: per-turn differences and where they part. */
import type { ConversationScores } from './scores';
import { readingLabel } from './report/reading';
import type { Conversation, Turn } from './transcript';

/** Default |B − A| (axis units) above which an assistant turn counts as the trajectories parting. */
export const DEFAULT_PART_THRESHOLD = 0.5;

/** One turn scored under both prompts. */
export interface AbTurn {
  readonly turn: number;
  readonly role: Turn['role'];
  readonly a: number;
  readonly b: number;
  /** b − a: positive when prompt B keeps the turn more Assistant-like. */
  readonly difference: number;
  /** Each run's reading of the turn (readingLabel: zone, "out of domain", or "" for non-assistant turns). */
  readonly readingA: string;
  readonly readingB: string;
}

export interface AbComparison {
  readonly turns: readonly AbTurn[];
  /** The first assistant turn whose |B − A| exceeds the threshold, or null when they never part. */
  readonly partsAt: AbTurn | null;
  /** The assistant turn with the largest |B − A| (null without assistant turns scored under both). */
  readonly largest: AbTurn | null;
  readonly threshold: number;
}

/**
 * The conversation with its system prompt replaced by `prompt`. Turn indices stay as they are,
 * so turn numbers match `score`: a top-level system prompt is replaced, else a system message
 * that opens the turn list, else the prompt is added as a top-level system prompt.
 */
export function withSystemPrompt(c: Conversation, prompt: string): Conversation {
  if (c.system) return { ...c, system: { ...c.system, text: prompt, encoding: 'verbatim' } };
  const first = c.turns[0];
  if (first?.role === 'system')
    return { ...c, turns: [{ ...first, text: prompt, encoding: 'verbatim' }, ...c.turns.slice(1)] };
  return { ...c, system: { role: 'system', text: prompt, range: { start: 0, end: 0 } } };
}

/** Joins the two runs by turn (a turn cut from either run is left out) and finds where they part. */
export function compareRuns(a: ConversationScores, b: ConversationScores, threshold: number): AbComparison {
  const underB = new Map(b.turns.map((t) => [t.turn, t]));
  const turns: AbTurn[] = a.turns.flatMap((ta) => {
    const tb = underB.get(ta.turn);
    if (!tb) return [];
    return [
      {
        turn: ta.turn,
        role: ta.role,
        a: ta.value,
        b: tb.value,
        difference: tb.value - ta.value,
        readingA: readingLabel(ta),
        readingB: readingLabel(tb),
      },
    ];
  });
  const assistant = turns.filter((t) => t.role === 'assistant');
  const partsAt = assistant.find((t) => Math.abs(t.difference) > threshold) ?? null;
  const largest = assistant.reduce<AbTurn | null>(
    (m, t) => (m === null || Math.abs(t.difference) > Math.abs(m.difference) ? t : m),
    null,
  );
  return { turns, partsAt, largest, threshold };
}
