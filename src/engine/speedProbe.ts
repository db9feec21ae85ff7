/**
 * This machine's speed with a model, for an axis computation's ETA before it starts: the model is
 * loaded (downloaded first when it is a hub model not in the cache), then one batch of runs spread over
 * the full plan is run exactly as axis computation runs it (runAxisBatch: batched, sampled, AXIS_MAX_TOKENS
 * each, activations read) and one reply is scored as the floors phase scores it. No axis is needed.
 * Host side, over EngineClient.
 */
import { axisWork, estimateAxisMs, spreadRuns, type MeasuredRunTimes } from '../core/axis/axisEta';
import { AXIS_MAX_TOKENS, AXIS_SAMPLING, planAxisRuns, type AxisSubset } from '../core/axis/axisPlan';
import { unitVector } from '../core/axis/axisSpec';
import { loadBattery } from '../core/battery';
import { AXIS_BATCH, prompt, runAxisBatch } from './axisCompute';
import type { EngineClient, LoadProgress } from './client';
import { loadTarget, resolveModelRef } from './modelRef';
import { extraLoadOptions, resolveDtype, type SessionOptions } from './session';

export interface SpeedProbe {
  readonly times: MeasuredRunTimes;
  /** Runs timed (one batch of AXIS_BATCH, spread over the full plan). */
  readonly runsTimed: number;
  /** Estimated milliseconds for the quick and the full axis plan at these times. */
  readonly etaMs: Readonly<Record<AxisSubset, number>>;
}

export async function measureSpeed(
  client: EngineClient,
  o: Pick<SessionOptions, 'packageRoot' | 'cacheDir' | 'model' | 'dtype' | 'offline' | 'threads' | 'download'>,
  onLoad?: (p: LoadProgress) => void,
  signal?: AbortSignal,
  onStep?: (message: string) => void,
): Promise<SpeedProbe> {
  const ref = resolveModelRef(o.model, o.packageRoot);
  const dtype = resolveDtype(o.dtype, ref.kind === 'hub' ? null : ref.dir);
  const info = await client.load(loadTarget(ref), { cacheDir: o.cacheDir, dtype, offline: o.offline, capLayers: [], ...extraLoadOptions(o) }, onLoad, signal);
  const battery = loadBattery();
  const sample = spreadRuns(planAxisRuns(battery, 'full'), AXIS_BATCH);
  const decoding = { maxTokens: AXIS_MAX_TOKENS, sampling: AXIS_SAMPLING, seed: 0 };
  // The first batch of a new shape pays one-time costs: a 2-row, 2-token batch takes them first.
  onStep?.('warming up');
  await runAxisBatch(client, info, sample.slice(0, 2), { ...decoding, maxTokens: 2 }, signal, () => undefined);
  onStep?.(`timing ${sample.length} replies as axis computation makes them`);
  const replies: { messages: { role: string; content: string }[]; text: string }[] = [];
  let t = performance.now();
  await runAxisBatch(client, info, sample, decoding, signal, (run, record) => {
    if (!record.dropped) replies.push({ messages: prompt(run), text: record.text });
  });
  const secondsPerRun = (performance.now() - t) / 1000 / sample.length;
  // The floors phase scores prompt + reply with the new axis; the directions do not change its cost.
  onStep?.('timing a floors-phase pass');
  const e0 = unitVector(Float32Array.from({ length: info.hiddenSize }, (_, i) => (i === 0 ? 1 : 0)));
  const spec = { hiddenSize: info.hiddenSize, vectors: Array.from({ length: info.numLayers }, () => e0), monitorLayer: 0, capLayers: [], taus: new Float32Array(0) };
  const scored = replies[0] ?? { messages: prompt(sample[0] as (typeof sample)[number]), text: 'Hello.' };
  t = performance.now();
  await client.score([...scored.messages, { role: 'assistant', content: scored.text }], { axis: spec }, signal);
  const times = { secondsPerRun, secondsPerFloorRun: (performance.now() - t) / 1000 };
  const eta = (subset: AxisSubset): number => estimateAxisMs(axisWork(planAxisRuns(battery, subset)), times);
  return { times, runsTimed: sample.length, etaMs: { quick: eta('quick'), full: eta('full') } };
}
