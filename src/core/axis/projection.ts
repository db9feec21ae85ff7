/**
 * Projection of hidden states on the Assistant Axis. Higher = more Assistant-like.
 * A turn's value is the mean over that turn's content tokens only; chat-template markup
 * (role headers, end-of-turn tokens, generation prompts) is excluded (arXiv 2601.10387, monitoring).
 */
import { dot } from './axisSpec';

/** Token index range [start, end) of one message's content inside the full token sequence. */
export interface TurnTokenSpan {
  /** Index of the message in the conversation. */
  readonly turn: number;
  readonly start: number;
  readonly end: number;
}

/** Per-token projections <h_t, v> of row-major hidden states [tokens, v.length] on the unit axis v. */
export function projectTokens(hidden: Float32Array, v: Float32Array): Float32Array {
  const h = v.length;
  if (h === 0 || hidden.length % h !== 0) {
    throw new RangeError(`hidden states of length ${hidden.length} are not rows of width ${h}`);
  }
  const n = hidden.length / h;
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) out[t] = dot(hidden, t, v);
  return out;
}

/** Mean of projections[start..end) per span (float64 sum); NaN for a span with no tokens. */
export function turnMeans(projections: Float32Array, spans: readonly TurnTokenSpan[]): Float64Array {
  const out = new Float64Array(spans.length);
  spans.forEach((s, i) => {
    if (s.start < 0 || s.end > projections.length || s.start > s.end) {
      throw new RangeError(`token span ${s.start}..${s.end} of turn ${s.turn} is outside 0..${projections.length}`);
    }
    let sum = 0;
    for (let t = s.start; t < s.end; t++) sum += projections[t] as number;
    out[i] = s.end > s.start ? sum / (s.end - s.start) : NaN;
  });
  return out;
}
