/**
 * This machine's speed with a model, for an axis computation's ETA before it starts: the model is
 * loaded (downloaded first when it is a hub model not in the cache), one prompt of the axis plan is
 * encoded (prompt tokens per second) and a short reply is generated (decode tokens per second).
 * No axis is needed. Host side, over EngineClient.
 */
import { axisWork, estimateAxisMs, type MeasuredSpeed } from '../core/axis/axisEta';
import { AXIS_MAX_TOKENS, planAxisRuns, type AxisSubset } from '../core/axis/axisPlan';
import { loadBattery } from '../core/battery';
import type { EngineClient, LoadProgress } from './client';
import { loadTarget, resolveModelRef } from './modelRef';
import { extraLoadOptions, resolveDtype, type SessionOptions } from './session';

/** Tokens generated to time decoding: enough to average out the first step, short enough to wait for. */
const PROBE_TOKENS = 12;

export interface SpeedProbe {
  readonly speed: MeasuredSpeed;
  /** Prompt tokens of the probe's plan run (chat markup included): the plan's mean is estimated by it. */
  readonly promptTokens: number;
  /** Estimated minutes for the quick and the full axis plan at this speed. */
  readonly etaMs: Readonly<Record<AxisSubset, number>>;
}

export async function measureSpeed(
  client: EngineClient,
  o: Pick<SessionOptions, 'packageRoot' | 'cacheDir' | 'model' | 'dtype' | 'offline' | 'threads' | 'download'>,
  onLoad?: (p: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<SpeedProbe> {
  const ref = resolveModelRef(o.model, o.packageRoot);
  const dtype = resolveDtype(o.dtype, ref.kind === 'hub' ? null : ref.dir);
  await client.load(loadTarget(ref), { cacheDir: o.cacheDir, dtype, offline: o.offline, capLayers: [], ...extraLoadOptions(o) }, onLoad, signal);
  const battery = loadBattery();
  const run = planAxisRuns(battery, 'quick')[0];
  const messages = [
    ...(run?.systemPrompt ? [{ role: 'system', content: run.systemPrompt }] : []),
    { role: 'user', content: run?.question ?? 'Hello.' },
  ];
  // The first call pays one-time costs (graph warm-up); the second is the one timed.
  await client.activations(messages, 0, signal);
  let t = performance.now();
  const encoded = await client.activations(messages, 0, signal);
  const promptSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const gen = await client.generate(messages, { capping: false, maxTokens: PROBE_TOKENS, sampling: { kind: 'greedy' } }, undefined, signal);
  const generated = Math.max(1, gen.tokens.text.length);
  // Generating includes encoding the prompt once more; what is left is decoding.
  const decodeSeconds = Math.max(1e-3, (performance.now() - t) / 1000 - promptSeconds);
  const promptTokens = Math.max(1, encoded.tokens);
  const speed = { promptTokensPerSecond: promptTokens / Math.max(1e-3, promptSeconds), decodeTokensPerSecond: generated / decodeSeconds };
  const eta = (subset: AxisSubset): number => estimateAxisMs(axisWork(planAxisRuns(battery, subset), promptTokens, AXIS_MAX_TOKENS), speed);
  return { speed, promptTokens, etaMs: { quick: eta('quick'), full: eta('full') } };
}
