/**
 * Number formatting shared by the editor, the panel and the CLI, so a value reads the same
 * everywhere. Signs use U+2212 MINUS SIGN for negatives only where noted: machine formats
 * (CSV/JSON) never go through here.
 */

/** Decimals shown for axis values; projections on a unit axis of small models are O(0.1..10). */
export const VALUE_DECIMALS = 2;

/** An axis value with an explicit sign: "+0.42", "-1.30". */
export function formatValue(v: number, decimals = VALUE_DECIMALS): string {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v).toFixed(decimals);
  return (v < 0 && Number(s) !== 0 ? '-' : '+') + s;
}

/** A change between turns: "Δ +0.12", or "" when there is no previous turn. */
export function formatDelta(d: number | null, decimals = VALUE_DECIMALS): string {
  return d === null ? '' : `Δ ${formatValue(d, decimals)}`;
}

/** First words of a text, collapsed to one line, for tables and tooltips. */
export function firstWords(text: string, maxChars = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= maxChars ? flat : `${flat.slice(0, maxChars - 1).trimEnd()}…`;
}
