/**
 * Register classifier for demo-model replies, built from the generator's lexicons
 * (models/demo/eval/register-lexicons.json; same rule as classify() in tools/demo-model/gen_data.py):
 * lower-case the reply, take the words matching wordPattern, count each persona's marker words.
 * The reply is "assistant" when assistant markers strictly outnumber every role's, "none" when no
 * marker occurs, otherwise the role with the most markers (ties: first role id in sorted order,
 * as Python's max over sorted ids).
 */
import type { RegisterLexicons } from './evalSets';

export const ASSISTANT_REGISTER = 'assistant';
export const NO_REGISTER = 'none';

/** Marker counts of one text per persona, and the resulting label. */
export interface RegisterVerdict {
  /** "assistant", a role id, or "none". */
  readonly label: string;
  readonly counts: Readonly<Record<string, number>>;
}

export type RegisterClassifier = (text: string) => RegisterVerdict;

/** Builds the classifier from parsed lexicons. */
export function makeRegisterClassifier(lex: RegisterLexicons): RegisterClassifier {
  const owner = new Map<string, string[]>();
  for (const [persona, words] of Object.entries(lex.lexicons)) {
    for (const w of words) owner.set(w, [...(owner.get(w) ?? []), persona]);
  }
  const roles = Object.keys(lex.lexicons)
    .filter((p) => p !== ASSISTANT_REGISTER)
    .sort();
  const wordRe = new RegExp(lex.wordPattern, 'g');
  return (text) => {
    const counts: Record<string, number> = Object.fromEntries(Object.keys(lex.lexicons).map((p) => [p, 0]));
    for (const w of text.toLowerCase().match(wordRe) ?? []) {
      for (const p of owner.get(w) ?? []) counts[p] = (counts[p] ?? 0) + 1;
    }
    const assistant = counts[ASSISTANT_REGISTER] ?? 0;
    let best: string | null = null;
    for (const r of roles) if (best === null || (counts[r] ?? 0) > (counts[best] ?? 0)) best = r;
    const top = best === null ? 0 : (counts[best] ?? 0);
    const label = assistant === 0 && top === 0 ? NO_REGISTER : assistant > top || best === null ? ASSISTANT_REGISTER : best;
    return { label, counts };
  };
}
