/**
 * Well-formedness check of demo-model replies: split a reply into sentences with the generator's
 * sentenceSplit pattern and test each against every sentence of every template of every persona
 * (models/demo/eval/sentence-templates.json). {tip} must be one of the shared tips; {topic} is any
 * text without sentence punctuation or a newline.
 */
import type { SentenceTemplates } from './evalSets';

/** Sentences of one text and how many matched a template. */
export interface TemplateCount {
  readonly matched: number;
  readonly total: number;
  /** The sentences that matched no template (for the report's examples). */
  readonly unmatched: readonly string[];
  /** Whether the last sentence matched (null for a text with no sentence). */
  readonly lastMatched: boolean | null;
}

export type TemplateMatcher = (text: string) => TemplateCount;

/** Builds the matcher from parsed templates. */
export function makeTemplateMatcher(t: SentenceTemplates): TemplateMatcher {
  const tip = `(?:${t.slots.tip.map(escapeRegExp).join('|')})`;
  const slot: Record<string, string> = { tip, topic: t.slots.topic };
  const split = new RegExp(t.sentenceSplit);
  // Some templates hold several sentences ("BEEP. PROCESSING REQUEST."); replies are checked sentence
  // by sentence, so templates are split the same way.
  const all = [...new Set(Object.values(t.templates).flat().flatMap((tpl) => tpl.split(split).filter((x) => x.length > 0)))];
  const alternatives = all.map((tpl) =>
    tpl
      .split(/(\{tip\}|\{topic\})/)
      .map((part) => {
        const m = /^\{(tip|topic)\}$/.exec(part);
        return m ? (slot[m[1] as string] as string) : escapeRegExp(part);
      })
      .join(''),
  );
  const sentence = new RegExp(`^(?:${alternatives.join('|')})$`);
  return (text) => {
    const sentences = text
      .trim()
      .split(split)
      .filter((s) => s.length > 0);
    const unmatched = sentences.filter((s) => !sentence.test(s));
    const last = sentences[sentences.length - 1];
    return { matched: sentences.length - unmatched.length, total: sentences.length, unmatched, lastMatched: last === undefined ? null : sentence.test(last) };
  };
}

/** Escapes every RegExp metacharacter of s. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
