/**
 * A generated reply's per-response activation read from the decode pass itself (issue 25 item 4): the
 * mean residual per layer over the reply's content tokens, which `activations` would otherwise compute
 * with a second forward over prompt + reply. The decode pass ran the same tokens in the same order
 * whenever the scoring tokens of that conversation, up to the reply's last content token, are the
 * prompt's tokens followed by the generated ones; then (causality) each content position's residual
 * is the one decoding produced, up to float rounding between a one-token step and a prefill chunk
 * (test/unit/worker/replyMeans.test.ts). Where re-tokenizing differs, it returns null.
 */
import { mapTokens, type ChatTokenizer } from './tokenMap';

export function replyMeansFromDecode(
  tokenizer: ChatTokenizer,
  messages: readonly { readonly role: string; readonly content: string }[],
  reply: string,
  promptIds: readonly number[],
  generated: readonly number[],
  /** residuals[k][L]: layer L's residual of generated token k (fed at position promptIds.length + k). */
  residuals: readonly (readonly Float32Array[])[],
): Float32Array<ArrayBuffer>[] | null {
  // The axis records replies trimmed (src/engine/axisCompute.ts), and reads them so.
  const content = reply.trim();
  if (content === '') return null;
  const map = mapTokens(tokenizer, [...messages, { role: 'assistant', content }], false);
  const P = promptIds.length;
  const chosen: number[] = [];
  map.places.forEach((place, i) => {
    if (place.turn >= messages.length) chosen.push(map.positions[i] as number);
  });
  if (chosen.length === 0) return null;
  const end = Math.max(...chosen) + 1;
  if (Math.min(...chosen) < P || end > P + residuals.length) return null;
  for (let i = 0; i < end; i++) if (map.ids[i] !== (i < P ? promptIds[i] : generated[i - P])) return null;
  const layers = residuals[0]?.length ?? 0;
  const hidden = residuals[0]?.[0]?.length ?? 0;
  return Array.from({ length: layers }, (_, L) => {
    const sum = new Float64Array(hidden);
    for (const p of chosen) {
      const r = residuals[p - P]?.[L] as Float32Array;
      for (let i = 0; i < hidden; i++) sum[i] = (sum[i] as number) + (r[i] as number);
    }
    return Float32Array.from(sum, (x) => x / chosen.length);
  });
}
