// Benchmarks of the model engine (`npm run bench`; JSON in bench/results/engine-<timestamp>.json), and a
// prompt stress test (bench/probe.ts). Models are
// random-weight graphs in the genai-builder layout, generated once into the OS temp folder (bench/models.ts);
// variants are interleaved round by round because the CPU is shared.
//
//   npm run bench                      engine section (small model), prefill before/after at SmolLM2-135M and
//                                      Qwen2.5-0.5B shapes (512 tokens), first values through the CLI at
//                                      SmolLM2-135M shape; about 6 minutes on a busy 2-core VM, plus about
//                                      1.5 minutes once to generate the models (3.2 GB in the temp folder)
//   npm run bench -- --full            also 2048-token prefill and first values at Qwen2.5-0.5B shape
//   npm run bench -- --only prefill    only the named sections (engine, prefill, firstValues, dtypes,
//                                      probes, corpus, tokenHeat; comma-separated); dtypes (q8 vs fp32
//                                      generation at Qwen2.5-0.5B shape, generating a 1.2 GB q8 model once)
//                                      runs only when named
//   npm run bench -- --only batch      batch-16 vs single-stream decode tokens/s at Qwen2.5-0.5B shape, and a
//                                      7-reply capping sweep as one batch with per-row floors vs one by one
//   npm run bench -- --only axisEta    axis computation time (quick and full plan) at SmolLM2-135M and
//                                      Qwen2.5-0.5B shapes from a measured slice of each plan, against the
//                                      product's estimate; 8-15 minutes on a shared 2-core machine; only when named
//                                      (AXIS_ETA_BATCHES=N batches of 16 per plan, default 2)
//   npm run bench -- --only axisQuality  quick vs full axis on the demo model through the CLI (cos per layer,
//                                      held-out AUC, role order, verdict); about 1 minute
//   BENCH_ROUNDS=N                     rounds per measurement (default 3; first values: 2)
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCorpus, type CorpusResult } from './corpus';
import { benchAxisEta, summarizeAxisEta, type AxisEtaModel } from './axisEta';
import { benchAxisQuality, summarizeAxisQuality, type AxisQualityResult } from './axisQuality';
import { benchBatch, benchSweepBatch } from './batch';
import { benchEngine } from './engine';
import { benchDtypes, type DtypeGenerationResult } from './dtypes';
import { benchFirstValues, type FirstValuesResult } from './firstValues';
import { generateModel, QWEN25_05B, ROOT, SMOLLM2_135M } from './models';
import { benchPrefill, type PrefillResult } from './prefill';
import { generateProbeModel, probeBench } from './probe';
import { benchTokenHeat } from './tokenHeat';

const SECTIONS = ['engine', 'prefill', 'firstValues', 'dtypes', 'probes', 'batch', 'corpus', 'tokenHeat', 'axisEta', 'axisQuality'] as const;
/** Sections a plain `npm run bench` runs (dtypes generates a large model, axisEta takes about 10 minutes: only when asked). */
const DEFAULT_SECTIONS = SECTIONS.filter((s) => s !== 'dtypes' && s !== 'axisEta');

async function main(): Promise<void> {
  if (process.argv[2] === '--generate-model') {
    await generateModel(process.argv[3] as string, process.argv[4] as string);
    return;
  }
  if (process.argv[2] === '--generate-probe-model') {
    await generateProbeModel(process.argv[3] as string);
    return;
  }
  const { values } = parseArgs({
    options: { full: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...DEFAULT_SECTIONS];
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
  const cacheDir = join(tmpdir(), 'persona-lens-bench-cache');
  const result: Record<string, unknown> = {
    name: 'engine',
    date: new Date().toISOString(),
    full: values.full,
  };

  if (only.includes('engine')) {
    console.log('engine (small model):');
    result['engine'] = await benchEngine(rounds, cacheDir);
  }
  if (only.includes('batch')) {
    console.log('batched generation, qwen2.5-0.5b shape fp32:');
    result['batch'] = await benchBatch(rounds, cacheDir);
    console.log(JSON.stringify(result['batch']));
    console.log('capping sweep, one batch with per-row floors vs one reply at a time, qwen2.5-0.5b shape fp32:');
    result['sweepBatch'] = await benchSweepBatch(rounds, cacheDir);
    console.log(JSON.stringify(result['sweepBatch']));
  }
  if (only.includes('prefill')) {
    const prefill: PrefillResult[] = [];
    const lengths = values.full ? [512, 2048] : [512];
    for (const m of [SMOLLM2_135M(), QWEN25_05B()]) {
      console.log(`prefill before/after, ${m.name} shape:`);
      prefill.push(...(await benchPrefill(m, lengths, rounds, join(cacheDir, 'instrumented'))));
    }
    result['prefill'] = prefill;
  }
  if (only.includes('firstValues')) {
    const firstValues: FirstValuesResult[] = [];
    const fvRounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
    for (const m of values.full ? [SMOLLM2_135M(), QWEN25_05B()] : [SMOLLM2_135M()]) {
      console.log(`first values through the CLI, ${m.name} shape:`);
      firstValues.push(await benchFirstValues(m, fvRounds));
    }
    result['firstValues'] = firstValues;
  }
  if (only.includes('dtypes')) {
    console.log('generation, q8 vs fp32, qwen2.5-0.5b shape:');
    result['dtypes'] = await benchDtypes(QWEN25_05B(), rounds, cacheDir);
  }
  if (only.includes('axisEta')) {
    console.log('axis computation time, quick and full plans, from a measured slice of each:');
    result['axisEta'] = await benchAxisEta([SMOLLM2_135M(), QWEN25_05B()], join(__dirname, 'worker.js'), cacheDir, Number(process.env['AXIS_ETA_BATCHES'] ?? 2));
  }
  if (only.includes('axisQuality')) {
    console.log('quick vs full axis on the demo model (CLI):');
    result['axisQuality'] = benchAxisQuality(join(__dirname, 'cli.js'));
  }
  if (only.includes('probes')) {
    // A prompt stress test (the quick probe set) on the demo model and at SmolLM2-135M's shape.
    console.log('prompt stress test (quick probe set):');
    result['probes'] = await probeBench(ROOT, join(__dirname, 'worker.js'), __filename);
  }
  if (only.includes('tokenHeat')) {
    console.log('token heat in the editor (30 turns, ~20k tokens):');
    result['tokenHeat'] = await benchTokenHeat(Number(process.env['BENCH_ROUNDS'] ?? 20));
  }

  if (only.includes('corpus')) {
    // Conversations per minute through the CLI with --jobs 1 and 2, side by side, on the demo model.
    console.log('corpus scoring through the CLI (demo model), --jobs 1 and 2:');
    result['corpus'] = await benchCorpus(rounds);
  }

  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `engine-${String(result['date']).replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  summarize(result);
  console.log(`written ${file}`);
}

function summarize(result: Record<string, unknown>): void {
  const e = result['engine'] as
    | {
        scoring: { throughputRatioForward: number; throughputRatioEngineScore: number };
        generation: { ratio: number };
        rescore: { ratio: number; reusedTokens: number; tokens: number };
        memory: { peakRssEngineOnlyMB: number; peakRssMB: number };
      }
    | undefined;
  if (e) {
    console.log(
      `scoring throughput, instrumented / plain forward: ${e.scoring.throughputRatioForward.toFixed(3)}x (engine.score end to end: ${e.scoring.throughputRatioEngineScore.toFixed(3)}x; target >= 0.95)`,
    );
    console.log(`generation tokens/s, capped / uncapped: ${e.generation.ratio.toFixed(3)}x (target >= 0.95)`);
    console.log(
      `re-score after editing the last turn / cold score: ${e.rescore.ratio.toFixed(3)}x (${e.rescore.reusedTokens} of ${e.rescore.tokens} tokens reused; target <= 0.2)`,
    );
    console.log(
      `peak RSS: ${e.memory.peakRssEngineOnlyMB} MB with the engine alone, ${e.memory.peakRssMB} MB overall`,
    );
  }
  for (const p of (result['prefill'] as PrefillResult[] | undefined) ?? []) {
    console.log(
      `prefill ${p.model} ${p.tokens} tokens: before ${p.before.tokPerS} tok/s, after ${p.after.tokPerS} tok/s with surprise (${p.speedup}x; by CPU time ${p.speedupCpu}x), ${p.afterNoSurprise.tokPerS} tok/s without (${p.speedupNoSurprise}x; CPU ${p.speedupNoSurpriseCpu}x); ${p.threads} threads ${p.afterThreads.tokPerS} tok/s (${p.threadsSpeedup}x one thread); load average ${p.loadAverage.join(' ')}`,
    );
    const f = p.flopLimit;
    console.log(
      `  against onnxruntime's MatMul peak at this shape (${f.matmulGflops.oneThread} GFLOP/s one thread, ${f.matmulGflops.threads} at ${p.threads}): decoder layers at ${f.after.gflops} GFLOP/s (${Math.round(100 * f.after.shareOfPeak)}%) and ${f.afterThreads.gflops} (${Math.round(100 * f.afterThreads.shareOfPeak)}%)`,
    );
  }
  const probes = result['probes'] as Awaited<ReturnType<typeof probeBench>> | undefined;
  for (const [how, p] of probes
    ? ([
        ['batched', probes.demo],
        ['streamed', probes.demoStreamed],
        ['batched', probes.smollm2_135mShape],
        ['streamed', probes.smollm2_135mShapeStreamed],
      ] as const)
    : []) {
    console.log(
      `quick probe set on ${p.model === 'demo' ? 'the demo model' : 'a SmolLM2-135M-shape model'}, ${how}: ${p.replies} replies, ${p.generatedTokens} tokens in ${(p.wallMs / 1000).toFixed(1)} s (${p.tokensPerSecond.toFixed(1)} tokens/s, ${p.msPerReply} ms per reply)`,
    );
  }
  if (probes)
    console.log(`probe runs in lockstep batches: ${probes.batchedSpeedup.demo.toFixed(2)}x (demo), ${probes.batchedSpeedup.smollm2_135mShape.toFixed(2)}x (SmolLM2-135M shape) the wall time of one probe at a time`);
  const corpus = result['corpus'] as CorpusResult | undefined;
  if (corpus) {
    for (const r of corpus.runs)
      console.log(
        `corpus, ${corpus.conversations} conversations in ${corpus.files} files, --jobs ${r.jobs} (${r.threadsPerJob ?? 'default'} threads each): ${r.conversationsPerMinute} conversations/min end to end, ${r.scoringConversationsPerMinute} scoring only`,
      );
    console.log(`corpus, 2 jobs / 1 job: ${corpus.speedup}x end to end, ${corpus.scoringSpeedup}x scoring only (${corpus.cores} cores; load average ${corpus.loadAverage.join(' ')})`);
  }
  const d = result['dtypes'] as DtypeGenerationResult | undefined;
  if (d)
    console.log(
      `generation ${d.model}, ${d.threads} threads: fp32 ${d.tokPerSMedian['fp32']} tok/s, q8 ${d.tokPerSMedian['q8']} tok/s (${d.speedup}x; target >= 2.5x); load average ${d.loadAverage.join(' ')}`,
    );
  for (const line of summarizeAxisEta((result['axisEta'] as AxisEtaModel[] | undefined) ?? [])) console.log(line);
  const q = result['axisQuality'] as AxisQualityResult | undefined;
  if (q) for (const line of summarizeAxisQuality(q)) console.log(line);
  for (const f of (result['firstValues'] as FirstValuesResult[] | undefined) ?? []) {
    console.log(
      `first values through the CLI, ${f.model} (${f.turns} turns, ${f.tokens} tokens): cold ${f.coldSMedian} s, warm ${f.warmSMedian} s; CPU cold ${f.coldCpuSMedian} s, warm ${f.warmCpuSMedian} s (${f.target}); load average ${f.loadAverage.join(' ')}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
