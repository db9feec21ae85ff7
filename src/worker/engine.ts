/**
 * The model engine: loads an instrumented model through transformers.js on onnxruntime-node (CPU)
 * and answers score / generate. Runs inside the worker thread (main.ts); no vscode, no messaging.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { axisSpecProblems, type AxisSpec } from '../core/axis/axisSpec';
import { projectTokens } from '../core/axis/projection';
import { mean } from '../core/stats/descriptive';
import { EngineError, throwIfAborted } from '../protocol/errors';
import { cropPast, nextTokenStats, runChunk, type CapFeeds, type DecoderModel, type PastTensors } from './forward';
import { InstrumentationError } from './graph/errors';
import { instrumentModel, type InstrumentedModel } from './graph/instrument';
import { instrumentedCacheDir } from '../model/graphFiles';
import { ensureHubModel } from './hubDownload';
import { isHubModelId } from '../model/hubIds';
import { checkModelFolder, configNumberProblems, readModelJson } from '../model/folder';
import { checkGraphBytes } from './graph/graphCheck';
import type {
  ActivationsRequest,
  ActivationsResult,
  GenerateRequest,
  GenerateResult,
  LoadRequest,
  ModelInfo,
  ProgressMessage,
  ScoreRequest,
  ScoreResult,
  RowFloors,
  Steering,
  TokenMessage,
} from '../protocol/messages';
import { seededRandom, sampleToken } from '../core/sampler';
import { DecodeBatch, stackCapRows } from './batchGenerate';
import { replyMeansFromDecode } from './replyMeans';
import { ReplyText } from './replyText';
import { chatTokenizerFrom, mapTokens, type ChatTokenizer, type TokenMapMemo } from './tokenMap';

const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';
const DEFAULT_PREFILL_CHUNK = 256;

type Progress = Omit<ProgressMessage, 'type' | 'id'>;

/** Score request as the engine takes it: any AxisSpec (a parsed protocol message is one). */
export type EngineScoreRequest = Omit<ScoreRequest, 'axis'> & { readonly axis: AxisSpec };
/** Generate request as the engine takes it; without an axis there are no projections. */
export type EngineGenerateRequest = Omit<GenerateRequest, 'axis'> & { readonly axis?: AxisSpec };
/** Batched generate: rows share maxTokens and axis; each has its messages and sampling, and may bring its own floors. */
export interface EngineGenerateBatchRequest {
  readonly rows: readonly {
    readonly messages: GenerateRequest['messages'];
    readonly sampling: GenerateRequest['sampling'];
    readonly floors?: RowFloors;
  }[];
  readonly axis?: AxisSpec;
  readonly capping: boolean;
  readonly maxTokens: number;
  readonly replyMeans?: boolean;
}

/** A token event of a batch row. */
export type BatchTokenEvent = Omit<TokenMessage, 'type' | 'id'> & { readonly row: number };

interface Loaded {
  readonly info: ModelInfo;
  readonly inst: InstrumentedModel;
  readonly model: DecoderModel;
  readonly tokenizer: ChatTokenizer;
  readonly stopIds: ReadonlySet<number>;
  readonly prefillChunk: number;
  /** config.json max_position_embeddings (Infinity when absent). */
  readonly maxPositions: number;
}

/** KV cache and per-layer projections of the last scored sequence (reused when a new one shares a prefix). */
interface KeptSequence {
  readonly ids: number[];
  readonly past: PastTensors | null;
  /** proj[L][t]: projection of position t at layer L, for every position of ids. */
  readonly proj: Float32Array[];
  /** logProb[t] = ln p(ids[t] | ids[<t]); NaN where it was not computed (and at t = 0). */
  readonly logProb: Float32Array;
  /** Axis vectors + cap feeds the cache was computed with; reuse needs an equal key. */
  readonly key: string;
}

/** What a prefill must return besides projections and the cache. */
interface PrefillWants {
  /** Logits of the last position (to sample the next token from). */
  readonly lastLogits: boolean;
  /** needs[t] = 1: return ln p(ids[t] | ids[<t]) (t >= 1). */
  readonly logProb: Uint8Array | null;
}

interface Prefilled {
  readonly proj: Float32Array[];
  readonly past: PastTensors | null;
  readonly lastLogits: Float32Array | null;
  /** As KeptSequence.logProb, for every position of ids. */
  readonly logProb: Float32Array;
  readonly reused: number;
}

/**
 * Intra-op threads when the user sets none: every CPU the process may use. Not onnxruntime's own
 * default (its count of physical cores), which on a 2-vCPU VM whose vCPUs are one core's two
 * hyperthreads is 1: measured there, an ORT MatMul reached 148-162 GFLOP/s with the default and up
 * to 330 with two threads (docs/instrumentation.md).
 */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Owns at most one loaded model and the kept KV cache of the last scored conversation. */
export class Engine {
  private loaded: Loaded | null = null;
  private kept: KeptSequence | null = null;
  private readonly tokenMemo: TokenMapMemo = new Map();

  /** The loaded model's description, or null. */
  get modelInfo(): ModelInfo | null {
    return this.loaded?.info ?? null;
  }

  /** Resolves, checks, instruments and loads a model, replacing the current one. */
  async load(req: LoadRequest, progress: (p: Progress) => void, signal: AbortSignal): Promise<ModelInfo> {
    await this.unload();
    const hubDir = join(req.cacheDir, 'hub');
    env.cacheDir = hubDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = !req.offline;
    env.remoteHost = req.remoteHost ?? DEFAULT_REMOTE_HOST;
    let dir: string;
    if (isAbsolute(req.model) || existsSync(req.model)) dir = resolve(req.model);
    else if (isHubModelId(req.model)) {
      dir = await ensureHubModel(req.model, {
        cacheDir: hubDir,
        dtype: req.dtype,
        remoteHost: env.remoteHost,
        remotePathTemplate: env.remotePathTemplate,
        offline: !env.allowRemoteModels,
        ...(req.stallTimeoutMs !== undefined ? { stallTimeoutMs: req.stallTimeoutMs } : {}),
        onProgress: (p) => progress({ phase: 'download', file: p.file, loaded: p.loaded, total: p.total }),
        signal,
        ...(req.revision ? { revision: req.revision } : {}),
      });
    } else throw new EngineError('model-files', `${req.model}: not an existing folder and not a Hugging Face model id`);
    throwIfAborted(signal);
    progress({ phase: 'check', file: dir });
    const folder = checkModelFolder(dir, req.dtype);
    progress({ phase: 'instrument', file: folder.onnxPath });
    let inst: InstrumentedModel;
    try {
      inst = await instrumentModel(dir, {
        dtype: req.dtype,
        settings: { capLayers: [...req.capLayers] },
        cacheDir: instrumentedCacheDir(req.cacheDir),
        signal,
        checkSource: (bytes) => checkGraphBytes(folder.onnxPath, bytes),
      });
    } catch (e) {
      throwIfAborted(signal);
      if (e instanceof InstrumentationError) throw new EngineError('instrumentation', e.message);
      throw e;
    }
    throwIfAborted(signal);
    progress({ phase: 'session', file: inst.dir });
    let model: DecoderModel;
    let rawTokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
    const threads = req.threads || defaultThreads();
    try {
      rawTokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
      model = await AutoModelForCausalLM.from_pretrained(inst.dir, {
        dtype: req.dtype as 'fp32',
        device: 'cpu',
        local_files_only: true,
        session_options: { ...inst.sessionOptions, intraOpNumThreads: threads },
      });
    } catch (e) {
      throw new EngineError('load', `${req.model}: transformers.js could not load the model (${(e as Error).message})`);
    }
    const session = model.sessions['model'];
    const missing = [
      ...inst.residualOutputs.filter((n) => !session?.outputNames.includes(n)),
      ...(inst.capInputs ? [inst.capInputs.v, inst.capInputs.tau].filter((n) => !session?.inputNames.includes(n)) : []),
    ];
    if (!session || missing.length > 0) {
      await model.dispose();
      throw new EngineError('load', `${inst.dir}: the loaded session lacks ${missing.join(', ') || 'a decoder session'}`);
    }
    const tokenizer = chatTokenizerFrom(rawTokenizer);
    const info: ModelInfo = {
      model: req.model,
      dir,
      modelType: folder.modelType,
      dtype: req.dtype,
      numLayers: inst.numLayers,
      hiddenSize: inst.hiddenSize,
      vocabSize: typeof folder.config['vocab_size'] === 'number' ? folder.config['vocab_size'] : null,
      capLayers: [...inst.capLayers],
      kvCache: session.inputNames.some((n) => n.startsWith('past_key_values')),
      pattern: inst.pattern,
      instrumentedFromCache: inst.fromCache,
      threads,
    };
    this.loaded = {
      info,
      inst,
      model,
      tokenizer,
      stopIds: stopTokenIds(dir, folder.config, rawTokenizer, tokenizer),
      prefillChunk: req.prefillChunk ?? DEFAULT_PREFILL_CHUNK,
      maxPositions: typeof folder.config['max_position_embeddings'] === 'number' ? folder.config['max_position_embeddings'] : Infinity,
    };
    return info;
  }

  /** Releases the model session and the kept cache. */
  async unload(): Promise<void> {
    const l = this.loaded;
    this.loaded = null;
    this.kept = null;
    this.tokenMemo.clear();
    if (l) await l.model.dispose();
  }

  /** Per-token projections of a conversation at the asked layers, plus per-turn means. */
  async score(req: EngineScoreRequest, signal: AbortSignal): Promise<ScoreResult> {
    const l = this.need();
    const axis = this.checkAxis(l, req.axis, req.capping);
    const layers = req.layers ?? Array.from({ length: l.info.numLayers }, (_, i) => i);
    const bad = layers.filter((x) => x >= l.info.numLayers);
    if (bad.length > 0) throw new EngineError('bad-request', `layers ${bad.join(', ')} do not exist (model has ${l.info.numLayers})`);
    let map = mapTokens(l.tokenizer, req.messages, false, this.tokenMemo);
    const fullTokens = map.ids.length;
    const limit = req.maxTokens === undefined ? l.maxPositions : Math.min(req.maxTokens, l.maxPositions);
    let messages = req.messages;
    if (req.maxTokens !== undefined && fullTokens > limit) {
      // Keep the longest run of whole leading messages that fits; the host reports what was left out.
      // The template's closing markup follows the last kept message, so re-render and drop more if needed.
      let keep = map.spans.filter((s) => s.tokenEnd <= limit).length;
      do {
        if (keep === 0) throw new EngineError('bad-request', `the first message alone is longer than ${limit} tokens`);
        messages = req.messages.slice(0, keep);
        map = mapTokens(l.tokenizer, messages, false, this.tokenMemo);
        keep--;
      } while (map.ids.length > limit);
    }
    checkContext(l, map.ids.length);
    throwIfAborted(signal);
    const cap = this.capFeeds(l, axis, req.capping);
    const key = sequenceKey(axis, cap);
    const pre = await this.prefill(l, map.ids, axis, cap, key, { lastLogits: false, logProb: positionMask(map.ids.length, map.positions) }, signal);
    if (l.info.kvCache) this.kept = { ids: map.ids, past: pre.past, proj: pre.proj, logProb: pre.logProb, key };
    else this.kept = null;
    const n = map.places.length;
    const tokens = {
      turn: Int32Array.from(map.places, (p) => p.turn),
      start: Int32Array.from(map.places, (p) => p.start),
      end: Int32Array.from(map.places, (p) => p.end),
      position: Int32Array.from(map.positions),
      tokenId: Int32Array.from(map.positions, (t) => map.ids[t] as number),
      text: map.places.map((p) => (messages[p.turn] as { content: string }).content.slice(p.start, p.end)),
      logProb: Float32Array.from(map.positions, (t) => pre.logProb[t] as number),
    };
    const projections = layers.map((L) => Float32Array.from(map.positions, (t) => (pre.proj[L] as Float32Array)[t] as number));
    let cursor = 0;
    const turns = map.spans.map((s) => {
      const tokenStart = cursor;
      cursor += s.tokenEnd - s.tokenStart;
      const means = Float32Array.from(projections, (p) => mean(p.subarray(tokenStart, cursor)));
      return { turn: s.turn, role: (messages[s.turn] as { role: string }).role, tokenStart, tokenEnd: cursor, found: s.found, means };
    });
    if (cursor !== n) throw new EngineError('internal', `token table has ${n} tokens, turns cover ${cursor}`);
    return {
      layers,
      monitorLayer: axis.monitorLayer,
      tokens,
      projections,
      turns,
      totalTokens: map.ids.length,
      reusedTokens: pre.reused,
      scoredMessages: messages.length,
      fullTokens,
      tokenLimit: messages.length < req.messages.length ? limit : null,
    };
  }

  /** Continues the conversation with a new assistant message, one token event per content token. */
  async generate(req: EngineGenerateRequest, onToken: (t: Omit<TokenMessage, 'type' | 'id'>) => void, signal: AbortSignal): Promise<GenerateResult> {
    const l = this.need();
    if (!req.axis && req.capping) throw new EngineError('bad-request', 'capping needs an axis');
    if (!req.axis && req.steer) throw new EngineError('bad-request', 'steering needs an axis');
    const axis = req.axis ? this.checkAxis(l, req.axis, req.capping) : null;
    if (req.steer) this.checkSteering(l, req.steer);
    const map = mapTokens(l.tokenizer, req.messages, true);
    checkContext(l, map.ids.length + 1);
    throwIfAborted(signal);
    const cap = this.capFeeds(l, axis, req.capping, req.steer ?? null);
    const pre = await this.prefill(l, map.ids, axis, cap, sequenceKey(axis, cap), { lastLogits: true, logProb: null }, signal);
    // Without an axis nothing is projected: token events and the result carry no per-layer values.
    const numLayers = axis ? l.info.numLayers : 0;
    const random = seededRandom(req.sampling.kind === 'sample' ? req.sampling.seed : 0);
    const ids = [...map.ids];
    const generated: number[] = [];
    const perToken: Float32Array[] = [];
    const reply = new ReplyText();
    const logProbs: number[] = [];
    const entropies: number[] = [];
    let logits = pre.lastLogits as Float32Array;
    let past = pre.past;
    let stopReason: 'eos' | 'maxTokens' = 'maxTokens';
    // Each generated token is fed back, so the context bounds prompt + generated tokens.
    const budget = Math.min(req.maxTokens, l.maxPositions - map.ids.length);
    for (let i = 0; i < budget; i++) {
      throwIfAborted(signal);
      const next = sampleToken(logits, req.sampling, random);
      if (l.stopIds.has(next)) {
        stopReason = 'eos';
        break;
      }
      // From the logits it was sampled from, before temperature and top-p: the model's own distribution.
      const stats = nextTokenStats(logits, next);
      const logProb = Math.fround(stats.logProb);
      generated.push(next);
      ids.push(next);
      // Feeding the token gives its own residuals (same positions as scoring would) and the next logits.
      const ask = { lastLogits: true, logProbAt: [], targets: [] };
      const out = l.info.kvCache
        ? await runChunk(l.model, l.inst, [next], ids.length - 1, past, cap, ask)
        : await runChunk(l.model, l.inst, ids, 0, null, cap, ask);
      past = out.present;
      logits = out.lastLogits as Float32Array;
      const h = l.info.hiddenSize;
      const proj = Float32Array.from({ length: numLayers }, (_, L) => {
        const res = out.residuals[L] as Float32Array;
        return projectTokens(res.subarray(res.length - h), (axis as AxisSpec).vectors[L] as Float32Array)[0] as number;
      });
      const piece = reply.push(l.tokenizer.decode(generated));
      perToken.push(proj);
      logProbs.push(logProb);
      entropies.push(stats.entropy);
      onToken({ index: i, tokenId: next, ...piece, projections: Float32Array.from(proj), logProb });
    }
    // A reply that ends at once (end-of-turn as the first token) is empty; transformers.js refuses to decode no ids.
    const text = generated.length > 0 ? l.tokenizer.decode(generated) : '';
    const n = generated.length;
    const projections = Array.from({ length: numLayers }, (_, L) => Float32Array.from(perToken, (p) => p[L] as number));
    return {
      text,
      tokens: {
        turn: new Int32Array(n).fill(req.messages.length),
        start: Int32Array.from(reply.starts),
        end: Int32Array.from(reply.ends),
        position: Int32Array.from({ length: n }, (_, i) => map.ids.length + i),
        tokenId: Int32Array.from(generated),
        text: reply.pieces,
        logProb: Float32Array.from(logProbs),
      },
      projections,
      means: Float32Array.from(projections, (p) => mean(p.subarray(0, n))),
      entropy: Float32Array.from(entropies),
      stopReason,
      promptTokens: map.ids.length,
      capped: req.capping,
    };
  }

  /**
   * Several replies at once (issue 25 item 2): each row is prefilled alone, then all rows share each
   * decode step (src/worker/batchGenerate.ts). Same sampling per row as generate() (its own seeded
   * PRNG). Rows follow the request's capping unless they bring their own floors; each row's floors go
   * to its own prefill and, as its row of the cap inputs, to every shared decode step. With `onToken`,
   * an event per generated token naming its row.
   */
  async generateBatch(
    req: EngineGenerateBatchRequest,
    signal: AbortSignal,
    onToken?: (t: BatchTokenEvent) => void,
  ): Promise<GenerateResult[]> {
    const l = this.need();
    if (!l.info.kvCache) throw new EngineError('bad-request', 'batched generation needs a model with a KV cache');
    if (!req.axis && req.capping) throw new EngineError('bad-request', 'capping needs an axis');
    const axis = req.axis ? this.checkAxis(l, req.axis, req.capping) : null;
    const shared = this.capFeeds(l, axis, req.capping);
    const sharedKey = sequenceKey(axis, shared);
    // Every row's floors are checked before any work starts.
    const rowCaps = req.rows.map((r) => {
      if (!r.floors) return { cap: shared, key: sharedKey, capped: req.capping };
      if (!axis) throw new EngineError('bad-request', 'capping floors need an axis');
      const own = this.checkAxis(l, { ...axis, capLayers: r.floors.layers, taus: Float32Array.from(r.floors.taus) }, true);
      const cap = this.capFeeds(l, own, true);
      return { cap, key: sequenceKey(own, cap), capped: true };
    });
    const numLayers = axis ? l.info.numLayers : 0;
    const h = l.info.hiddenSize;
    const rows = [];
    // Rows that share a prefix (a persona's system prompt) reuse its cache: each row's prefill starts from
    // the previous row's (issue 25 item 4) when both run under the same caps. The scoring cache is put back afterwards.
    const scoringKept = this.kept;
    for (const [index, r] of req.rows.entries()) {
      const map = mapTokens(l.tokenizer, r.messages, true);
      checkContext(l, map.ids.length + 1);
      throwIfAborted(signal);
      const { cap, key, capped } = rowCaps[index] as (typeof rowCaps)[number];
      let pre: Prefilled;
      try {
        pre = await this.prefill(l, map.ids, axis, cap, key, { lastLogits: true, logProb: null }, signal);
      } catch (e) {
        this.kept = scoringKept;
        throw e;
      }
      this.kept = { ids: map.ids, past: pre.past, proj: pre.proj, logProb: pre.logProb, key };
      rows.push({
        index,
        cap,
        capped,
        reply: new ReplyText(),
        messages: r.messages,
        promptIds: map.ids,
        promptLength: map.ids.length,
        random: seededRandom(r.sampling.kind === 'sample' ? r.sampling.seed : 0),
        sampling: r.sampling,
        budget: Math.min(req.maxTokens, l.maxPositions - map.ids.length),
        logits: pre.lastLogits as Float32Array,
        past: pre.past as PastTensors,
        generated: [] as number[],
        perToken: [] as Float32Array[],
        logProbs: [] as number[],
        entropies: [] as number[],
        /** Each generated token's residual per layer, kept only for replyMeans. */
        residuals: [] as Float32Array[][],
        stopReason: 'maxTokens' as 'eos' | 'maxTokens',
      });
    }
    this.kept = scoringKept;
    let active = rows.filter((r) => r.budget > 0);
    const batch = new DecodeBatch(active.map((r) => ({ past: r.past, length: r.promptLength })));
    while (active.length > 0) {
      throwIfAborted(signal);
      const fed: number[] = [];
      const keep: number[] = [];
      active.forEach((r, b) => {
        const next = sampleToken(r.logits, r.sampling, r.random);
        if (l.stopIds.has(next)) {
          r.stopReason = 'eos';
          return;
        }
        const stats = nextTokenStats(r.logits, next);
        r.generated.push(next);
        r.logProbs.push(Math.fround(stats.logProb));
        r.entropies.push(stats.entropy);
        r.reply.push(l.tokenizer.decode(r.generated));
        fed.push(next);
        keep.push(b);
      });
      batch.keepRows(keep);
      active = keep.map((b) => active[b] as (typeof active)[number]);
      if (active.length === 0) break;
      const out = await batch.step(l.model, l.inst, fed, stackCapRows(active.map((r) => r.cap)));
      active.forEach((r, b) => {
        r.logits = out.logits[b] as Float32Array;
        const res = out.residuals[b] as Float32Array[];
        if (req.replyMeans) r.residuals.push(res.map((x) => Float32Array.from(x.subarray(0, h))));
        const proj = Float32Array.from({ length: numLayers }, (_, L) => projectTokens((res[L] as Float32Array).subarray(0, h), (axis as AxisSpec).vectors[L] as Float32Array)[0] as number);
        r.perToken.push(proj);
        if (onToken) {
          const i = r.generated.length - 1;
          const piece = { text: r.reply.pieces[i] as string, start: r.reply.starts[i] as number, end: r.reply.ends[i] as number };
          onToken({ row: r.index, index: i, tokenId: r.generated[i] as number, ...piece, projections: Float32Array.from(proj), logProb: r.logProbs[i] as number });
        }
      });
      const running = active.map((r, b) => (r.generated.length < r.budget ? b : -1)).filter((b) => b >= 0);
      batch.keepRows(running);
      active = running.map((b) => active[b] as (typeof active)[number]);
    }
    return rows.map((r) => {
      const n = r.generated.length;
      const projections = Array.from({ length: numLayers }, (_, L) => Float32Array.from(r.perToken, (p) => p[L] as number));
      const reply = n > 0 ? l.tokenizer.decode(r.generated) : '';
      return {
        text: reply,
        tokens: {
          turn: new Int32Array(n).fill(r.messages.length),
          start: Int32Array.from(r.reply.starts),
          end: Int32Array.from(r.reply.ends),
          position: Int32Array.from({ length: n }, (_, i) => r.promptLength + i),
          tokenId: Int32Array.from(r.generated),
          text: r.reply.pieces,
          logProb: Float32Array.from(r.logProbs),
        },
        projections,
        means: Float32Array.from(projections, (p) => mean(p.subarray(0, n))),
        entropy: Float32Array.from(r.entropies),
        stopReason: r.stopReason,
        promptTokens: r.promptLength,
        capped: r.capped,
        ...(req.replyMeans ? { replyMeans: replyMeansFromDecode(l.tokenizer, r.messages, reply, r.promptIds, r.generated, r.residuals) } : {}),
      };
    });
  }

  /**
   * Mean residual per layer over the content tokens of messages[fromTurn..] (template markup excluded):
   * the per-response activation the axis is built from (arXiv 2601.10387). Uncapped; the kept KV cache
   * of scoring is neither used nor replaced.
   */
  async activations(req: ActivationsRequest, signal: AbortSignal): Promise<ActivationsResult> {
    const l = this.need();
    const map = mapTokens(l.tokenizer, req.messages, false);
    checkContext(l, map.ids.length);
    const chosen = new Uint8Array(map.ids.length);
    map.places.forEach((p, i) => {
      if (p.turn >= req.fromTurn) chosen[map.positions[i] as number] = 1;
    });
    const count = chosen.reduce((a, b) => a + b, 0);
    if (count === 0) throw new EngineError('bad-request', `messages from index ${req.fromTurn} have no content tokens`);
    const h = l.info.hiddenSize;
    const sums = Array.from({ length: l.info.numLayers }, () => new Float64Array(h));
    throwIfAborted(signal);
    const pre = await this.prefill(l, map.ids, null, this.capFeeds(l, null, false), null, { lastLogits: false, logProb: chosen }, signal, (pos, residuals) => {
      residuals.forEach((res, L) => {
        const sum = sums[L] as Float64Array;
        const rows = res.length / h;
        for (let t = 0; t < rows; t++) {
          if (!chosen[pos + t]) continue;
          for (let i = 0; i < h; i++) sum[i] = (sum[i] as number) + (res[t * h + i] as number);
        }
      });
    });
    // Position 0 has no log-probability (nothing precedes it); the mean is over the tokens that have one.
    const nll = [...chosen.keys()].filter((t) => chosen[t] && Number.isFinite(pre.logProb[t])).map((t) => -(pre.logProb[t] as number));
    return { layerMeans: sums.map((s) => Float32Array.from(s, (x) => x / count)), tokens: count, surprise: nll.length > 0 ? mean(nll) : NaN };
  }

  private need(): Loaded {
    if (!this.loaded) throw new EngineError('not-loaded', 'no model is loaded');
    return this.loaded;
  }

  /** Steering acts through the capping nodes: only on layers the model was loaded with them. */
  private checkSteering(l: Loaded, steer: Steering): void {
    const missing = steer.layers.filter((L) => !l.inst.capLayers.includes(L));
    if (missing.length > 0)
      throw new EngineError('bad-request', `steering at layers ${missing.join(', ')}: they have no capping node (the model was loaded with capLayers [${l.inst.capLayers.join(', ')}])`);
    if (steer.amounts.length !== steer.layers.length) throw new EngineError('bad-request', 'steering needs one amount per layer');
  }

  private checkAxis(l: Loaded, axis: AxisSpec, capping: boolean): AxisSpec {
    const problems = axisSpecProblems(axis, l.info.numLayers, l.info.hiddenSize);
    if (capping) {
      const missing = axis.capLayers.filter((c) => !l.info.capLayers.includes(c));
      if (missing.length > 0) {
        problems.push(`layers ${missing.join(', ')} have no capping node (the model was loaded with capLayers [${l.info.capLayers.join(', ')}])`);
      }
    }
    if (problems.length > 0) throw new EngineError('bad-request', `axis does not fit ${l.info.model}: ${problems.join('; ')}`);
    return axis;
  }

  /**
   * Cap inputs for the instrumented cap layers: the axis rows, tau from the axis or -Infinity (off), and
   * the steering shift per layer (0: none).
   */
  private capFeeds(l: Loaded, axis: AxisSpec | null, capping: boolean, steer: Steering | null = null): CapFeeds | null {
    const names = l.inst.capInputs;
    if (!names) return null;
    const h = l.info.hiddenSize;
    const layers = l.inst.capLayers;
    const v = new Float32Array(layers.length * h);
    const tau = new Float32Array(layers.length).fill(-Infinity);
    const shift = new Float32Array(layers.length);
    steer?.layers.forEach((L, k) => {
      const j = layers.indexOf(L);
      if (j >= 0) shift[j] = steer.amounts[k] as number;
    });
    // Without an axis the rows stay zero: with tau = -Infinity the correction is 0 either way.
    if (axis) {
      layers.forEach((L, j) => {
        v.set(axis.vectors[L] as Float32Array, j * h);
        const k = axis.capLayers.indexOf(L);
        if (capping && k >= 0) tau[j] = axis.taus[k] as number;
      });
    }
    return {
      names,
      v: new Tensor('float32', v, [layers.length, h]),
      tau: new Tensor('float32', tau, [1, layers.length]),
      shift: new Tensor('float32', shift, [1, layers.length]),
    };
  }

  /**
   * Runs the model over ids and returns per-layer projections of every position, plus what `wants` asks
   * for. With a KV cache the longest prefix shared with the kept sequence is taken from it (cache cropped to
   * that length, projections and log-probabilities copied) and only the rest is fed, in chunks of
   * prefillChunk tokens.
   */
  private async prefill(
    l: Loaded,
    ids: number[],
    axis: AxisSpec | null,
    cap: CapFeeds | null,
    key: string | null,
    wants: PrefillWants,
    signal: AbortSignal,
    onResiduals?: (pos: number, residuals: Float32Array[]) => void,
  ): Promise<Prefilled> {
    const numLayers = axis ? l.info.numLayers : 0;
    const proj = Array.from({ length: numLayers }, () => new Float32Array(ids.length));
    const logProb = new Float32Array(ids.length).fill(NaN);
    const needs = wants.logProb;
    let reused = 0;
    let past: PastTensors | null = null;
    const kept = this.kept;
    if (l.info.kvCache && kept && key !== null && kept.key === key) {
      const common = commonPrefix(ids, kept.ids);
      // At least one token is fed when logits are wanted (they come from the last fed position).
      reused = Math.min(common, ids.length - (wants.lastLogits ? 1 : 0));
      // ln p(ids[t]) comes from position t-1's logits: a needed one the kept sequence lacks (not computed
      // then, or the first new token) is computed by feeding again from position t-1.
      if (needs) {
        for (let t = 1; t <= Math.min(reused, ids.length - 1); t++) {
          if (needs[t] && !(t < common && Number.isFinite(kept.logProb[t]))) {
            reused = t - 1;
            break;
          }
        }
      }
      if (reused > 0 && kept.past) {
        past = cropPast(kept.past, reused);
        for (let L = 0; L < numLayers; L++) (proj[L] as Float32Array).set((kept.proj[L] as Float32Array).subarray(0, reused));
        // Position `reused` is fed, but its own log-probability came from position reused - 1: kept when its token is.
        logProb.set(kept.logProb.subarray(0, Math.min(reused + 1, common)));
      } else reused = 0;
    }
    if (reused === ids.length) return { proj, past, lastLogits: null, logProb, reused };
    const chunk = l.info.kvCache ? l.prefillChunk : ids.length;
    let lastLogits: Float32Array | null = null;
    for (let pos = reused; pos < ids.length; pos += chunk) {
      throwIfAborted(signal);
      const piece = ids.slice(pos, pos + chunk);
      const last = pos + piece.length >= ids.length;
      // Position p's logits score the token after it, ids[p + 1] (the first token of the next chunk for the last row).
      const logProbAt: number[] = [];
      const targets: number[] = [];
      if (needs) {
        for (let p = pos; p < pos + piece.length && p + 1 < ids.length; p++) {
          if (needs[p + 1]) {
            logProbAt.push(p - pos);
            targets.push(ids[p + 1] as number);
          }
        }
      }
      const out = await runChunk(l.model, l.inst, piece, pos, past, cap, { lastLogits: wants.lastLogits && last, logProbAt, targets });
      for (let L = 0; L < numLayers; L++) {
        (proj[L] as Float32Array).set(projectTokens(out.residuals[L] as Float32Array, (axis as AxisSpec).vectors[L] as Float32Array), pos);
      }
      logProbAt.forEach((p, j) => (logProb[pos + p + 1] = out.logProbs[j] as number));
      onResiduals?.(pos, out.residuals);
      past = out.present;
      if (last) lastLogits = out.lastLogits;
    }
    return { proj, past, lastLogits, logProb, reused };
  }
}

function checkContext(l: Loaded, tokens: number): void {
  if (tokens > l.maxPositions) {
    throw new EngineError('bad-request', `the conversation is ${tokens} tokens long; ${l.info.model} takes at most ${l.maxPositions} (max_position_embeddings)`);
  }
}

/** 1 at each of `positions` (indexes into a sequence of `length` tokens). */
function positionMask(length: number, positions: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(length);
  for (let i = 0; i < positions.length; i++) mask[positions[i] as number] = 1;
  return mask;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** FNV-1a over the bytes that decide the hidden states and projections: axis vectors and cap feeds. */
function sequenceKey(axis: AxisSpec | null, cap: CapFeeds | null): string {
  let h = 0x811c9dc5;
  const eat = (a: Float32Array): void => {
    const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  };
  for (const v of axis?.vectors ?? []) eat(v);
  if (cap) {
    eat(cap.v.data as Float32Array);
    eat(cap.tau.data as Float32Array);
    eat(cap.shift.data as Float32Array);
  }
  return `${(h >>> 0).toString(16)}:${axis?.vectors.length ?? 0}`;
}

/** End-of-message ids: config / generation_config eos, the tokenizer's eos, and the template's end-of-turn token. */
function stopTokenIds(
  dir: string,
  config: Readonly<Record<string, unknown>>,
  raw: { eos_token_id?: number | null; all_special_ids?: number[] },
  tok: ChatTokenizer,
): Set<number> {
  const ids = new Set<number>();
  const add = (x: unknown): void => {
    if (typeof x === 'number') ids.add(x);
    else if (Array.isArray(x)) x.forEach(add);
  };
  add(config['eos_token_id']);
  if (existsSync(join(dir, 'generation_config.json'))) {
    try {
      // Read as every model JSON is (a FIFO or a giant is refused); its ids are checked like config.json's.
      const gen = readModelJson(dir, 'generation_config.json');
      if (configNumberProblems({ eos_token_id: gen['eos_token_id'] }).length === 0) add(gen['eos_token_id']);
    } catch {
      // An unreadable generation_config.json only loses its eos ids; config.json still has them.
    }
  }
  add(raw.eos_token_id);
  // The first token the template puts after an assistant message's content ends a turn (<|im_end|>, <end_of_turn>, ...).
  try {
    const probe = mapTokens(tok, [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'ok' }], false);
    const span = probe.spans[1];
    const after = span ? probe.ids[span.tokenEnd] : undefined;
    if (after !== undefined && raw.all_special_ids?.includes(after)) ids.add(after);
  } catch {
    // Templates that refuse this probe (e.g. require a system message) keep the eos ids above.
  }
  return ids;
}
