// The engine benchmark on a small random-weight model (genai-builder layout): instrumentation overhead on
// scoring, capping overhead on generation, re-scoring after an edit vs a cold score, and peak memory.
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import { unitVector, type AxisSpec } from '../src/core/axis/axisSpec';
import { Engine } from '../src/worker/engine';
import {
  NO_HEAD,
  runChunk,
  type CapFeeds,
  type DecoderModel,
  type GraphIo,
  type PastTensors,
} from '../src/worker/forward';
import { instrumentModel } from '../src/worker/graph/instrument';
import { instrumentedCacheDir } from '../src/model/graphFiles';
import { chatTokenizerFrom, mapTokens } from '../src/worker/tokenMap';
import { mulberry32 } from '../test/support/prng';
import { ENGINE_MODEL, ensureModel } from './models';
import { conversation, median, pairedRatio, timed } from './util';

const SPEC = ENGINE_MODEL.spec;
const CAP_LAYERS = [...ENGINE_MODEL.capLayers];
const CHUNK = 256;
const never = new AbortController().signal;

function axis(seed: number, taus: number[] = CAP_LAYERS.map(() => -Infinity)): AxisSpec {
  const r = mulberry32(seed);
  const h = SPEC.hiddenSize as number;
  return {
    hiddenSize: h,
    vectors: Array.from({ length: SPEC.numLayers as number }, () =>
      unitVector(Float32Array.from({ length: h }, () => r() * 2 - 1)),
    ),
    monitorLayer: 6,
    capLayers: CAP_LAYERS,
    taus: Float32Array.from(taus),
  };
}

/** Chunked prefill over ids, as the engine does; returns ms. No residual outputs = plain forward. */
async function prefill(
  model: DecoderModel,
  ids: number[],
  io: GraphIo,
  cap: CapFeeds | null,
): Promise<number> {
  const [ms] = await timed(async () => {
    let past: PastTensors | null = null;
    for (let pos = 0; pos < ids.length; pos += CHUNK) {
      const out = await runChunk(model, io, ids.slice(pos, pos + CHUNK), pos, past, cap, NO_HEAD);
      past = out.present;
    }
  });
  return ms;
}

/** Runs the engine benchmark with `rounds` interleaved rounds; `cacheDir` holds the instrumented graphs. */
export async function benchEngine(rounds: number, cacheDir: string): Promise<Record<string, unknown>> {
  const ROUNDS = rounds;
  const modelDir = ensureModel(ENGINE_MODEL);
  const rss0 = process.memoryUsage().rss;
  const engine = new Engine();
  const [loadMs, info] = await timed(() =>
    engine.load(
      { id: 1, type: 'load', model: modelDir, dtype: 'fp32', capLayers: CAP_LAYERS, cacheDir, offline: true },
      () => undefined,
      never,
    ),
  );
  const full = conversation('coding.json', 60);
  const edited = full.map((m, i) =>
    i === full.length - 1 ? { ...m, content: `${m.content} One more line at the end.` } : m,
  );

  // 1. Re-score after editing the last turn vs a cold score (a new axis key forces cold).
  const cold: number[] = [];
  const warm: number[] = [];
  let tokens = 0;
  let reused = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = axis(100 + r);
    const [c, res] = await timed(() =>
      engine.score({ id: 2, type: 'score', messages: full, axis: a, capping: false }, never),
    );
    const [w, res2] = await timed(() =>
      engine.score({ id: 3, type: 'score', messages: edited, axis: a, capping: false }, never),
    );
    cold.push(c);
    warm.push(w);
    tokens = res.totalTokens;
    reused = res2.reusedTokens;
  }

  // 2. Generation: capped (floors at 0 on the band, which lifts about half the tokens) vs uncapped.
  // Decode steps only: time from the first streamed token to the last (the prompt prefill is excluded).
  const prompt = full.slice(0, 3);
  const capped = axis(
    5,
    CAP_LAYERS.map(() => 0),
  );
  const genOn: number[] = [];
  const genOff: number[] = [];
  let genTokens = 0;
  // Round -1 warms both variants up and is not recorded (the first decode ran up to 1.9x slow).
  for (let r = -1; r < ROUNDS; r++) {
    for (const on of r % 2 ? [true, false] : [false, true]) {
      const stamps: number[] = [];
      const g = await engine.generate(
        {
          id: 4,
          type: 'generate',
          messages: prompt,
          axis: capped,
          capping: on,
          maxTokens: 40,
          sampling: { kind: 'greedy' },
        },
        () => stamps.push(performance.now()),
        never,
      );
      genTokens = g.tokens.tokenId.length;
      if (r >= 0 && stamps.length > 1)
        (on ? genOn : genOff).push(
          (stamps.length - 1) / (((stamps.at(-1) as number) - (stamps[0] as number)) / 1000),
        );
    }
  }
  const peakRssEngine = process.resourceUsage().maxRSS * 1024;

  // 3. Scoring throughput: instrumented forward (+ residual copy + projections) vs plain transformers.js forward.
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true }));
  const ids = mapTokens(tok, full, false).ids;
  const plain = (await AutoModelForCausalLM.from_pretrained(modelDir, {
    dtype: 'fp32',
    local_files_only: true,
  })) as unknown as DecoderModel;
  const inst = await instrumentModel(modelDir, {
    dtype: 'fp32',
    settings: { capLayers: CAP_LAYERS },
    cacheDir: instrumentedCacheDir(cacheDir),
  });
  const instModel = (await AutoModelForCausalLM.from_pretrained(inst.dir, {
    dtype: 'fp32',
    local_files_only: true,
    session_options: inst.sessionOptions,
  })) as unknown as DecoderModel;
  const h = info.hiddenSize;
  const off: CapFeeds | null = inst.capInputs && {
    names: inst.capInputs,
    v: new Tensor('float32', new Float32Array(CAP_LAYERS.length * h).fill(1 / Math.sqrt(h)), [
      CAP_LAYERS.length,
      h,
    ]),
    tau: new Tensor('float32', new Float32Array(CAP_LAYERS.length).fill(-Infinity), [1, CAP_LAYERS.length]),
    shift: new Tensor('float32', new Float32Array(CAP_LAYERS.length), [1, CAP_LAYERS.length]),
  };
  const plainMs: number[] = [];
  const instMs: number[] = [];
  const scoreMs: number[] = [];
  // Warm-up of all three (a session's first run grows onnxruntime's arena: up to 1.4x slow).
  await prefill(plain, ids, { residualOutputs: [], head: null }, null);
  await prefill(instModel, ids, inst, off);
  await engine.score({ id: 5, type: 'score', messages: full, axis: axis(199), capping: false }, never);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['inst', 'plain', 'score'] : ['plain', 'score', 'inst'];
    for (const which of order) {
      if (which === 'plain')
        plainMs.push(await prefill(plain, ids, { residualOutputs: [], head: null }, null));
      else if (which === 'inst') instMs.push(await prefill(instModel, ids, inst, off));
      else
        scoreMs.push(
          (
            await timed(() =>
              engine.score(
                { id: 5, type: 'score', messages: full, axis: axis(200 + r), capping: false },
                never,
              ),
            )
          )[0],
        );
    }
  }
  await plain.dispose();
  await instModel.dispose();
  await engine.unload();

  return {
    model: { ...SPEC, dir: modelDir, loadMs: Math.round(loadMs), capLayers: CAP_LAYERS },
    rounds: ROUNDS,
    scoring: {
      tokens: ids.length,
      plainForwardMsMedian: median(plainMs),
      instrumentedForwardMsMedian: median(instMs),
      engineScoreColdMsMedian: median(scoreMs),
      throughputRatioForward: pairedRatio(plainMs, instMs),
      throughputRatioEngineScore: pairedRatio(plainMs, scoreMs),
      target: '>= 0.95',
    },
    generation: {
      tokensPerRun: genTokens,
      uncappedTokPerSMedian: median(genOff),
      cappedTokPerSMedian: median(genOn),
      ratio: pairedRatio(genOn, genOff),
      target: '>= 0.95',
    },
    rescore: {
      tokens,
      reusedTokens: reused,
      coldMsMedian: median(cold),
      afterEditMsMedian: median(warm),
      ratio: pairedRatio(warm, cold),
      target: '<= 0.2',
    },
    memory: {
      rssBeforeLoadMB: Math.round(rss0 / 2 ** 20),
      peakRssEngineOnlyMB: Math.round(peakRssEngine / 2 ** 20),
      peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    },
    raw: { plainMs, instMs, scoreMs, cold, warm, genOn, genOff },
  };
}
