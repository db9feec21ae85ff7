/**
 * The proof's measurements through the real engine (EngineClient on the exported ONNX model):
 * teacher-forced reply activations, per-turn drift values, and seeded generation with and without
 * capping. Pure metric code lives in src/core/demo; this file only drives the worker.
 */
import { dot, type AxisSpec } from '../../../src/core/axis/axisSpec';
import { meanVector } from '../../../src/core/axis/axisBuilder';
import type { EngineClient } from '../../../src/engine/client';
import type { ChatMessage, Sampling } from '../../../src/protocol/messages';
import type { OpenSession } from '../../../src/engine/session';
import { temperatureSampling } from '../../../src/core/sampler';
import type { GeneratedText } from '../../../src/core/demo/proofMetrics';

/** Mean residual per layer over one reply's content tokens (teacher-forced, uncapped). */
export async function replyActivations(client: EngineClient, prompt: readonly ChatMessage[], reply: string): Promise<Float32Array[]> {
  const r = await client.activations([...prompt, { role: 'assistant', content: reply }], prompt.length);
  return r.layerMeans;
}

/** Projection of per-layer means on the session's unit axis at `layer`. */
export function projectAt(s: OpenSession, layerMeans: readonly Float32Array[], layer: number): number {
  const h = layerMeans[layer];
  const v = s.spec.vectors[layer];
  if (!h || !v) throw new RangeError(`no layer ${layer}`);
  return dot(h, 0, v);
}

/** Per-layer mean vector of a group of replies' activations. */
export function groupVectors(replies: readonly (readonly Float32Array[])[], numLayers: number): Float32Array[] {
  return Array.from({ length: numLayers }, (_, l) => meanVector(replies.map((r) => r[l] as Float32Array)));
}

/** Monitor-layer value of every assistant turn of a conversation (mean over the turn's content tokens). */
export async function assistantTurnValues(client: EngineClient, s: OpenSession, messages: readonly ChatMessage[], layer = s.spec.monitorLayer): Promise<number[]> {
  const r = await client.score(messages, { axis: s.spec, layers: [layer] });
  const k = r.layers.indexOf(layer);
  return r.turns.filter((t) => t.role === 'assistant').map((t) => (t.found ? (t.means[k] as number) : NaN));
}

/** Seeded sampling as the proof uses it: the same seed for the uncapped and the capped run of a prompt. */
export function proofSampling(temperature: number, seed: number): Sampling {
  return temperatureSampling(temperature, 1, seed);
}

/** One reply per prompt under `axis` (capped or not); prompt j is sampled with seed seeds[j]. */
export async function generateReplies(
  client: EngineClient,
  axis: AxisSpec,
  prompts: readonly (readonly ChatMessage[])[],
  seeds: readonly number[],
  o: { readonly capping: boolean; readonly temperature: number; readonly maxTokens: number },
): Promise<GeneratedText[]> {
  if (seeds.length !== prompts.length) throw new RangeError(`${prompts.length} prompts but ${seeds.length} seeds`);
  const out: GeneratedText[] = [];
  for (const [j, prompt] of prompts.entries()) {
    const g = await client.generate(prompt, { axis, capping: o.capping, maxTokens: o.maxTokens, sampling: proofSampling(o.temperature, seeds[j] as number) });
    out.push({ text: g.text.trim(), truncated: g.stopReason === 'maxTokens' });
  }
  return out;
}
