/**
 * The per-token strip: a turn's text cut into its tokens, each shaded by its projection on the
 * axis at the monitor layer, so a reader sees where in a reply the drift starts. Shared by the
 * drift panel and the HTML report; the colours come from CSS (media/tokenStrip.css) so each host
 * can map them to its theme.
 */
import type { TokenValue } from '../scores';
import { formatValue } from './format';
import { escapeHtml } from './html';

/** How projections map to shades: `centre` is neutral, centre ± `spread` is full strength. */
export interface StripScale {
  readonly centre: number;
  readonly spread: number;
}

/**
 * A scale for tokens: centred on the floor tau when there is one (below it reads as drift),
 * else on the tokens' median; spread = the largest distance from the centre (at least 1e-6).
 */
export function stripScale(values: readonly number[], tau: number | null): StripScale {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { centre: tau ?? 0, spread: 1 };
  const sorted = [...finite].sort((a, b) => a - b);
  const centre = tau ?? (sorted[Math.floor((sorted.length - 1) / 2)] as number);
  // A loop, not Math.max(...): a report's strips can hold more tokens than the call stack allows arguments.
  const spread = finite.reduce((m, v) => Math.max(m, Math.abs(v - centre)), 1e-6);
  return { centre, spread };
}

/** Signed strength of a value on the scale, clamped to [-1, 1] (NaN for non-finite values). */
export function stripWeight(value: number, scale: StripScale): number {
  if (!Number.isFinite(value)) return NaN;
  return Math.max(-1, Math.min(1, (value - scale.centre) / scale.spread));
}

/** Shade steps: weights are rounded to w0..w10 classes, so the markup needs no inline style (strict CSP). */
export const STRIP_STEPS = 10;

/**
 * The strip as HTML: one span per token with classes `pl-tok pos|neg|nan w0..w10` (the shade
 * step), the value in `data-value` and a title; whitespace is kept by the CSS.
 */
export function tokenStripHtml(tokens: readonly TokenValue[], scale: StripScale): string {
  const spans = tokens.map((t) => {
    const w = stripWeight(t.value, scale);
    const cls = Number.isNaN(w) ? 'nan' : w < 0 ? 'neg' : 'pos';
    const step = Number.isNaN(w) ? 0 : Math.round(Math.abs(w) * STRIP_STEPS);
    const label = `${JSON.stringify(t.text)} ${formatValue(t.value)}`;
    return `<span class="pl-tok ${cls} w${step}" data-value="${t.value}" title="${escapeHtml(label)}">${escapeHtml(t.text)}</span>`;
  });
  return `<div class="pl-strip">${spans.join('')}</div>`;
}
