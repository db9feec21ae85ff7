// Thin typed access to transformers.js models in tests: load, one forward, greedy generate with extra inputs
// kept across steps (engine-notes section 5b: push their names onto forward_params), per-step outputs.
import { AutoModelForCausalLM, Tensor } from '@huggingface/transformers';

export type Outputs = Record<string, Tensor>;

interface ModelLike {
  forward_params: string[];
  forward(inputs: Record<string, unknown>): Promise<Outputs>;
  generate(inputs: Record<string, unknown>): Promise<Tensor>;
  dispose(): Promise<unknown>;
}

export interface LoadedModel {
  forward(inputs: Record<string, Tensor>): Promise<Outputs>;
  /** Greedy generation; `extra` tensors are fed at every step; `onStep` sees every forward's outputs. */
  generate(
    ids: readonly number[],
    maxNewTokens: number,
    extra?: Record<string, Tensor>,
    onStep?: (o: Outputs) => void,
  ): Promise<number[]>;
  dispose(): Promise<void>;
}

/** Loads a model folder with transformers.js (local files only). */
export async function loadModel(
  dir: string,
  dtype: string,
  sessionOptions: Record<string, unknown> = {},
): Promise<LoadedModel> {
  const m = (await AutoModelForCausalLM.from_pretrained(dir, {
    dtype: dtype as 'fp32',
    local_files_only: true,
    session_options: sessionOptions,
  })) as unknown as ModelLike;
  const forward = m.forward.bind(m);
  let stepHook: ((o: Outputs) => void) | undefined;
  m.forward = async (x) => {
    const o = await forward(x);
    stepHook?.(o);
    return o;
  };
  return {
    forward: (inputs) => forward(inputs),
    async generate(ids, maxNewTokens, extra = {}, onStep) {
      for (const k of Object.keys(extra)) if (!m.forward_params.includes(k)) m.forward_params.push(k);
      stepHook = onStep;
      try {
        const out = await m.generate({
          ...idsToInputs(ids),
          ...extra,
          max_new_tokens: maxNewTokens,
          do_sample: false,
        });
        return (out.tolist() as bigint[][])[0]?.map(Number) ?? [];
      } finally {
        stepHook = undefined;
      }
    },
    async dispose() {
      await m.dispose();
    },
  };
}

/** input_ids + attention_mask for one unpadded sequence. */
export function idsToInputs(ids: readonly number[]): Record<string, Tensor> {
  return {
    input_ids: new Tensor(
      'int64',
      BigInt64Array.from(ids, (i) => BigInt(i)),
      [1, ids.length],
    ),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
  };
}

/** cap_v / cap_tau feeds named as the instrumented graph wants them. */
export function capFeeds(
  names: { v: string; tau: string; shift: string },
  v: readonly Float32Array[],
  tau: readonly number[],
  shift: readonly number[] = tau.map(() => 0),
): Record<string, Tensor> {
  const hidden = v[0]?.length ?? 0;
  const flat = new Float32Array(v.length * hidden);
  v.forEach((row, k) => flat.set(row, k * hidden));
  return {
    [names.v]: new Tensor('float32', flat, [v.length, hidden]),
    [names.tau]: new Tensor('float32', Float32Array.from(tau), [1, tau.length]),
    [names.shift]: new Tensor('float32', Float32Array.from(shift), [1, shift.length]),
  };
}

/** What the rewritten output head is asked for: logits rows, and log-probabilities of `targets` at `at`. */
export interface HeadAsk {
  readonly logitsAt: readonly number[];
  readonly logprobAt?: readonly number[];
  readonly targets?: readonly number[];
}

/** logits_positions / logprob_positions / logprob_targets feeds named as the instrumented graph wants them. */
export function headFeeds(
  names: { logitsPositions: string; logprobPositions: string; logprobTargets: string },
  ask: HeadAsk,
): Record<string, Tensor> {
  const at = ask.logprobAt ?? [];
  const targets = ask.targets ?? [];
  const i64 = (xs: readonly number[]): BigInt64Array => BigInt64Array.from(xs, (x) => BigInt(x));
  return {
    [names.logitsPositions]: new Tensor('int64', i64(ask.logitsAt), [ask.logitsAt.length]),
    [names.logprobPositions]: new Tensor('int64', i64(at), [at.length]),
    [names.logprobTargets]: new Tensor('int64', i64(targets), [1, targets.length]),
  };
}

/**
 * Every position's next-token log-probability for `ids` (positions 0..n-2, targets ids[1..]), plus the last
 * row's logits asked twice, as the engine asks for them (src/worker/forward.ts: a one-row MatMulNBits rounds
 * differently from a many-row one).
 */
export function scoreAll(ids: readonly number[]): HeadAsk {
  return { logitsAt: [-1, -1], logprobAt: ids.slice(1).map((_, t) => t), targets: ids.slice(1) };
}
