// Prefill throughput before and after the output-head rewrite (issue 30), side by side in one process:
//  - before: the graph with 'logits' at every position (instrumented with allPositionLogits, the layout
//    before REWRITE_VERSION 2), fed in 256-token chunks as the engine does, nothing asked of the head;
//  - after: the current graph asked for every content token's log-probability (what Engine.score asks:
//    surprise included), and the same graph asked for nothing (residuals only).
//  - afterThreads: 'after' in a session with the engine's default thread count (every CPU the process may
//    use; issue 25), where the three above run on one intra-op thread.
// Each variant copies the residuals as the engine does. Rounds interleave the variants in a rotating order.
import { loadavg } from 'node:os';
import { defaultThreads } from '../src/worker/engine';
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import { instrumentModel, type InstrumentedModel } from '../src/worker/graph/instrument';
import {
  NO_HEAD,
  runChunk,
  type CapFeeds,
  type DecoderModel,
  type HeadAsk,
  type PastTensors,
} from '../src/worker/forward';
import { chatTokenizerFrom, mapTokens } from '../src/worker/tokenMap';
import type { BenchModel } from './models';
import { decoderFlopsPerToken, matmulPeak } from './matmulPeak';
import { ensureModel } from './models';
import { conversation, median, timed } from './util';

const CHUNK = 256;

interface Variant {
  readonly name: 'before' | 'after' | 'afterNoSurprise' | 'afterThreads';
  readonly model: DecoderModel;
  readonly inst: InstrumentedModel;
  readonly logProbs: boolean;
}

/**
 * Wall and CPU ms for one chunked prefill of ids; with logProbs, also the mean negative log-likelihood
 * (nats/token). onnxruntime runs on one core here by default, so CPU time is what the wall time would be on
 * an idle machine (the benchmark VMs are shared: wall times vary 2-3x with other jobs).
 */
async function prefill(
  v: Variant,
  ids: readonly number[],
  content: Uint8Array,
  cap: CapFeeds | null,
): Promise<{ ms: number; cpuMs: number; surprise: number }> {
  let nll = 0;
  let count = 0;
  const cpu0 = process.cpuUsage();
  const [ms] = await timed(async () => {
    let past: PastTensors | null = null;
    for (let pos = 0; pos < ids.length; pos += CHUNK) {
      const piece = ids.slice(pos, pos + CHUNK);
      let ask: HeadAsk = NO_HEAD;
      if (v.logProbs) {
        // As Engine.score asks: the log-probability of every content token (template markup is not scored).
        const at = piece
          .map((_, p) => p)
          .filter((p) => pos + p + 1 < ids.length && content[pos + p + 1] === 1);
        ask = { lastLogits: false, logProbAt: at, targets: at.map((p) => ids[pos + p + 1] as number) };
      }
      const out = await runChunk(v.model, v.inst, piece, pos, past, cap, ask);
      for (const x of out.logProbs) {
        nll -= x;
        count++;
      }
      past = out.present;
    }
  });
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, surprise: count > 0 ? nll / count : NaN };
}

function capFeeds(inst: InstrumentedModel): CapFeeds | null {
  if (!inst.capInputs) return null;
  const n = inst.capLayers.length;
  const h = inst.hiddenSize;
  return {
    names: inst.capInputs,
    v: new Tensor('float32', new Float32Array(n * h).fill(1 / Math.sqrt(h)), [n, h]),
    tau: new Tensor('float32', new Float32Array(n).fill(-Infinity), [1, n]),
    shift: new Tensor('float32', new Float32Array(n), [1, n]),
  };
}

interface VariantStats {
  readonly msMedian: number;
  readonly tokPerS: number;
  readonly cpuMsMedian: number;
  readonly tokPerCpuS: number;
}

/** Unmeasured runs of every variant before the measured rounds. */
const PREFILL_WARMUP = 3;

export interface PrefillResult {
  readonly model: string;
  readonly tokens: number;
  readonly rounds: number;
  readonly chunk: number;
  /** Median wall ms and tokens/s per variant, and median CPU ms and tokens per CPU second. */
  readonly before: VariantStats;
  readonly after: VariantStats & { surpriseNats: number };
  readonly afterNoSurprise: VariantStats;
  /** 'after' with `threads` intra-op threads (the others run on one). */
  readonly afterThreads: VariantStats;
  readonly threads: number;
  /** afterThreads tokens/s over after tokens/s (wall time: more threads spend more CPU for less wall). */
  readonly threadsSpeedup: number;
  /** after tokens/s over before tokens/s (surprise included), by wall time and by CPU time. */
  readonly speedup: number;
  readonly speedupCpu: number;
  readonly speedupNoSurprise: number;
  readonly speedupNoSurpriseCpu: number;
  readonly loadAverage: number[];
  readonly target: string;
  /**
   * Prefill against the FLOP limit measured in the same run: onnxruntime's MatMul at this shape's MLP
   * product (one thread, and `threads`), and the decoder-layer GFLOP/s each prefill variant reached
   * (the output layer's work is left out, so with surprise this understates what the graph did).
   */
  readonly flopLimit: {
    readonly decoderGflopPerToken: number;
    readonly matmulGflops: { readonly oneThread: number; readonly threads: number };
    readonly after: { readonly gflops: number; readonly shareOfPeak: number };
    readonly afterThreads: { readonly gflops: number; readonly shareOfPeak: number };
    readonly target: string;
  };
  readonly raw: Record<string, number[]>;
}

/** Prefill tokens/s before vs after at each prompt length, on model `m`. */
export async function benchPrefill(
  m: BenchModel,
  lengths: readonly number[],
  rounds: number,
  cacheDir: string,
): Promise<PrefillResult[]> {
  const dir = ensureModel(m);
  const threads = defaultThreads();
  const load = async (inst: InstrumentedModel, intraOpNumThreads = 1): Promise<DecoderModel> =>
    await AutoModelForCausalLM.from_pretrained(inst.dir, {
      dtype: 'fp32',
      local_files_only: true,
      session_options: { ...inst.sessionOptions, intraOpNumThreads },
    });
  const settings = { capLayers: m.capLayers };
  const oldInst = await instrumentModel(dir, {
    dtype: 'fp32',
    settings: { ...settings, allPositionLogits: true },
    cacheDir,
  });
  const newInst = await instrumentModel(dir, { dtype: 'fp32', settings, cacheDir });
  const oldModel = await load(oldInst);
  const newModel = await load(newInst);
  const threadedModel = await load(newInst, threads);
  const variants: Variant[] = [
    { name: 'before', model: oldModel, inst: oldInst, logProbs: false },
    { name: 'after', model: newModel, inst: newInst, logProbs: true },
    { name: 'afterNoSurprise', model: newModel, inst: newInst, logProbs: false },
    { name: 'afterThreads', model: threadedModel, inst: newInst, logProbs: true },
  ];
  const cap = capFeeds(newInst);
  // Token ids of real text through the model's tokenizer and chat template, as long as asked.
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(dir, { local_files_only: true }));
  const text = ['coding.json', 'therapy.json', 'philosophy.json'].flatMap((f) => conversation(f, 100_000));
  const map = mapTokens(tok, text, false);
  const allIds = map.ids;
  const content = new Uint8Array(allIds.length);
  for (const t of map.positions) content[t] = 1;
  const results: PrefillResult[] = [];
  try {
    for (const n of lengths) {
      if (allIds.length < n) throw new Error(`the sample text is ${allIds.length} tokens, fewer than ${n}`);
      const ids = allIds.slice(0, n);
      // First runs grow onnxruntime's memory arena (the head with surprise holds two [chunk, vocabulary]
      // tensors at once): a single warm-up left the first measured round up to 1.8x slow, so three.
      for (let w = 0; w < PREFILL_WARMUP; w++) for (const v of variants) await prefill(v, ids, content, cap);
      const raw: Record<string, number[]> = {
        before: [],
        after: [],
        afterNoSurprise: [],
        afterThreads: [],
        afterThreadsCpu: [],
        beforeCpu: [],
        afterCpu: [],
        afterNoSurpriseCpu: [],
      };
      let surprise = NaN;
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < variants.length; k++) {
          const v = variants[(k + r) % variants.length] as Variant;
          const res = await prefill(v, ids, content, cap);
          raw[v.name]?.push(res.ms);
          raw[`${v.name}Cpu`]?.push(res.cpuMs);
          if (v.logProbs) surprise = res.surprise;
        }
        console.log(
          `  ${m.name} ${n} tokens, round ${r + 1}/${rounds}: ${variants.map((v) => `${v.name} ${Math.round(raw[v.name]?.at(-1) ?? 0)} ms (CPU ${Math.round(raw[`${v.name}Cpu`]?.at(-1) ?? 0)})`).join(', ')}`,
        );
      }
      const stat = (name: string): VariantStats => {
        const ms = median(raw[name] ?? []);
        const cpuMs = median(raw[`${name}Cpu`] ?? []);
        return {
          msMedian: Math.round(ms),
          tokPerS: Number(((n / ms) * 1000).toFixed(1)),
          cpuMsMedian: Math.round(cpuMs),
          tokPerCpuS: Number(((n / cpuMs) * 1000).toFixed(1)),
        };
      };
      const before = stat('before');
      const after = stat('after');
      const afterNoSurprise = stat('afterNoSurprise');
      const afterThreads = stat('afterThreads');
      const spec = m.spec as { numLayers: number; hiddenSize: number; numHeads: number; numKvHeads: number; intermediateSize: number };
      const perToken = decoderFlopsPerToken(spec);
      const peak1 = await matmulPeak(n, spec.hiddenSize, spec.intermediateSize, 1);
      const peakN = await matmulPeak(n, spec.hiddenSize, spec.intermediateSize, threads);
      const reached = (tokPerS: number, peak: number) => {
        const gflops = (tokPerS * perToken) / 1e9;
        return { gflops: Number(gflops.toFixed(1)), shareOfPeak: Number((gflops / peak).toFixed(3)) };
      };
      const flopLimit = {
        decoderGflopPerToken: Number((perToken / 1e9).toFixed(3)),
        matmulGflops: { oneThread: peak1.gflops, threads: peakN.gflops },
        after: reached(after.tokPerS, peak1.gflops),
        afterThreads: reached(afterThreads.tokPerS, peakN.gflops),
        target: 'prefill >= 50% of the MatMul peak at the same thread count',
      };
      results.push({
        model: m.name,
        tokens: n,
        rounds,
        chunk: CHUNK,
        before,
        after: { ...after, surpriseNats: Number(surprise.toFixed(4)) },
        afterNoSurprise,
        afterThreads,
        threads,
        threadsSpeedup: Number((afterThreads.tokPerS / after.tokPerS).toFixed(3)),
        speedup: Number((after.tokPerS / before.tokPerS).toFixed(3)),
        speedupCpu: Number((after.tokPerCpuS / before.tokPerCpuS).toFixed(3)),
        speedupNoSurprise: Number((afterNoSurprise.tokPerS / before.tokPerS).toFixed(3)),
        speedupNoSurpriseCpu: Number((afterNoSurprise.tokPerCpuS / before.tokPerCpuS).toFixed(3)),
        loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
        target: '>= 1.5 at Qwen2.5-0.5B shape, surprise included',
        flopLimit,
        raw,
      });
    }
  } finally {
    await oldModel.dispose();
    await newModel.dispose();
    await threadedModel.dispose();
  }
  return results;
}
