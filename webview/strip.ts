/**
 * Draws a per-token strip with the shared markup of src/core/report/tokenStrip.ts (escaped text,
 * shade steps as classes, no inline styles, so the panel's CSP allows it as is).
 */
import type { StripToken } from './protocol';
import { stripScale, tokenStripHtml } from './shared';

/**
 * Replaces `container`'s content with the strip of `tokens`, shaded around `tau` (or the median).
 * `scaleOver` (default: these tokens) sets the spread, so strips drawn side by side can share one scale.
 */
export function renderStrip(
  container: HTMLElement,
  tokens: readonly StripToken[],
  tau: number | null,
  scaleOver?: readonly StripToken[],
): void {
  const values = tokens.map((t) => t.value ?? NaN);
  const html = tokenStripHtml(
    tokens.map((t, i) => ({ text: t.text, start: 0, end: 0, value: values[i] ?? NaN })),
    stripScale(scaleOver ? scaleOver.map((t) => t.value ?? NaN) : values, tau),
  );
  const strip = new DOMParser().parseFromString(html, 'text/html').body.firstElementChild;
  if (!strip) {
    container.replaceChildren();
    container.dataset.tokens = '0';
    return;
  }
  container.replaceChildren(document.importNode(strip, true));
  container.dataset.tokens = String(tokens.length);
}
