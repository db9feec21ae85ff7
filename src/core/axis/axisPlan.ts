/**
 * Which prompts an axis computation runs (design.md, "Role vectors"): every training role and the
 * default-Assistant prompts on the training questions build the axis; held-out roles and
 * questions validate it. System-prompt variants rotate with the question index, so every variant
 * is used without multiplying the number of generations.
 */
import type { Battery } from '../battery/types';
import { DEFAULT_PERSONA } from './axisBuilder';

/** One generation of the axis computation. */
export interface AxisRun {
  /** Stable key for checkpoints: persona/question/variant. */
  readonly key: string;
  readonly persona: string;
  readonly systemPrompt: string | null;
  readonly questionId: string;
  readonly question: string;
  readonly heldOut: boolean;
}

export type AxisSubset = 'quick' | 'full';

/** Held-out roles and questions a quick run validates on (the quick subset itself has none). */
const QUICK_HELD_ROLES = 3;
const QUICK_HELD_QUESTIONS = 4;

/**
 * The runs of an axis computation over the battery; `roles` (battery ids) restricts the roles,
 * e.g. to the personas a small model was trained on. Unknown ids are an error.
 */
export function planAxisRuns(battery: Battery, subset: AxisSubset, roles?: readonly string[]): AxisRun[] {
  const only = roles && roles.length > 0 ? new Set(roles) : null;
  const unknown = roles?.filter((id) => !battery.roles.some((r) => r.id === id)) ?? [];
  if (unknown.length > 0) throw new RangeError(`unknown role ids: ${unknown.join(', ')} (see src/core/battery/battery.json)`);
  const chosen = (id: string): boolean => only === null || only.has(id);
  const heldRoleIds = new Set(battery.split.heldOutRoles);
  const heldQuestionIds = new Set(battery.split.heldOutQuestions);
  const quick = subset === 'quick';
  const inQuick = (ids: readonly string[]): Set<string> => new Set(ids);
  const quickRoles = inQuick(battery.quick.roles);
  const quickQuestions = inQuick(battery.quick.questions);
  // An explicit role list replaces the quick subset's roles; the quick question subset still applies.
  const trainRoles = battery.roles.filter((r) => !heldRoleIds.has(r.id) && chosen(r.id) && (only !== null || !quick || quickRoles.has(r.id)));
  const trainQuestions = battery.questions.filter((q) => !heldQuestionIds.has(q.id) && (!quick || quickQuestions.has(q.id)));
  const heldRoles = battery.roles.filter((r) => heldRoleIds.has(r.id) && chosen(r.id)).slice(0, quick && only === null ? QUICK_HELD_ROLES : undefined);
  const heldQuestions = battery.questions.filter((q) => heldQuestionIds.has(q.id)).slice(0, quick ? QUICK_HELD_QUESTIONS : undefined);

  const runs: AxisRun[] = [];
  const run = (persona: string, prompts: readonly (string | null)[], q: (typeof trainQuestions)[number], variant: number, heldOut: boolean): void => {
    runs.push({ key: `${persona}/${q.id}/${variant}`, persona, systemPrompt: prompts[variant] ?? null, questionId: q.id, question: q.text, heldOut });
  };
  const add = (persona: string, prompts: readonly (string | null)[], questions: typeof trainQuestions, heldOut: boolean): void => {
    questions.forEach((q, i) => run(persona, prompts, q, i % prompts.length, heldOut));
  };
  const defaults = battery.defaultPrompts.map((p) => p.systemPrompt);
  add(DEFAULT_PERSONA, defaults, trainQuestions, false);
  for (const r of trainRoles) add(r.id, r.systemPrompts, trainQuestions, false);
  // Held-out default replies are the population the assistant zone is cut from (its 5th percentile), so
  // every default prompt answers every held-out question: a few dozen replies instead of one per question.
  for (const q of heldQuestions) defaults.forEach((_, variant) => run(DEFAULT_PERSONA, defaults, q, variant, true));
  for (const r of [...trainRoles, ...heldRoles]) add(r.id, r.systemPrompts, heldQuestions, true);
  for (const r of heldRoles) add(r.id, r.systemPrompts, trainQuestions, true);
  return runs;
}

const REFUSAL = /\b(I can(?:no|')t (?:help|assist|do that|comply|role-?play)|I(?:'m| am) (?:sorry|unable)|I (?:won't|will not) (?:pretend|role-?play))\b/i;
const AI_SELF = /\b(as an AI\b|I(?:'m| am) (?:an? )?(?:AI|artificial intelligence|language model|large language model|(?:AI |virtual )?assistant)\b|language model)/i;

/**
 * Why a generated response cannot stand for its persona, or null when it can (the paper keeps
 * only responses judged "fully in role"; here a documented heuristic stands in for the judge):
 * empty replies are dropped for every persona (no tokens to average); role replies that refuse
 * or identify as an AI are dropped, since they speak as the assistant, not the role.
 */
export function responseProblem(text: string, persona: string): string | null {
  if (text.trim().length === 0) return 'empty reply';
  if (persona === DEFAULT_PERSONA) return null;
  if (REFUSAL.test(text)) return 'refuses the role';
  if (AI_SELF.test(text)) return 'identifies as an AI';
  return null;
}

/** How the axis computation decodes its replies; temperature 0 is greedy. */
export interface AxisSampling {
  readonly temperature: number;
  readonly topP: number;
}

/**
 * The reference pipeline's decoding (safety-research/assistant-axis, pipeline/1_generate.py:
 * temperature 0.7, top-p 0.9). Greedy replies are each prompt's single most likely reply, so their
 * per-response means bunch at the top of what the model really says: on the demo model every
 * greedy default reply projected above the mean of its sampled ones, and the floor (their 25th
 * percentile) marked ordinary assistant turns as below it.
 */
export const AXIS_SAMPLING: AxisSampling = { temperature: 0.7, topP: 0.9 };

/** Tokens generated per reply when an axis is computed (the editor's command and the CLI's default). */
export const AXIS_MAX_TOKENS = 48;

/**
 * The sampling seed of one run: the axis seed mixed with the run's key (FNV-1a), so every run
 * draws differently and a resumed or repeated computation draws the same.
 */
export function runSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
