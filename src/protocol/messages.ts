/**
 * Host <-> model-worker message protocol. Every message is declared once here as a valibot schema;
 * the TypeScript types are inferred from the schemas, and both sides parse `unknown` data through
 * them before use (version skew, bugs). Malformed or unknown messages are logged and dropped.
 *
 * Shape: requests are {id, type, ...}; each gets exactly one `reply` with the same id, either
 * {ok: true, result} or {ok: false, error: {code, message}}. `progress` and `token` events carry the
 * id of the request they belong to. `cancel` and `crash` name the request id they act on and get no
 * reply of their own. Per-token values are Float32Arrays whose buffers are transferred.
 */
import * as v from 'valibot';
import { ENGINE_ERROR_CODES } from './errors';

const int = v.pipe(v.number(), v.integer());
const nonNegInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const requestId = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A number where NaN means "undefined" (valibot's number() refuses NaN). */
const numberOrNaN = v.union([v.number(), v.nan()]);

/** One chat message given to the chat template. */
export const ChatMessageSchema = v.object({ role: v.pipe(v.string(), v.minLength(1)), content: v.string() });

/** The numeric part of an Assistant Axis (see src/core/axis/axisSpec.ts). */
export const AxisSpecSchema = v.object({
  hiddenSize: nonNegInt,
  vectors: v.array(v.instance(Float32Array)),
  monitorLayer: nonNegInt,
  capLayers: v.array(nonNegInt),
  taus: v.instance(Float32Array),
});

/** Greedy decoding, or seeded sampling (same seed + same logits = same tokens). */
export const SamplingSchema = v.variant('kind', [
  v.object({ kind: v.literal('greedy') }),
  v.object({
    kind: v.literal('sample'),
    temperature: v.pipe(v.number(), v.minValue(0)),
    topK: nonNegInt,
    topP: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    seed: int,
  }),
]);

// ---------------------------------------------------------------- host -> worker

/** More intra-op threads than any desktop has cores is a typo, not a request. */
export const MAX_THREADS = 256;

/** host -> worker: load a model (local folder or hub id), replacing any loaded one. Reply: ModelInfo. */
export const LoadRequestSchema = v.object({
  id: requestId,
  type: v.literal('load'),
  /** Absolute path of a model folder, or a Hugging Face model id. */
  model: v.pipe(v.string(), v.minLength(1)),
  /** transformers.js dtype: fp32, fp16, q4, q8, ... (selects onnx/model<suffix>.onnx). */
  dtype: v.string(),
  /** Layers that get capping nodes (the band; fixed for the loaded session). */
  capLayers: v.array(nonNegInt),
  /** Folder for downloaded hub models and instrumented graphs. */
  cacheDir: v.string(),
  /** No network: a hub id must already be in cacheDir. */
  offline: v.boolean(),
  /** Hub base URL (default https://huggingface.co/). */
  remoteHost: v.optional(v.string()),
  revision: v.optional(v.string()),
  /** A download that receives no data for this many milliseconds fails (default 30 000). */
  stallTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Tokens per forward call while prefilling (bounds the in-graph logits of the scored rows: chunk x vocabulary); default 256. */
  prefillChunk: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** onnxruntime intra-op threads; 0 or absent: every CPU the process may use (see defaultThreads). */
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_THREADS))),
});

/** host -> worker: per-token projections of a whole conversation on the axis. Reply: ScoreResult. */
export const ScoreRequestSchema = v.object({
  id: requestId,
  type: v.literal('score'),
  messages: v.array(ChatMessageSchema),
  axis: AxisSpecSchema,
  /** Run with the axis's caps applied (the capped model's view of the transcript). */
  capping: v.boolean(),
  /** Layers to return (default: every layer). */
  layers: v.optional(v.array(nonNegInt)),
  /** Cut the conversation after the last whole message within this many tokens (and within the model's context) instead of failing. */
  maxTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});

/** Steering along the axis: per layer, the amount added along its unit vector (in the residual's units). */
export const SteeringSchema = v.pipe(
  v.object({
    layers: v.array(nonNegInt),
    amounts: v.array(v.pipe(v.number(), v.finite())),
  }),
  v.check((s) => s.layers.length === s.amounts.length, 'steering needs one amount per layer'),
);

/**
 * host -> worker: continue a conversation with a new assistant turn. Events: token. Reply: GenerateResult.
 * Without an axis (e.g. while an axis is being computed) nothing is projected and capping must be off.
 */
export const GenerateRequestSchema = v.object({
  id: requestId,
  type: v.literal('generate'),
  messages: v.array(ChatMessageSchema),
  axis: v.optional(AxisSpecSchema),
  capping: v.boolean(),
  /** Additive steering h += amount * v at these layers (a subset of the loaded capLayers); needs an axis. */
  steer: v.optional(SteeringSchema),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1)),
  sampling: SamplingSchema,
});

/** A batch row's own capping floors: these layers (each with a capping node) held at these taus, the rest off. */
export const RowFloorsSchema = v.pipe(
  v.object({
    layers: v.array(nonNegInt),
    taus: v.array(v.pipe(v.number(), v.finite())),
  }),
  v.check((f) => f.layers.length === f.taus.length, 'floors need one tau per layer'),
);

/**
 * host -> worker: several replies in one batch (one forward per decode step for all rows; issue 25
 * item 2). Rows share axis and maxTokens; each has its messages and sampling, and follows the request's
 * `capping` unless it brings its own `floors` (a capping sweep decodes its cells together).
 * Events: token (with `row`) when `stream` is set. Reply: GenerateBatchResult (one GenerateResult per row, in order).
 */
export const GenerateBatchRequestSchema = v.object({
  id: requestId,
  type: v.literal('generateBatch'),
  rows: v.pipe(
    v.array(v.object({ messages: v.array(ChatMessageSchema), sampling: SamplingSchema, floors: v.optional(RowFloorsSchema) })),
    v.minLength(1),
    v.maxLength(256),
  ),
  axis: v.optional(AxisSpecSchema),
  capping: v.boolean(),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Send a token event per generated token, naming its row. */
  stream: v.optional(v.boolean()),
  /**
   * Also read each reply's per-response activation (what `activations` of messages + the reply trimmed
   * of surrounding whitespace gives) from the decode pass's own residuals, where that conversation's
   * scoring tokens up to the reply's end are the prompt and generated tokens (issue 25 item 4).
   */
  replyMeans: v.optional(v.boolean()),
});

/**
 * host -> worker: mean residual per layer over the content tokens of messages[fromTurn..] (uncapped),
 * the per-response activation an axis is built from. Reply: ActivationsResult.
 */
export const ActivationsRequestSchema = v.object({
  id: requestId,
  type: v.literal('activations'),
  messages: v.array(ChatMessageSchema),
  fromTurn: nonNegInt,
});

/** host -> worker: release the model and its caches. Reply: null. */
export const UnloadRequestSchema = v.object({ id: requestId, type: v.literal('unload') });

/** host -> worker: abort request `id` (checked between chunks, turns and decode steps). No reply. */
export const CancelMessageSchema = v.object({ id: requestId, type: v.literal('cancel') });

/** Everything the worker accepts. */
export const HostToWorkerSchema = v.variant('type', [
  LoadRequestSchema,
  ScoreRequestSchema,
  GenerateRequestSchema,
  GenerateBatchRequestSchema,
  ActivationsRequestSchema,
  UnloadRequestSchema,
  CancelMessageSchema,
]);

// ---------------------------------------------------------------- worker -> host

/** worker -> host, once after start: the worker is listening. */
export const ReadyMessageSchema = v.object({ type: v.literal('ready'), transformersVersion: v.string() });

/** worker -> host during load: download bytes, or a phase change (check, instrument, session). */
export const ProgressMessageSchema = v.object({
  type: v.literal('progress'),
  id: requestId,
  phase: v.picklist(['download', 'check', 'instrument', 'session']),
  file: v.optional(v.string()),
  loaded: v.optional(v.number()),
  total: v.optional(v.number()),
});

/** worker -> host during generate: one new content token with its projection at every layer. */
export const TokenMessageSchema = v.object({
  type: v.literal('token'),
  id: requestId,
  /** The batch row it belongs to (generateBatch only). */
  row: v.optional(nonNegInt),
  /** 0-based index among the generated tokens. */
  index: nonNegInt,
  tokenId: nonNegInt,
  /** The token's text and [start, end) UTF-16 offsets in the generated message so far. */
  text: v.string(),
  start: nonNegInt,
  end: nonNegInt,
  /** projections[L] = <h_L, v_L> for this token; length = number of layers (0 without an axis). */
  projections: v.instance(Float32Array),
  /** ln p(token | everything before it) from the logits it was sampled from, before temperature and top-p. */
  logProb: numberOrNaN,
});

/** worker -> host: a diagnostic line for the host's log (dropped messages, unhandled rejections). */
export const LogMessageSchema = v.object({
  type: v.literal('log'),
  level: v.picklist(['debug', 'info', 'warn', 'error']),
  message: v.string(),
});

/** worker -> host: the request succeeded; `result` is checked against the request's result schema. */
export const OkReplySchema = v.object({ type: v.literal('reply'), id: requestId, ok: v.literal(true), result: v.unknown() });

/** worker -> host: the request failed (code: see EngineErrorCode; 'cancelled' after a cancel). */
export const ErrorReplySchema = v.object({
  type: v.literal('reply'),
  id: requestId,
  ok: v.literal(false),
  // A code this host does not know (a newer worker) reads as 'internal' rather than dropping the reply.
  error: v.object({ code: v.fallback(v.picklist(ENGINE_ERROR_CODES), 'internal'), message: v.string() }),
});

/** Everything the host accepts from the worker. */
export const WorkerToHostSchema = v.variant('type', [
  ReadyMessageSchema,
  ProgressMessageSchema,
  TokenMessageSchema,
  LogMessageSchema,
  v.variant('ok', [OkReplySchema, ErrorReplySchema]),
]);

// ---------------------------------------------------------------- results

/** Result of load: what the engine knows about the model. */
export const ModelInfoSchema = v.object({
  /** As given in the load request (folder or hub id). */
  model: v.string(),
  /** The folder the model was loaded from (the cache folder for a hub id). */
  dir: v.string(),
  modelType: v.string(),
  dtype: v.string(),
  numLayers: nonNegInt,
  hiddenSize: nonNegInt,
  /** config.json's vocab_size; null when the config does not say. */
  vocabSize: v.nullable(nonNegInt),
  /** The intra-op threads the session runs with (the request's, or the default it stood for). */
  threads: v.pipe(v.number(), v.integer(), v.minValue(1)),
  capLayers: v.array(nonNegInt),
  /** Whether the graph takes a KV cache (needed for prefix reuse and fast generation). */
  kvCache: v.boolean(),
  /** Instrumentation pattern the graph matched (e.g. fused skip-norm) and whether it came from the cache. */
  pattern: v.string(),
  instrumentedFromCache: v.boolean(),
});

/** Content tokens in sequence order, column-wise (template markup tokens are absent). */
export const TokenTableSchema = v.object({
  /** Message index of each token. */
  turn: v.instance(Int32Array),
  /** [start, end) UTF-16 offsets of the token in its message's content. */
  start: v.instance(Int32Array),
  end: v.instance(Int32Array),
  /** Position in the full rendered token sequence. */
  position: v.instance(Int32Array),
  tokenId: v.instance(Int32Array),
  text: v.array(v.string()),
  /**
   * ln p(token | all tokens before it) under the model's raw distribution (temperature 1; capped or not as
   * the request was run); NaN where undefined (sequence position 0).
   */
  logProb: v.instance(Float32Array),
});

/** One message's summary: its token range in the table and its mean projection per returned layer. */
export const TurnScoreSchema = v.object({
  turn: nonNegInt,
  role: v.string(),
  /** [tokenStart, tokenEnd) indexes the token table. */
  tokenStart: nonNegInt,
  tokenEnd: nonNegInt,
  /** false when the chat template dropped or rewrote the message (no tokens, means NaN). */
  found: v.boolean(),
  /** means[k] = mean projection over the turn's content tokens at layers[k]. */
  means: v.instance(Float32Array),
});

/** Result of score. */
export const ScoreResultSchema = v.object({
  layers: v.array(nonNegInt),
  monitorLayer: nonNegInt,
  tokens: TokenTableSchema,
  /** projections[k][i] = projection of token i (table order) at layers[k]. */
  projections: v.array(v.instance(Float32Array)),
  turns: v.array(TurnScoreSchema),
  /** Length of the rendered sequence, and how many of its tokens came from the kept KV cache. */
  totalTokens: nonNegInt,
  reusedTokens: nonNegInt,
  /** Messages scored: less than the request's when a length limit cut the conversation. */
  scoredMessages: nonNegInt,
  /** Tokens the whole conversation would take, and the limit that cut it (null when nothing was cut). */
  fullTokens: nonNegInt,
  tokenLimit: v.nullable(nonNegInt),
});

/** Result of generate. */
export const GenerateResultSchema = v.object({
  text: v.string(),
  /** Generated content tokens (turn = index the new message would have). */
  tokens: TokenTableSchema,
  /** projections[L][i] at every layer L for generated token i; empty when no axis was given. */
  projections: v.array(v.instance(Float32Array)),
  /** Mean over the generated tokens per layer (empty without an axis; NaN when no token was generated). */
  means: v.instance(Float32Array),
  /** entropy[i]: entropy (nats) of the model's next-token distribution that generated token i was drawn from (before temperature and top-p). */
  entropy: v.instance(Float32Array),
  stopReason: v.picklist(['eos', 'maxTokens']),
  promptTokens: nonNegInt,
  capped: v.boolean(),
  /**
   * generateBatch with replyMeans: the reply's mean residual per layer over its content tokens, read from
   * the decode pass; null where scoring would tokenize the conversation differently (then ask `activations`).
   */
  replyMeans: v.optional(v.nullable(v.array(v.instance(Float32Array)))),
});

/** Result of generateBatch. */
export const GenerateBatchResultSchema = v.array(GenerateResultSchema);

/** Result of activations. */
export const ActivationsResultSchema = v.object({
  /** layerMeans[L]: mean residual leaving layer L, length hiddenSize. */
  layerMeans: v.array(v.instance(Float32Array)),
  /** Number of content tokens averaged. */
  tokens: nonNegInt,
  /** Mean negative log-likelihood (nats per token) of those tokens, over the ones that have one (NaN if none). */
  surprise: numberOrNaN,
});

export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;
export type AxisSpecMessage = v.InferOutput<typeof AxisSpecSchema>;
export type Sampling = v.InferOutput<typeof SamplingSchema>;
export type Steering = v.InferOutput<typeof SteeringSchema>;
export type RowFloors = v.InferOutput<typeof RowFloorsSchema>;
export type LoadRequest = v.InferOutput<typeof LoadRequestSchema>;
export type ScoreRequest = v.InferOutput<typeof ScoreRequestSchema>;
export type GenerateRequest = v.InferOutput<typeof GenerateRequestSchema>;
export type ActivationsRequest = v.InferOutput<typeof ActivationsRequestSchema>;
export type ActivationsResult = v.InferOutput<typeof ActivationsResultSchema>;
export type HostToWorker = v.InferOutput<typeof HostToWorkerSchema>;
export type WorkerToHost = v.InferOutput<typeof WorkerToHostSchema>;
export type ProgressMessage = v.InferOutput<typeof ProgressMessageSchema>;
export type TokenMessage = v.InferOutput<typeof TokenMessageSchema>;
export type ModelInfo = v.InferOutput<typeof ModelInfoSchema>;
export type TokenTable = v.InferOutput<typeof TokenTableSchema>;
export type TurnScore = v.InferOutput<typeof TurnScoreSchema>;
export type ScoreResult = v.InferOutput<typeof ScoreResultSchema>;
export type GenerateResult = v.InferOutput<typeof GenerateResultSchema>;

/** Parses an incoming message; returns null (and the reason) instead of throwing. */
export function parseMessage<T>(schema: v.GenericSchema<unknown, T>, data: unknown): { ok: true; value: T } | { ok: false; reason: string } {
  const r = v.safeParse(schema, data);
  if (r.success) return { ok: true, value: r.output };
  return { ok: false, reason: v.summarize(r.issues).slice(0, 500) };
}

/** ArrayBuffers of the typed arrays reachable in a result (to transfer instead of copy). */
export function transferList(value: unknown, out: ArrayBuffer[] = [], seen = new Set<unknown>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const b = value.buffer;
    if (b instanceof ArrayBuffer && !out.includes(b)) out.push(b);
    return out;
  }
  for (const x of Array.isArray(value) ? value : Object.values(value)) transferList(x, out, seen);
  return out;
}

/**
 * The request/reply methods, one row each: what the host sends and what the reply's result must be.
 * The client's request and result types come from this table, and every result is checked against
 * its schema on receipt.
 */
export const METHODS = {
  load: { request: LoadRequestSchema, result: ModelInfoSchema },
  score: { request: ScoreRequestSchema, result: ScoreResultSchema },
  generate: { request: GenerateRequestSchema, result: GenerateResultSchema },
  generateBatch: { request: GenerateBatchRequestSchema, result: GenerateBatchResultSchema },
  activations: { request: ActivationsRequestSchema, result: ActivationsResultSchema },
  unload: { request: UnloadRequestSchema, result: v.null() },
} as const;
export type Method = keyof typeof METHODS;
/** A method's request without the id and type the client adds. */
export type ParamsOf<M extends Method> = Omit<v.InferOutput<(typeof METHODS)[M]['request']>, 'id' | 'type'>;
export type ResultOf<M extends Method> = v.InferOutput<(typeof METHODS)[M]['result']>;
