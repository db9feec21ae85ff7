/**
 * Metrics of the demo model's proof (issue 11): register shares, template validity, how the axis
 * orders the roles, separation, PC1 alignment and the drift trend, each checked against a target.
 * Shares are percentages (0..100) so capping gains read directly in percentage points.
 */
import { auc, spearman } from '../stats/rank';
import { cosine, firstPrincipalComponent } from '../stats/pca';
import { mean } from '../stats/descriptive';
import { ASSISTANT_REGISTER, type RegisterClassifier } from './registerClassifier';
import type { TemplateMatcher } from './templateMatcher';

export type Comparison = '>=' | '<=';

/** One measured number against the threshold. */
export interface ProofTarget {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly comparison: Comparison;
  readonly threshold: number;
  /** False also when the value is NaN (nothing measured). */
  readonly pass: boolean;
  /** Population, n and settings behind the number. */
  readonly detail: string;
}

/** Builds a ProofTarget; NaN never passes. */
export function checkTarget(id: string, label: string, value: number, comparison: Comparison, threshold: number, detail: string): ProofTarget {
  const pass = comparison === '>=' ? value >= threshold : value <= threshold;
  return { id, label, value, comparison, threshold, pass, detail };
}

/** Percentage (0..100) of texts the classifier labels `label` (default: the assistant register); NaN for none. */
export function registerShare(texts: readonly string[], classify: RegisterClassifier, label = ASSISTANT_REGISTER): number {
  if (texts.length === 0) return NaN;
  return (100 * registerCount(texts, classify, label)) / texts.length;
}

function registerCount(texts: readonly string[], classify: RegisterClassifier, label: string): number {
  return texts.filter((t) => classify(t).label === label).length;
}

/** Percentage of (text, expected label) pairs the classifier labels as expected. */
export function labelAgreement(pairs: readonly { readonly text: string; readonly expected: string }[], classify: RegisterClassifier): number {
  if (pairs.length === 0) return NaN;
  return (100 * pairs.filter((p) => classify(p.text).label === p.expected).length) / pairs.length;
}

/** A generated reply; `truncated` when generation stopped at the token limit instead of end-of-turn. */
export interface GeneratedText {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * Sentences of all replies that match a generator template, as counts and a percentage. The last
 * sentence of a truncated reply is left out: the token limit cut it, the model did not garble it.
 */
export function templateValidity(replies: readonly GeneratedText[], match: TemplateMatcher): { matched: number; total: number; percent: number } {
  let matched = 0;
  let total = 0;
  for (const r of replies) {
    const c = match(r.text);
    const cutLast = r.truncated && c.total > 0;
    const lastBad = cutLast && c.lastMatched === false;
    matched += c.matched - (cutLast && !lastBad ? 1 : 0);
    total += c.total - (cutLast ? 1 : 0);
  }
  return { matched, total, percent: total > 0 ? (100 * matched) / total : NaN };
}

/** A role's assistant-mix rate and its mean projection on the axis. */
export interface RolePoint {
  readonly role: string;
  readonly mix: number;
  readonly value: number;
}

/** Spearman correlation of the roles' assistant-mix rates with their mean projections (1 = same order). */
export function roleOrderSpearman(points: readonly RolePoint[]): number {
  return spearman(
    points.map((p) => p.mix),
    points.map((p) => p.value),
  );
}

/** AUC of "assistant replies project higher than role replies". */
export function separationAuc(assistant: readonly number[], roles: readonly number[]): number {
  return auc(assistant, roles);
}

/** |cos(axis, PC1)| of the default vector together with the role vectors (demo-model-notes: the default must be in the PCA). */
export function pc1AxisCosine(defaultVector: Float32Array, roleVectors: readonly Float32Array[], axis: ArrayLike<number>): number {
  return Math.abs(cosine(firstPrincipalComponent([defaultVector, ...roleVectors]).direction, axis));
}

/** Per-turn values of drifting conversations (values[c][k] = assistant turn k of conversation c). */
export interface DriftTrend {
  /** Spearman of value with turn index, pooled over every (conversation, turn) pair. */
  readonly spearman: number;
  /** Mean value at each turn index (over the conversations that reach it). */
  readonly meanByTurn: readonly number[];
  readonly pairs: number;
}

/** Trend of per-turn values with the turn index; a drift into a role gives a negative Spearman. */
export function driftTrend(values: readonly (readonly number[])[]): DriftTrend {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const conv of values) {
    conv.forEach((y, k) => {
      if (Number.isFinite(y)) {
        xs.push(k);
        ys.push(y);
      }
    });
  }
  const turns = Math.max(0, ...values.map((c) => c.length));
  const meanByTurn = Array.from({ length: turns }, (_, k) => mean(values.map((c) => c[k]).filter((y): y is number => y !== undefined && Number.isFinite(y))));
  return { spearman: xs.length > 1 ? spearman(xs, ys) : NaN, meanByTurn, pairs: xs.length };
}

/** Uncapped and capped assistant shares of one prompt set under the same seeds. */
export interface CappingEffect {
  readonly n: number;
  readonly uncapped: number;
  readonly capped: number;
  /** capped - uncapped, in percentage points. */
  readonly gain: number;
}

/** Assistant-register shares of paired uncapped/capped replies (same prompts, same seeds). */
export function cappingEffect(uncapped: readonly string[], capped: readonly string[], classify: RegisterClassifier): CappingEffect {
  if (uncapped.length !== capped.length) throw new RangeError(`capping needs pairs: ${uncapped.length} uncapped vs ${capped.length} capped replies`);
  const [u, c] = [registerCount(uncapped, classify, ASSISTANT_REGISTER), registerCount(capped, classify, ASSISTANT_REGISTER)];
  // The gain from counts, not as a difference of two rounded shares: 11/60 - 29/60 in percent
  // is 29.999999999999996, which would miss a ">= 30" target that exactly 18 more replies meet.
  const n = uncapped.length;
  return { n, uncapped: (100 * u) / n, capped: (100 * c) / n, gain: (100 * (c - u)) / n };
}
