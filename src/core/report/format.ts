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

/**
 * First words of a text, collapsed to one line, for tables and tooltips. Control characters and
 * bidi overrides become U+FFFD: a transcript's text must not drive the terminal that shows a table.
 */
export function firstWords(text: string, maxChars = 40): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\ufffd').trim();
  return flat.length <= maxChars ? flat : `${flat.slice(0, maxChars - 1).trimEnd()}…`;
}

/** A byte count for messages: "512 bytes", "3.2 KB", "10.0 MB", "1.2 GB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/**
 * Text made safe for one terminal message: control characters (other than newline and tab),
 * undecodable bytes (U+FFFD) and bidi overrides are shown as \u escapes, so a message that quotes a
 * binary file or a hostile name cannot garble or drive the terminal; cut at maxChars.
 */
export function printable(text: string, maxChars = 2000): string {
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
