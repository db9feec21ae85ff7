// Benchmarks of the model engine (`npm run bench`): instrumentation overhead on scoring, capping
// overhead on generation, re-scoring after an edit vs a cold score, peak memory, and a prompt
// stress test (bench/probe.ts). Runs on a
// random-weight model in the genai-builder layout at a realistic-ish shape (generated once and kept
// in the OS temp folder), with variants interleaved round by round because the CPU is shared.
// Results: bench/results/engine-<timestamp>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import { unitVector, type AxisSpec } from '../src/core/axis/axisSpec';
import { Engine } from '../src/worker/engine';
import { runChunk, type CapFeeds, type DecoderModel, type PastTensors } from '../src/worker/forward';
import { instrumentModel } from '../src/worker/graph/instrument';
import type { ChatMessage } from '../src/worker/protocol';
import { chatTokenizerFrom, mapTokens } from '../src/worker/tokenMap';
import { mulberry32 } from '../test/support/prng';
import { writeTinyModel, type TinyModelSpec } from '../test/support/tinyModels';
import { generateProbeModel, probeBench } from './probe';
import { TRANSCRIPTS_DIR } from '../test/support/shared.mjs';

const SPEC: Partial<TinyModelSpec> = {
  layout: 'genai',
  dtype: 'fp32',
  numLayers: 12,
  hiddenSize: 384,
  numHeads: 6,
  numKvHeads: 2,
  intermediateSize: 1024,
  maxPositions: 4096,
  seed: 7,
};
/** Capping band at about 70%..89% of depth (design.md). */
const CAP_LAYERS = [8, 9, 10];
const CHUNK = 256;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const never = new AbortController().signal;
const root = join(__dirname, '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function axis(seed: number, taus: number[] = CAP_LAYERS.map(() => -Infinity)): AxisSpec {
  const r = mulberry32(seed);
  const h = SPEC.hiddenSize as number;
  return {
    hiddenSize: h,
    vectors: Array.from({ length: SPEC.numLayers as number }, () => unitVector(Float32Array.from({ length: h }, () => r() * 2 - 1))),
    monitorLayer: 6,
    capLayers: CAP_LAYERS,
    taus: Float32Array.from(taus),
  };
}

/** The 30-turn coding transcript, each message cut so the whole stays inside the model's context. */
function conversation(name: string, maxChars: number): ChatMessage[] {
  const path = join(TRANSCRIPTS_DIR, name);
  const j = JSON.parse(readFileSync(path, 'utf8')) as { conversation: ChatMessage[] };
  return j.conversation.map((m) => ({ role: m.role, content: m.content.slice(0, maxChars) }));
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

/** Chunked prefill over ids, as the engine does; returns ms. residualOutputs empty = plain forward. */
async function prefill(model: DecoderModel, ids: number[], residualOutputs: readonly string[], cap: CapFeeds | null): Promise<number> {
  const [ms] = await timed(async () => {
    let past: PastTensors | null = null;
    for (let pos = 0; pos < ids.length; pos += CHUNK) {
      const out = await runChunk(model, residualOutputs, ids.slice(pos, pos + CHUNK), pos, past, cap, false);
      past = out.present;
    }
  });
  return ms;
}

async function main(): Promise<void> {
  const modelDir = join(tmpdir(), `persona-lens-bench-${SPEC.numLayers}x${SPEC.hiddenSize}-s${SPEC.seed}`);
  const cacheDir = join(tmpdir(), 'persona-lens-bench-cache');
  if (process.argv[2] === '--generate-probe-model') {
    await generateProbeModel(process.argv[3] as string);
    return;
  }
  if (process.argv.includes('--generate-model')) {
    await writeTinyModel(modelDir, SPEC);
    return;
  }
  if (!existsSync(join(modelDir, 'config.json'))) {
    // In a child process, so generating the weights does not count in this process's peak memory.
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [__filename, '--generate-model'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`generating the benchmark model failed (exit ${r.status})`);
    console.log(`generated the model in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${modelDir}`);
  }
  const rss0 = process.memoryUsage().rss;
  const engine = new Engine();
  const [loadMs, info] = await timed(() => engine.load({ id: 1, type: 'load', model: modelDir, dtype: 'fp32', capLayers: CAP_LAYERS, cacheDir, offline: true }, () => undefined, never));
  const full = conversation('coding.json', 60);
  const edited = full.map((m, i) => (i === full.length - 1 ? { ...m, content: `${m.content} One more line at the end.` } : m));

  // 1. Re-score after editing the last turn vs a cold score (a new axis key forces cold).
  const cold: number[] = [];
  const warm: number[] = [];
  let tokens = 0;
  let reused = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = axis(100 + r);
    const [c, res] = await timed(() => engine.score({ id: 2, type: 'score', messages: full, axis: a, capping: false }, never));
    const [w, res2] = await timed(() => engine.score({ id: 3, type: 'score', messages: edited, axis: a, capping: false }, never));
    cold.push(c);
    warm.push(w);
    tokens = res.totalTokens;
    reused = res2.reusedTokens;
  }

  // 2. Generation: capped (floors at 0 on the band, which lifts about half the tokens) vs uncapped.
  // Decode steps only: time from the first streamed token to the last (the prompt prefill is excluded).
  const prompt = full.slice(0, 3);
  const capped = axis(5, CAP_LAYERS.map(() => 0));
  const genOn: number[] = [];
  const genOff: number[] = [];
  let genTokens = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const on of r % 2 ? [true, false] : [false, true]) {
      const stamps: number[] = [];
      const g = await engine.generate({ id: 4, type: 'generate', messages: prompt, axis: capped, capping: on, maxTokens: 40, sampling: { kind: 'greedy' } }, () => stamps.push(performance.now()), never);
      genTokens = g.tokens.tokenId.length;
      if (stamps.length > 1) (on ? genOn : genOff).push((stamps.length - 1) / (((stamps.at(-1) as number) - (stamps[0] as number)) / 1000));
    }
  }
  const peakRssEngine = process.resourceUsage().maxRSS * 1024;

  // 3. Scoring throughput: instrumented forward (+ residual copy + projections) vs plain transformers.js forward.
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true }));
  const ids = mapTokens(tok, full, false).ids;
  const plain = (await AutoModelForCausalLM.from_pretrained(modelDir, { dtype: 'fp32', local_files_only: true })) as unknown as DecoderModel;
  const inst = await instrumentModel(modelDir, { dtype: 'fp32', settings: { capLayers: CAP_LAYERS }, cacheDir: join(cacheDir, 'instrumented') });
  const instModel = (await AutoModelForCausalLM.from_pretrained(inst.dir, { dtype: 'fp32', local_files_only: true, session_options: inst.sessionOptions })) as unknown as DecoderModel;
  const h = info.hiddenSize;
  const off: CapFeeds | null = inst.capInputs && {
    names: inst.capInputs,
    v: new Tensor('float32', new Float32Array(CAP_LAYERS.length * h).fill(1 / Math.sqrt(h)), [CAP_LAYERS.length, h]),
    tau: new Tensor('float32', new Float32Array(CAP_LAYERS.length).fill(-Infinity), [CAP_LAYERS.length]),
  };
  const plainMs: number[] = [];
  const instMs: number[] = [];
  const scoreMs: number[] = [];
  await prefill(plain, ids, [], null); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['inst', 'plain', 'score'] : ['plain', 'score', 'inst'];
    for (const which of order) {
      if (which === 'plain') plainMs.push(await prefill(plain, ids, [], null));
      else if (which === 'inst') instMs.push(await prefill(instModel, ids, inst.residualOutputs, off));
      else scoreMs.push((await timed(() => engine.score({ id: 5, type: 'score', messages: full, axis: axis(200 + r), capping: false }, never)))[0]);
    }
  }
  await plain.dispose();
  await instModel.dispose();
  await engine.unload();

  // 4. A prompt stress test (the quick probe set) on the demo model and at SmolLM2-135M's shape.
  const probes = await probeBench(root, join(__dirname, 'worker.js'), __filename);

  const result = {
    name: 'engine',
    date: new Date().toISOString(),
    model: { ...SPEC, dir: modelDir, loadMs: Math.round(loadMs), capLayers: CAP_LAYERS },
    rounds: ROUNDS,
    scoring: {
      tokens: ids.length,
      plainForwardMsMedian: median(plainMs),
      instrumentedForwardMsMedian: median(instMs),
      engineScoreColdMsMedian: median(scoreMs),
      throughputRatioForward: median(plainMs) / median(instMs),
      throughputRatioEngineScore: median(plainMs) / median(scoreMs),
      target: '>= 0.90',
    },
    generation: {
      tokensPerRun: genTokens,
      uncappedTokPerSMedian: median(genOff),
      cappedTokPerSMedian: median(genOn),
      ratio: median(genOn) / median(genOff),
      target: '>= 0.95',
    },
    rescore: {
      tokens,
      reusedTokens: reused,
      coldMsMedian: median(cold),
      afterEditMsMedian: median(warm),
      ratio: median(warm) / median(cold),
      target: '<= 0.2',
    },
    memory: { rssBeforeLoadMB: Math.round(rss0 / 2 ** 20), peakRssEngineOnlyMB: Math.round(peakRssEngine / 2 ** 20), peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20) },
    probes,
    raw: { plainMs, instMs, scoreMs, cold, warm, genOn, genOff },
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `engine-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`model ${SPEC.numLayers} layers x hidden ${SPEC.hiddenSize}, ${ids.length}-token transcript, ${ROUNDS} interleaved rounds`);
  console.log(`scoring throughput, instrumented / plain forward: ${result.scoring.throughputRatioForward.toFixed(3)}x (engine.score end to end: ${result.scoring.throughputRatioEngineScore.toFixed(3)}x; target >= 0.90)`);
  console.log(`generation tokens/s, capped / uncapped: ${result.generation.ratio.toFixed(3)}x (target >= 0.95)`);
  console.log(`re-score after editing the last turn / cold score: ${result.rescore.ratio.toFixed(3)}x (${reused} of ${tokens} tokens reused; target <= 0.2)`);
  console.log(`peak RSS: ${result.memory.peakRssEngineOnlyMB} MB with the engine alone, ${result.memory.peakRssMB} MB overall`);
  for (const p of [probes.demo, probes.smollm2_135mShape]) {
    console.log(`quick probe set on ${p.model === 'demo' ? 'the demo model' : 'a SmolLM2-135M-shape model'}: ${p.replies} replies, ${p.generatedTokens} tokens in ${(p.wallMs / 1000).toFixed(1)} s (${p.tokensPerSecond.toFixed(1)} tokens/s, ${p.msPerReply} ms per reply)`);
  }
  console.log(`written ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
