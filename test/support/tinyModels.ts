// Generates tiny random-weight decoder models in the two export layouts that reach transformers.js v4:
//  - 'genai':   onnxruntime-genai model builder (SkipSimplifiedLayerNormalization chain whose output 3 is the
//               residual, GroupQueryAttention with rotary inside, final skip-norm with one output);
//               mirrors ../shared/models/graphs/llama-genai-fp32-gqa/graph_dump.txt.
//  - 'optimum': Optimum / transformers.js conversion (plain Add residuals /model/layers.{i}/Add and Add_1,
//               decomposed RMSNorm and attention, position_ids input).
// `family` adds what each catalogue family's layer has (FAMILY_TRAITS: Qwen2 q/k/v bias, Qwen3 q/k norms,
// Gemma 3 scaled embedding + branch norms + tanh GELU, Phi-3 fused qkv / gate_up), written as Optimum's
// torch export or the genai builder (microsoft/onnxruntime-genai src/python/py/models/builder.py) writes it.
// Options: fp32 / fp16 / q8 (DynamicQuantizeLinear + MatMulInteger) / q4 (MatMulNBits) weights (q8: Optimum layout), tied embeddings, KV cache on/off, external data under either naming,
// genai MultiHeadAttention + RotaryEmbedding instead of GQA, genai LayerNorm (SkipLayerNormalization with
// bias), byte-level BPE or the real Qwen3 tokenizer. Weights come from a seeded PRNG and are returned for
// test/support/referenceForward.ts. Each call writes a complete folder that
// AutoModelForCausalLM / AutoTokenizer.from_pretrained (transformers.js 4.3.1) load.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ElemType,
  encodeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
  onnx,
} from '../../src/worker/graph/onnxProto';
import { roundToFloat16 } from '../../src/worker/graph/float16';
import { onnxFileName } from '../../src/model/graphFiles';
import { mulberry32, uniform } from './prng';
import { writeByteTokenizer, writeQwen3Tokenizer, type TokenizerInfo } from './tinyTokenizer';

export type TinyLayout = 'genai' | 'optimum';
/** 'q4': fp32 activations, projection and lm_head weights as com.microsoft MatMulNBits (4-bit, block 16); genai only.
 * 'q8': as onnxruntime's quantize_dynamic writes transformers.js's model_quantized.onnx: projection and lm_head
 * weights int8 (symmetric, one scale per tensor), activations quantized at run time (DynamicQuantizeLinear ->
 * MatMulInteger -> Cast -> Mul by both scales); embedding and norms fp32; genai only. */
export type TinyDtype = 'fp32' | 'fp16' | 'q8' | 'q4';
/** 'none': weights inside model.onnx; 'onnx_data': onnx/<file>_data (transformers.js naming, flagged in config.json); 'dot_data': onnx/<file>.data (genai builder naming). */
export type TinyExternalData = 'none' | 'onnx_data' | 'dot_data';

export interface TinyModelSpec {
  readonly layout: TinyLayout;
  readonly dtype: TinyDtype;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly numHeads: number;
  /** genai only; optimum uses numHeads. */
  readonly numKvHeads: number;
  readonly intermediateSize: number;
  /** false: no past/present I/O. Forward-only: transformers.js 4.3.1 generate() feeds just the newest
   * token after the first step whether or not the graph has a cache. */
  readonly kvCache: boolean;
  readonly externalData: TinyExternalData;
  readonly tokenizer: 'bytes' | 'qwen3';
  /** config.json model_type (which transformers.js class loads it); `family` decides the graph. */
  readonly modelType: 'qwen2' | 'llama' | 'qwen3' | 'gemma3_text' | 'phi3';
  /** Which model family's layer the graph spells out (see FAMILY_TRAITS): 'llama' is the plain layer. */
  readonly family: TinyFamily;
  /** lm_head = embedding transposed (SmolLM2, Qwen2.5 0.5B, Gemma 3); stored as its own initializer
   * as torch.onnx / the genai builder write it. */
  readonly tiedEmbeddings: boolean;
  readonly maxPositions: number;
  readonly seed: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  /** genai only: 'layernorm' uses LayerNormalization + com.microsoft SkipLayerNormalization with beta and
   * bias inputs (a LayerNorm-family builder graph); referenceForward does not model it. */
  readonly norm: 'rms' | 'layernorm';
  /** genai only: 'gqa' = GroupQueryAttention with rotary inside (packed QKV); 'mha' = MultiHeadAttention +
   * RotaryEmbedding with a position_ids input (needs numKvHeads === numHeads). Head size must be a
   * multiple of 16 for GQA on CPU. */
  readonly attention: 'gqa' | 'mha';
  /** Embedding and lm_head rows; 0 = the tokenizer's size. Larger pads with rows no token uses, so a
   * benchmark model has a real model's vocabulary cost (lm_head, logits). */
  readonly vocabSize: number;
}

/** Model families of the catalogue (src/core/models/catalogue.ts) whose layers differ from Llama's. */
export type TinyFamily = 'llama' | 'qwen2' | 'qwen3' | 'gemma3' | 'phi3';

/** What each family adds to the plain Llama layer, as transformers' modeling_<family>.py computes it. */
export interface FamilyTraits {
  /** q/k/v projections with bias (Qwen2: modeling_qwen2.py Qwen2Attention, bias=True). */
  readonly qkvBias: boolean;
  /** RMSNorm over head_dim on q and k before rotary (modeling_qwen3.py q_norm/k_norm, Gemma 3 too). */
  readonly qkNorm: boolean;
  /** Gemma 3 (modeling_gemma3.py Gemma3DecoderLayer): embeddings * sqrt(hidden), post_attention_layernorm
   * on the attention output and post_feedforward_layernorm on the MLP output before each residual sum,
   * pre_feedforward_layernorm before the MLP, gelu_pytorch_tanh activation. */
  readonly gemmaNorms: boolean;
  /** Phi-3 (modeling_phi3.py): one qkv_proj and one gate_up_proj MatMul, sliced apart. */
  readonly fusedProjections: boolean;
}

export const FAMILY_TRAITS: Readonly<Record<TinyFamily, FamilyTraits>> = {
  llama: { qkvBias: false, qkNorm: false, gemmaNorms: false, fusedProjections: false },
  qwen2: { qkvBias: true, qkNorm: false, gemmaNorms: false, fusedProjections: false },
  qwen3: { qkvBias: false, qkNorm: true, gemmaNorms: false, fusedProjections: false },
  gemma3: { qkvBias: false, qkNorm: true, gemmaNorms: true, fusedProjections: false },
  phi3: { qkvBias: false, qkNorm: false, gemmaNorms: false, fusedProjections: true },
};

/** Weights only some families have (drawn from their own PRNG, so the shared weights stay seed-stable). */
export interface TinyFamilyWeights {
  readonly bq?: Float32Array; // [nh*hd]
  readonly bk?: Float32Array; // [kvh*hd]
  readonly bv?: Float32Array; // [kvh*hd]
  readonly qNorm?: Float32Array; // [hd]
  readonly kNorm?: Float32Array; // [hd]
  /** Gemma: norm of the attention output before the residual sum. */
  readonly postAttnNorm?: Float32Array; // [H]
  /** Gemma: norm of the MLP output before the residual sum. */
  readonly postFfNorm?: Float32Array; // [H]
}

export interface TinyLayerWeights extends TinyFamilyWeights {
  readonly inputNorm: Float32Array; // [H]
  /** post_attention_layernorm (Gemma: pre_feedforward_layernorm), the MLP's input norm. */
  readonly postNorm: Float32Array; // [H]
  readonly wq: Float32Array; // [H, nh*hd]  (MatMul(x, W) layout: row-major [in, out])
  readonly wk: Float32Array; // [H, kvh*hd]
  readonly wv: Float32Array; // [H, kvh*hd]
  readonly wo: Float32Array; // [nh*hd, H]
  readonly wGate: Float32Array; // [H, I]
  readonly wUp: Float32Array; // [H, I]
  readonly wDown: Float32Array; // [I, H]
}

/** Weights as stored in the graph (fp16 models: already rounded to fp16). */
export interface TinyWeights {
  readonly embed: Float32Array; // [V, H]
  readonly layers: readonly TinyLayerWeights[];
  readonly finalNorm: Float32Array; // [H]
  readonly lmHead: Float32Array; // [H, V]
}

export interface TinyModelInfo {
  readonly dir: string;
  /** Path of the written graph, e.g. <dir>/onnx/model_fp16.onnx. */
  readonly onnxPath: string;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly headDim: number;
  readonly layout: TinyLayout;
  readonly dtype: TinyDtype;
  readonly spec: TinyModelSpec;
  readonly tokens: TokenizerInfo;
  readonly weights: TinyWeights;
}

export const DEFAULT_TINY_SPEC: TinyModelSpec = {
  layout: 'genai',
  dtype: 'fp32',
  numLayers: 4,
  hiddenSize: 32,
  numHeads: 2,
  numKvHeads: 1,
  intermediateSize: 64,
  kvCache: true,
  externalData: 'none',
  tokenizer: 'bytes',
  modelType: 'qwen2',
  family: 'llama',
  tiedEmbeddings: false,
  maxPositions: 512,
  seed: 1,
  rmsNormEps: 1e-6,
  ropeTheta: 10000,
  norm: 'rms',
  attention: 'gqa',
  vocabSize: 0,
};

/** Writes a complete model folder into `dir` (created if missing) and returns what was written. */
export async function writeTinyModel(
  dir: string,
  partial: Partial<TinyModelSpec> = {},
): Promise<TinyModelInfo> {
  const spec: TinyModelSpec = {
    ...DEFAULT_TINY_SPEC,
    ...(partial.layout === 'optimum' || partial.attention === 'mha'
      ? { numKvHeads: partial.numHeads ?? DEFAULT_TINY_SPEC.numHeads }
      : {}),
    ...partial,
  };
  if (spec.hiddenSize % spec.numHeads !== 0) throw new Error('hiddenSize must be a multiple of numHeads');
  if (spec.numHeads % spec.numKvHeads !== 0) throw new Error('numHeads must be a multiple of numKvHeads');
  if (spec.layout === 'optimum' && spec.numKvHeads !== spec.numHeads)
    throw new Error("layout 'optimum' supports numKvHeads === numHeads only");
  if (spec.dtype === 'q4' && (spec.hiddenSize % Q4_BLOCK !== 0 || spec.intermediateSize % Q4_BLOCK !== 0))
    throw new Error(`q4 needs hidden and intermediate sizes divisible by ${Q4_BLOCK}`);
  if (spec.dtype === 'q8' && spec.layout !== 'genai') throw new Error("q8 is generated in layout 'genai' only");
  if (spec.attention === 'mha' && spec.numKvHeads !== spec.numHeads)
    throw new Error("attention 'mha' needs numKvHeads === numHeads");
  if (spec.layout === 'optimum' && spec.norm !== 'rms')
    throw new Error("layout 'optimum' supports norm 'rms' only");
  if (spec.family !== 'llama' && spec.norm !== 'rms') throw new Error(`family ${spec.family} uses RMSNorm`);
  const headDim = spec.hiddenSize / spec.numHeads;
  if (headDim % 2 !== 0) throw new Error('head dim must be even (rotary)');

  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const tokens = spec.tokenizer === 'qwen3' ? writeQwen3Tokenizer(dir) : writeByteTokenizer(dir);
  if (spec.vocabSize !== 0 && spec.vocabSize < tokens.vocabSize)
    throw new Error(`vocabSize ${spec.vocabSize} is smaller than the tokenizer's ${tokens.vocabSize}`);
  const vocabSize = Math.max(spec.vocabSize, tokens.vocabSize);
  const weights = makeWeights(spec, vocabSize, headDim);
  const fileName = onnxFileName(spec.dtype);
  const graph =
    spec.layout === 'genai'
      ? buildGenaiGraph(spec, weights, vocabSize, headDim)
      : buildOptimumGraph(spec, weights, vocabSize, headDim);
  const model: onnx.IModelProto = {
    irVersion: 7,
    producerName:
      spec.layout === 'genai' ? 'persona-lens-tiny (genai layout)' : 'persona-lens-tiny (optimum layout)',
    opsetImport: [
      { domain: '', version: 14 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph,
  };
  const onnxPath = join(dir, 'onnx', fileName);
  if (spec.externalData !== 'none') {
    const dataName = spec.externalData === 'onnx_data' ? `${fileName}_data` : `${fileName}.data`;
    // Piece by piece: one write of 2 GiB or more fails, and a concatenated copy would double the memory.
    const fd = openSync(join(dir, 'onnx', dataName), 'w');
    try {
      for (const piece of moveToExternal(graph, dataName))
        for (let done = 0; done < piece.length;) done += writeSync(fd, piece, done);
    } finally {
      closeSync(fd);
    }
  }
  await writeFile(onnxPath, encodeModel(model));
  writeConfigs(dir, spec, vocabSize, headDim, tokens, fileName);
  return {
    dir,
    onnxPath,
    numLayers: spec.numLayers,
    hiddenSize: spec.hiddenSize,
    vocabSize,
    headDim,
    layout: spec.layout,
    dtype: spec.dtype,
    spec,
    tokens,
    weights,
  };
}

function makeWeights(spec: TinyModelSpec, vocab: number, headDim: number): TinyWeights {
  const rand = mulberry32(spec.seed);
  const H = spec.hiddenSize;
  const I = spec.intermediateSize;
  const q = spec.numHeads * headDim;
  const kv = spec.numKvHeads * headDim;
  const round = spec.dtype === 'fp16' ? roundToFloat16 : (a: Float32Array): Float32Array => a;
  // q4 / q8 models store what MatMulNBits / MatMulInteger dequantize to, so the reference forward sees the
  // same weights (q8's run-time activation quantization is not modelled: compare within its error).
  const mat = (rows: number, cols: number): Float32Array => {
    const wts = uniform(rand, rows * cols, 1 / Math.sqrt(rows));
    if (spec.dtype === 'q4') return quantizeQ4(wts, rows, cols).dequantized;
    if (spec.dtype === 'q8') return quantizeQ8(wts).dequantized;
    return round(wts);
  };
  const norm = (): Float32Array => round(uniform(rand, H, 0.2, 1));
  const layers: TinyLayerWeights[] = [];
  const embed = round(uniform(rand, vocab * H, 1));
  const traits = FAMILY_TRAITS[spec.family];
  const famRand = mulberry32(spec.seed + 104729);
  const famVec = (n: number, scale: number, center: number): Float32Array =>
    round(uniform(famRand, n, scale, center));
  const familyWeights = (): TinyFamilyWeights => ({
    ...(traits.qkvBias ? { bq: famVec(q, 0.3, 0), bk: famVec(kv, 0.3, 0), bv: famVec(kv, 0.3, 0) } : {}),
    ...(traits.qkNorm ? { qNorm: famVec(headDim, 0.5, 1), kNorm: famVec(headDim, 0.5, 1) } : {}),
    ...(traits.gemmaNorms ? { postAttnNorm: famVec(H, 0.4, 1), postFfNorm: famVec(H, 0.4, 1) } : {}),
  });
  for (let i = 0; i < spec.numLayers; i++) {
    layers.push({
      ...familyWeights(),
      inputNorm: norm(),
      postNorm: norm(),
      wq: mat(H, q),
      wk: mat(H, kv),
      wv: mat(H, kv),
      wo: mat(q, H),
      wGate: mat(H, I),
      wUp: mat(H, I),
      wDown: mat(I, H),
    });
  }
  const finalNorm = norm();
  const untied = mat(H, vocab);
  // Tied: lm_head is the embedding transposed (4-bit builds quantize that copy like any projection).
  const lmHead = spec.tiedEmbeddings ? tiedHead(embed, vocab, H, spec.dtype === 'q4') : untied;
  return { embed, layers, finalNorm, lmHead };
}

function tiedHead(embed: Float32Array, vocab: number, H: number, q4: boolean): Float32Array {
  const t = new Float32Array(H * vocab);
  for (let r = 0; r < vocab; r++) for (let j = 0; j < H; j++) t[j * vocab + r] = embed[r * H + j] ?? 0;
  return q4 ? quantizeQ4(t, H, vocab).dequantized : t;
}

const Q4_BLOCK = 16;
/** TensorProto.DataType INT8 (not in ElemType, which lists what the product writes). */
const ONNX_INT8 = 3;
/** How a projection's weights are stored (null: as float MatMul). */
type Quant = 'q4' | 'q8' | null;

/**
 * Symmetric 4-bit block quantization in MatMulNBits' layout: for weight W [k, n], B is [n, k/16, 8] bytes
 * (two 4-bit values per byte, lower k in the low nibble), scales [n * k/16], implicit zero point 8.
 */
function quantizeQ4(
  w: Float32Array,
  k: number,
  n: number,
): { packed: Uint8Array; scales: Float32Array; dequantized: Float32Array } {
  const blocks = k / Q4_BLOCK;
  const packed = new Uint8Array(n * blocks * (Q4_BLOCK / 2));
  const scales = new Float32Array(n * blocks);
  const dequantized = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      let amax = 0;
      for (let r = 0; r < Q4_BLOCK; r++)
        amax = Math.max(amax, Math.abs(w[(b * Q4_BLOCK + r) * n + col] ?? 0));
      const scale = Math.fround(amax / 7 || 1);
      scales[col * blocks + b] = scale;
      for (let r = 0; r < Q4_BLOCK; r++) {
        const row = b * Q4_BLOCK + r;
        const q = Math.min(15, Math.max(0, Math.round((w[row * n + col] ?? 0) / scale) + 8));
        dequantized[row * n + col] = Math.fround((q - 8) * scale);
        const byte = (col * blocks + b) * (Q4_BLOCK / 2) + (r >> 1);
        packed[byte] = (packed[byte] ?? 0) | (r & 1 ? q << 4 : q);
      }
    }
  }
  return { packed, scales, dequantized };
}

/**
 * Symmetric int8 quantization with one scale per tensor (quantize_dynamic's default for MatMul weights:
 * QInt8, per_channel off, zero point 0). Quantizing the dequantized values again gives the same bytes.
 */
function quantizeQ8(w: Float32Array): { q: Int8Array; scale: number; dequantized: Float32Array } {
  let amax = 0;
  for (const x of w) amax = Math.max(amax, Math.abs(x));
  const scale = Math.fround(amax / 127 || 1);
  // Plain loops: TypedArray.from(typedArray, fn) collects the values in a JS array first, which runs out of
  // heap at Qwen2.5-0.5B shape (lm_head: 136 M values).
  const q = new Int8Array(w.length);
  const dequantized = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = Math.min(127, Math.max(-127, Math.round((w[i] as number) / scale)));
    q[i] = v;
    dequantized[i] = v * scale;
  }
  return { q, scale, dequantized };
}

/** cos/sin of position * inv_freq, [maxPositions, headDim/2] (the genai builder's cos_cache layout). */
export function rotaryTables(
  maxPositions: number,
  headDim: number,
  theta: number,
): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let j = 0; j < half; j++) {
      const angle = p / theta ** ((2 * j) / headDim);
      cos[p * half + j] = Math.cos(angle);
      sin[p * half + j] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Concatenates row-major matrices with equal row counts along columns. */
function concatColumns(rows: number, parts: readonly { data: Float32Array; cols: number }[]): Float32Array {
  const total = parts.reduce((s, p) => s + p.cols, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (const p of parts) {
      out.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), r * total + off);
      off += p.cols;
    }
  }
  return out;
}

class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly inits: onnx.ITensorProto[] = [];
  constructor(readonly elem: number) {}
  node(
    op: string,
    name: string,
    inputs: readonly string[],
    outputs: readonly string[] | number = 1,
    attrs = {},
    domain = '',
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, k) => `${name}/output_${k}`)
        : outputs;
    this.nodes.push(makeNode(op, inputs, outs, name, attrs, domain));
    return [...outs];
  }
  one(op: string, name: string, inputs: readonly string[], attrs = {}, domain = ''): string {
    return this.node(op, name, inputs, 1, attrs, domain)[0] ?? '';
  }
  /** x @ W for a weight W [k, n]: MatMul, MatMulNBits (4-bit) for 'q4', DynamicQuantizeLinear + MatMulInteger for 'q8'. */
  linear(
    name: string,
    x: string,
    weightName: string,
    k: number,
    n: number,
    values: Float32Array,
    quant: Quant,
    out?: string,
  ): string {
    const outs = out ? [out] : 1;
    if (quant === 'q8') return this.linearQ8(name, x, weightName, k, n, values, outs);
    if (quant !== 'q4') return this.node('MatMul', name, [x, this.weight(weightName, [k, n], values)], outs)[0] ?? '';
    const q = quantizeQ4(values, k, n);
    const blocks = k / Q4_BLOCK;
    this.inits.push(makeTensor(`${weightName}.q4`, [n, blocks, Q4_BLOCK / 2], ElemType.UINT8, q.packed));
    this.inits.push(makeTensor(`${weightName}.scales`, [n * blocks], ElemType.FLOAT, q.scales));
    const attrs = { K: k, N: n, bits: 4, block_size: Q4_BLOCK };
    return (
      this.node(
        'MatMulNBits',
        name.replace(/MatMul$/, 'MatMulNBits'),
        [x, `${weightName}.q4`, `${weightName}.scales`],
        outs,
        attrs,
        'com.microsoft',
      )[0] ?? ''
    );
  }
  private readonly quantizedInputs = new Map<string, string[]>();
  /** The node chain quantize_dynamic writes for one MatMul (names as it names them: <weight>_quantized, ...). */
  private linearQ8(
    name: string,
    x: string,
    weightName: string,
    k: number,
    n: number,
    values: Float32Array,
    outs: readonly string[] | number,
  ): string {
    const q = quantizeQ8(values);
    const wq = `${weightName}_quantized`;
    this.inits.push({
      name: wq,
      dims: [k, n],
      dataType: ONNX_INT8,
      rawData: new Uint8Array(q.q.buffer, q.q.byteOffset, q.q.byteLength),
    });
    this.inits.push({ name: `${weightName}_zero_point`, dims: [], dataType: ONNX_INT8, rawData: new Uint8Array(1) });
    this.inits.push(makeTensor(`${weightName}_scale`, [], ElemType.FLOAT, [q.scale]));
    const base = name.replace(/\/MatMul$/, '');
    // One quantization per activation, shared by the projections that read it (gate and up), as quantize_dynamic does.
    let quantized = this.quantizedInputs.get(x);
    if (!quantized) {
      quantized = this.node('DynamicQuantizeLinear', `${name}_quant`, [x], [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`]);
      this.quantizedInputs.set(x, quantized);
    }
    const [xq, xs, xzp] = quantized;
    const acc = this.one('MatMulInteger', `${name}_quant/MatMulInteger`, [xq ?? '', wq, xzp ?? '', `${weightName}_zero_point`]);
    const accF = this.one('Cast', `${name}_quant/Cast`, [acc], { to: ElemType.FLOAT });
    const s = this.one('Mul', `${base}/scales_mul`, [xs ?? '', `${weightName}_scale`]);
    return this.node('Mul', `${name}_quant/output_scale_mul`, [accF, s], outs)[0] ?? '';
  }
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    this.inits.push(makeTensor(name, dims, this.elem, values));
    return name;
  }
  const(name: string, dims: readonly number[], elemType: number, values: readonly number[]): string {
    this.inits.push(makeTensor(name, dims, elemType, values));
    return name;
  }
}

function kvIo(
  spec: TinyModelSpec,
  elem: number,
  headDim: number,
): { inputs: onnx.IValueInfoProto[]; outputs: onnx.IValueInfoProto[] } {
  const inputs: onnx.IValueInfoProto[] = [];
  const outputs: onnx.IValueInfoProto[] = [];
  if (!spec.kvCache) return { inputs, outputs };
  for (let i = 0; i < spec.numLayers; i++) {
    for (const kind of ['key', 'value']) {
      inputs.push(
        makeValueInfo(`past_key_values.${i}.${kind}`, elem, [
          'batch_size',
          spec.numKvHeads,
          'past_sequence_length',
          headDim,
        ]),
      );
      outputs.push(
        makeValueInfo(`present.${i}.${kind}`, elem, [
          'batch_size',
          spec.numKvHeads,
          'total_sequence_length',
          headDim,
        ]),
      );
    }
  }
  return { inputs, outputs };
}

/** Additive attention bias [batch, 1, seq, total]: 0 where a query may attend a key (causal and not
 * padding), the type's most negative finite value elsewhere. Positions: queries are the last `seq` of `total`. */
function causalBias(g: GraphBuilder, elem: number): string {
  const L = ElemType.INT64;
  const m = '/model/attn_mask_reformat/causal_bias';
  const i0 = g.const(`${m}/i0`, [], L, [0]);
  const i1 = g.const(`${m}/i1`, [], L, [1]);
  const ax0 = g.const(`${m}/axes_0`, [1], L, [0]);
  const ax1 = g.const(`${m}/axes_1`, [1], L, [1]);
  const ax12 = g.const(`${m}/axes_1_2`, [2], L, [1, 2]);
  const zero = g.const(`${m}/zero`, [], elem, [0]);
  const min = g.const(`${m}/min`, [], elem, [elem === ElemType.FLOAT16 ? -65504 : -3.4028234663852886e38]);
  const total = g.one(
    'Gather',
    `${m}/Gather_total`,
    [g.one('Shape', `${m}/Shape_mask`, ['attention_mask']), i1],
    { axis: 0 },
  );
  const seq = g.one('Gather', `${m}/Gather_seq`, [g.one('Shape', `${m}/Shape_ids`, ['input_ids']), i1], {
    axis: 0,
  });
  const pastLen = g.one('Sub', `${m}/Sub`, [total, seq]);
  const qpos = g.one('Unsqueeze', `${m}/Unsqueeze_q`, [
    g.one('Range', `${m}/Range_q`, [pastLen, total, i1]),
    ax1,
  ]);
  const kpos = g.one('Unsqueeze', `${m}/Unsqueeze_k`, [g.one('Range', `${m}/Range_k`, [i0, total, i1]), ax0]);
  const causal = g.one('LessOrEqual', `${m}/LessOrEqual`, [kpos, qpos]);
  const pad = g.one('Unsqueeze', `${m}/Unsqueeze_pad`, [
    g.one('Cast', `${m}/Cast`, ['attention_mask'], { to: ElemType.BOOL }),
    ax12,
  ]);
  return g.one('Where', `${m}/Where`, [g.one('And', `${m}/And`, [causal, pad]), zero, min]);
}

function buildGenaiGraph(
  spec: TinyModelSpec,
  w: TinyWeights,
  vocab: number,
  headDim: number,
): onnx.IGraphProto {
  const elem = spec.dtype === 'fp16' ? ElemType.FLOAT16 : ElemType.FLOAT;
  const g = new GraphBuilder(elem);
  const q4: Quant = spec.dtype === 'q4' || spec.dtype === 'q8' ? spec.dtype : null;
  const mha = spec.attention === 'mha';
  const H = spec.hiddenSize;
  const I = spec.intermediateSize;
  const eps = { float: spec.rmsNormEps };
  const one1d = g.const('/model/constants/TensorProto.INT64/1D/1', [1], ElemType.INT64, [1]);
  const one0d = g.const('/model/constants/TensorProto.INT64/0D/1', [], ElemType.INT64, [1]);
  const m = '/model/attn_mask_reformat/attn_mask_subgraph';
  const sum = g.one('ReduceSum', `${m}/ReduceSum`, ['attention_mask', one1d]);
  const sub = g.one('Sub', `${m}/Sub`, [sum, one1d]);
  const seqlensK = g.one('Cast', `${m}/Sub/Cast`, [sub], { to: ElemType.INT32 });
  const shape = g.one('Shape', `${m}/Shape`, ['attention_mask']);
  const total = g.one('Gather', `${m}/Gather`, [shape, one0d], { axis: 0 });
  const totalLen = g.one('Cast', `${m}/Gather/Cast`, [total], { to: ElemType.INT32 });
  const { cos, sin } = rotaryTables(spec.maxPositions, headDim, spec.ropeTheta);
  g.weight('cos_cache', [spec.maxPositions, headDim / 2], cos);
  g.weight('sin_cache', [spec.maxPositions, headDim / 2], sin);

  g.weight('model.embed_tokens.weight', [vocab, H], w.embed);
  const traits = FAMILY_TRAITS[spec.family];
  if (mha && spec.family !== 'llama') throw new Error("attention 'mha' is generated for family 'llama' only");
  const gathered = g.one('Gather', '/model/embed_tokens/Gather', ['model.embed_tokens.weight', 'input_ids']);
  // Gemma: the builder scales the embedding by sqrt(hidden) with a Mul by a constant (make_embedding).
  const embedded = traits.gemmaNorms
    ? g.one('Mul', '/model/embed_tokens/Mul', [
        gathered,
        g.weight('/model/embed_tokens/scale', [], Float32Array.of(Math.sqrt(H))),
      ])
    : gathered;
  const simpleNorm = (name: string, x: string, weightName: string, gamma: Float32Array, dims = [H]): string =>
    g.one('SimplifiedLayerNormalization', name, [x, g.weight(weightName, dims, gamma)], {
      epsilon: eps,
      axis: -1,
      stash_type: 1,
    });
  const l0 = w.layers[0];
  if (!l0) throw new Error('numLayers must be >= 1');
  // LayerNorm family: beta and skip bias from their own PRNG so the shared weights stay seed-stable.
  const layerNorm = spec.norm === 'layernorm';
  const extraRand = mulberry32(spec.seed + 7919);
  const lnExtras = (name: string): string[] =>
    layerNorm
      ? [
          g.weight(`${name}.beta`, [H], uniform(extraRand, H, 0.05)),
          g.weight(`${name}.bias`, [H], uniform(extraRand, H, 0.05)),
        ]
      : [];
  const skipNorm = (
    name: string,
    res: string,
    branch: string,
    weightName: string,
    gamma: Float32Array,
    outs: readonly string[] | number,
  ): string[] =>
    g.node(
      layerNorm ? 'SkipLayerNormalization' : 'SkipSimplifiedLayerNormalization',
      name,
      [res, branch, g.weight(weightName, [H], gamma), ...lnExtras(weightName)],
      outs,
      { epsilon: eps },
      'com.microsoft',
    );
  g.weight('model.layers.0.input_layernorm.weight', [H], l0.inputNorm);
  let normed = layerNorm
    ? g.one(
        'LayerNormalization',
        '/model/layers.0/input_layernorm/LayerNorm',
        [
          embedded,
          'model.layers.0.input_layernorm.weight',
          lnExtras('model.layers.0.input_layernorm.weight')[0] ?? '',
        ],
        {
          epsilon: eps,
          axis: -1,
          stash_type: 1,
        },
      )
    : g.one(
        'SimplifiedLayerNormalization',
        '/model/layers.0/input_layernorm/LayerNorm',
        [embedded, 'model.layers.0.input_layernorm.weight'],
        {
          epsilon: eps,
          axis: -1,
          stash_type: 1,
        },
      );
  let residual = embedded;
  const qkvCols = (spec.numHeads + 2 * spec.numKvHeads) * headDim;
  const gqaAttention = (
    i: number,
    p: string,
    lw: TinyLayerWeights,
    past: string[],
    present: string[],
  ): string => {
    const qCols = spec.numHeads * headDim;
    const kvCols = spec.numKvHeads * headDim;
    const attrs = {
      num_heads: spec.numHeads,
      kv_num_heads: spec.numKvHeads,
      scale: { float: 1 / Math.sqrt(headDim) },
      do_rotary: 1,
      rotary_interleaved: 0,
    };
    const outs = [`${p}/attn/GroupQueryAttention/output_0`, ...present];
    if (traits.qkNorm) {
      // The builder does not pack q/k/v when q/k norms exist: q_proj, k_proj, v_proj, then per-head
      // SimplifiedLayerNormalization between Reshapes to [0, -1, head_size] and back
      // (onnxruntime-genai src/python/py/models/builder.py, make_attention_input_proj and make_qk_norm).
      const proj = (name: string, wData: Float32Array, cols: number): string =>
        g.linear(
          `${p}/attn/${name}/MatMul`,
          normed,
          `model.layers.${i}.attn.${name}.MatMul.weight`,
          H,
          cols,
          wData,
          q4,
        );
      const headNorm = (name: string, x: string, gamma: Float32Array | undefined): string => {
        if (!gamma) throw new Error('missing q/k norm weights');
        const toHeads = g.const(`${p}/attn/${name}/shape_heads`, [3], ElemType.INT64, [0, -1, headDim]);
        const shape = g.one(
          'Concat',
          `${p}/attn/${name}/Concat`,
          [
            g.one('Slice', `${p}/attn/${name}/Slice`, [
              g.one('Shape', `${p}/attn/${name}/Shape`, [x]),
              g.const(`${p}/attn/${name}/s0`, [1], ElemType.INT64, [0]),
              g.const(`${p}/attn/${name}/s2`, [1], ElemType.INT64, [2]),
            ]),
            g.const(`${p}/attn/${name}/last`, [1], ElemType.INT64, [-1]),
          ],
          { axis: 0 },
        );
        const r1 = g.one('Reshape', `${p}/attn/${name}/Reshape_1`, [x, toHeads]);
        const n = simpleNorm(
          `${p}/attn/${name}/SimplifiedLayerNormalization`,
          r1,
          `model.layers.${i}.attn.${name}.layernorm.weight`,
          gamma,
          [headDim],
        );
        return g.one('Reshape', `${p}/attn/${name}/Reshape_2`, [n, shape]);
      };
      const q = headNorm('q_norm', proj('q_proj', lw.wq, qCols), lw.qNorm);
      const k = headNorm('k_norm', proj('k_proj', lw.wk, kvCols), lw.kNorm);
      const v = proj('v_proj', lw.wv, kvCols);
      const ins = [q, k, v, ...past, seqlensK, totalLen, 'cos_cache', 'sin_cache'];
      return (
        g.node(
          'GroupQueryAttention',
          `${p}/attn/GroupQueryAttention`,
          ins,
          outs,
          attrs,
          'com.microsoft',
        )[0] ?? ''
      );
    }
    const qkvW = concatColumns(H, [
      { data: lw.wq, cols: qCols },
      { data: lw.wk, cols: kvCols },
      { data: lw.wv, cols: kvCols },
    ]);
    const packed = g.linear(
      `${p}/attn/qkv_proj/MatMul`,
      normed,
      `model.layers.${i}.attn.qkv_proj.MatMul.weight`,
      H,
      qkvCols,
      qkvW,
      q4,
    );
    // Qwen2: the packed projection's bias is one Add after the MatMul (builder make_attention_input_proj).
    const qkv =
      traits.qkvBias && lw.bq && lw.bk && lw.bv
        ? g.one('Add', `${p}/attn/qkv_proj/Add`, [
            packed,
            g.weight(
              `model.layers.${i}.attn.qkv_proj.Add.bias`,
              [qkvCols],
              Float32Array.from([...lw.bq, ...lw.bk, ...lw.bv]),
            ),
          ])
        : packed;
    const ins = [qkv, '', '', ...past, seqlensK, totalLen, 'cos_cache', 'sin_cache'];
    return (
      g.node('GroupQueryAttention', `${p}/attn/GroupQueryAttention`, ins, outs, attrs, 'com.microsoft')[0] ??
      ''
    );
  };
  // MultiHeadAttention + RotaryEmbedding (position_ids input), as in the builder's fp16 MHA graph, with an
  // additive causal + padding bias [batch, 1, seq, total] in the model's float type.
  const mhaBias = mha ? causalBias(g, elem) : '';
  const mhaAttention = (
    i: number,
    p: string,
    lw: TinyLayerWeights,
    past: string[],
    present: string[],
  ): string => {
    const proj = (name: string, wData: Float32Array): string =>
      g.linear(
        `${p}/attn/${name}/MatMul`,
        normed,
        `model.layers.${i}.attn.${name}.MatMul.weight`,
        H,
        spec.numHeads * headDim,
        wData,
        q4,
      );
    const rope = (name: string, x: string): string =>
      g.one(
        'RotaryEmbedding',
        `${p}/attn/${name}/RotaryEmbedding`,
        [x, 'position_ids', 'cos_cache', 'sin_cache'],
        { interleaved: 0, num_heads: spec.numHeads },
        'com.microsoft',
      );
    const q = rope('q_rotary', proj('q_proj', lw.wq));
    const k = rope('k_rotary', proj('k_proj', lw.wk));
    const v = proj('v_proj', lw.wv);
    const outs = [`${p}/attn/MultiHeadAttention/output_0`, ...present];
    const attrs = { num_heads: spec.numHeads, scale: { float: 1 / Math.sqrt(headDim) } };
    return (
      g.node(
        'MultiHeadAttention',
        `${p}/attn/MultiHeadAttention`,
        [q, k, v, '', '', mhaBias, ...past],
        outs,
        attrs,
        'com.microsoft',
      )[0] ?? ''
    );
  };
  for (let i = 0; i < spec.numLayers; i++) {
    const lw = w.layers[i];
    if (!lw) throw new Error('missing layer weights');
    const p = `/model/layers.${i}`;
    const past = spec.kvCache ? [`past_key_values.${i}.key`, `past_key_values.${i}.value`] : ['', ''];
    const present = spec.kvCache
      ? [`present.${i}.key`, `present.${i}.value`]
      : [`${p}/attn/present_key`, `${p}/attn/present_value`];
    const attn = mha ? mhaAttention(i, p, lw, past, present) : gqaAttention(i, p, lw, past, present);
    const o = g.linear(
      `${p}/attn/o_proj/MatMul`,
      attn,
      `model.layers.${i}.attn.o_proj.MatMul.weight`,
      spec.numHeads * headDim,
      H,
      lw.wo,
      q4,
    );
    // Gemma 2/3 (builder make_layer for Gemma2Model): post_attention_layernorm is a plain norm of the
    // attention output; the skip-norm that sums it into the stream is pre_feedforward_layernorm.
    const attnOut =
      traits.gemmaNorms && lw.postAttnNorm
        ? simpleNorm(
            `${p}/post_attention_layernorm/SimplifiedLayerNorm`,
            o,
            `model.layers.${i}.post_attention_layernorm.weight`,
            lw.postAttnNorm,
          )
        : o;
    const mid = traits.gemmaNorms ? 'pre_feedforward_layernorm' : 'post_attention_layernorm';
    const post = skipNorm(
      `${p}/${mid}/SkipLayerNorm`,
      residual,
      attnOut,
      `model.layers.${i}.${mid}.weight`,
      lw.postNorm,
      [`${p}/${mid}/output_0`, '', '', `${p}/${mid}/output_3`],
    );
    const gate = g.linear(
      `${p}/mlp/gate_proj/MatMul`,
      post[0] ?? '',
      `model.layers.${i}.mlp.gate_proj.MatMul.weight`,
      H,
      I,
      lw.wGate,
      q4,
    );
    const up = g.linear(
      `${p}/mlp/up_proj/MatMul`,
      post[0] ?? '',
      `model.layers.${i}.mlp.up_proj.MatMul.weight`,
      H,
      I,
      lw.wUp,
      q4,
    );
    // gelu_pytorch_tanh is the builder's FastGelu (make_activation); SiLU is Sigmoid * x.
    const act = traits.gemmaNorms
      ? g.one('FastGelu', `${p}/mlp/act_fn/FastGelu`, [gate], {}, 'com.microsoft')
      : g.one('Mul', `${p}/mlp/act_fn/Mul`, [gate, g.one('Sigmoid', `${p}/mlp/act_fn/Sigmoid`, [gate])]);
    const prod = g.one('Mul', `${p}/mlp/Mul`, [act, up]);
    const mlpOut = g.linear(
      `${p}/mlp/down_proj/MatMul`,
      prod,
      `model.layers.${i}.mlp.down_proj.MatMul.weight`,
      I,
      H,
      lw.wDown,
      q4,
    );
    const down =
      traits.gemmaNorms && lw.postFfNorm
        ? simpleNorm(
            `${p}/post_feedforward_layernorm/SimplifiedLayerNorm`,
            mlpOut,
            `model.layers.${i}.post_feedforward_layernorm.weight`,
            lw.postFfNorm,
          )
        : mlpOut;
    const next = w.layers[i + 1];
    if (next) {
      const q = `/model/layers.${i + 1}/input_layernorm`;
      const outs = skipNorm(
        `${q}/SkipLayerNorm`,
        post[3] ?? '',
        down,
        `model.layers.${i + 1}.input_layernorm.weight`,
        next.inputNorm,
        [`${q}/output_0`, '', '', `${q}/output_3`],
      );
      normed = outs[0] ?? '';
      residual = outs[3] ?? '';
    } else {
      const q = `/model/layers.${i + 1}/final_norm_layernorm`;
      normed =
        skipNorm(
          `${q}/SkipLayerNorm`,
          post[3] ?? '',
          down,
          `model.layers.${i + 1}.final_norm_layernorm.weight`,
          w.finalNorm,
          1,
        )[0] ?? '';
    }
  }
  g.linear('/lm_head/MatMul', normed, 'lm_head.MatMul.weight', H, vocab, w.lmHead, q4, 'logits');
  const kv = kvIo(spec, elem, headDim);
  return {
    name: 'main_graph',
    node: g.nodes,
    initializer: g.inits,
    input: [
      makeValueInfo('input_ids', ElemType.INT64, ['batch_size', 'sequence_length']),
      makeValueInfo('attention_mask', ElemType.INT64, ['batch_size', 'total_sequence_length']),
      ...(mha ? [makeValueInfo('position_ids', ElemType.INT64, ['batch_size', 'sequence_length'])] : []),
      ...kv.inputs,
    ],
    output: [makeValueInfo('logits', elem, ['batch_size', 'sequence_length', vocab]), ...kv.outputs],
  };
}

function buildOptimumGraph(
  spec: TinyModelSpec,
  w: TinyWeights,
  vocab: number,
  headDim: number,
): onnx.IGraphProto {
  // transformers.js fp16 exports run every op in float16; q4 exports keep float32 activations and
  // replace each MatMul by MatMulNBits (as the genai builder's q4 builds do).
  const F = spec.dtype === 'fp16' ? ElemType.FLOAT16 : ElemType.FLOAT;
  const g = new GraphBuilder(F);
  const q4 = spec.dtype === 'q4';
  const traits = FAMILY_TRAITS[spec.family];
  const H = spec.hiddenSize;
  const I = spec.intermediateSize;
  const nh = spec.numHeads;
  const half = headDim / 2;
  const L = ElemType.INT64;
  const c = {
    two: g.const('/model/constants/two', [], F, [2]),
    eps: g.const('/model/constants/eps', [], F, [spec.rmsNormEps]),
    scale: g.const('/model/constants/scale', [], F, [1 / Math.sqrt(headDim)]),
    zeroF: g.const('/model/constants/zero_f', [], F, [0]),
    minF: g.const('/model/constants/min_f', [], F, [
      F === ElemType.FLOAT16 ? -65504 : -3.4028234663852886e38,
    ]),
    i0: g.const('/model/constants/i0', [], L, [0]),
    i1: g.const('/model/constants/i1', [], L, [1]),
    ax0: g.const('/model/constants/axes_0', [1], L, [0]),
    ax1: g.const('/model/constants/axes_1', [1], L, [1]),
    ax12: g.const('/model/constants/axes_1_2', [2], L, [1, 2]),
    ax3: g.const('/model/constants/axes_3', [1], L, [3]),
    start0: g.const('/model/constants/start_0', [1], L, [0]),
    halfIdx: g.const('/model/constants/half', [1], L, [half]),
    end: g.const('/model/constants/end', [1], L, [headDim]),
    headsShape: g.const('/model/constants/heads_shape', [4], L, [0, 0, nh, headDim]),
    mergeShape: g.const('/model/constants/merge_shape', [3], L, [0, 0, -1]),
  };
  const rms = (prefix: string, x: string, weightName: string, weight: Float32Array, dim = H): string => {
    const pow = g.one('Pow', `${prefix}/Pow`, [x, c.two]);
    const mean = g.one('ReduceMean', `${prefix}/ReduceMean`, [pow], { axes: [-1], keepdims: 1 });
    const add = g.one('Add', `${prefix}/Add`, [mean, c.eps]);
    const sqrt = g.one('Sqrt', `${prefix}/Sqrt`, [add]);
    const div = g.one('Div', `${prefix}/Div`, [x, sqrt]);
    return g.one('Mul', `${prefix}/Mul`, [g.weight(weightName, [dim], weight), div]);
  };
  // x @ W, as MatMul or (q4) MatMulNBits.
  const lin = (name: string, x: string, wName: string, k: number, n: number, values: Float32Array): string =>
    g.linear(name, x, wName, k, n, values, q4 ? 'q4' : null);
  // gelu_pytorch_tanh as torch.onnx writes it: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  const geluTanh = (prefix: string, x: string): string => {
    const k = g.const(`${prefix}/k`, [], F, [Math.sqrt(2 / Math.PI)]);
    const a = g.const(`${prefix}/a`, [], F, [0.044715]);
    const three = g.const(`${prefix}/three`, [], F, [3]);
    const one = g.const(`${prefix}/one`, [], F, [1]);
    const halfC = g.const(`${prefix}/half`, [], F, [0.5]);
    const cube = g.one('Mul', `${prefix}/Mul`, [g.one('Pow', `${prefix}/Pow`, [x, three]), a]);
    const inner = g.one('Mul', `${prefix}/Mul_1`, [g.one('Add', `${prefix}/Add`, [x, cube]), k]);
    const t = g.one('Add', `${prefix}/Add_1`, [g.one('Tanh', `${prefix}/Tanh`, [inner]), one]);
    return g.one('Mul', `${prefix}/Mul_3`, [g.one('Mul', `${prefix}/Mul_2`, [x, halfC]), t]);
  };

  // Causal + padding mask as an additive bias [batch, 1, seq, total].
  const m = '/model/mask';
  const total = g.one(
    'Gather',
    `${m}/Gather_total`,
    [g.one('Shape', `${m}/Shape_mask`, ['attention_mask']), c.i1],
    { axis: 0 },
  );
  const seq = g.one('Gather', `${m}/Gather_seq`, [g.one('Shape', `${m}/Shape_ids`, ['input_ids']), c.i1], {
    axis: 0,
  });
  const pastLen = g.one('Sub', `${m}/Sub`, [total, seq]);
  const qpos = g.one('Unsqueeze', `${m}/Unsqueeze_q`, [
    g.one('Range', `${m}/Range_q`, [pastLen, total, c.i1]),
    c.ax1,
  ]);
  const kpos = g.one('Unsqueeze', `${m}/Unsqueeze_k`, [
    g.one('Range', `${m}/Range_k`, [c.i0, total, c.i1]),
    c.ax0,
  ]);
  const causal = g.one('LessOrEqual', `${m}/LessOrEqual`, [kpos, qpos]);
  const pad = g.one('Unsqueeze', `${m}/Unsqueeze_pad`, [
    g.one('Cast', `${m}/Cast`, ['attention_mask'], { to: ElemType.BOOL }),
    c.ax12,
  ]);
  const allowed = g.one('And', `${m}/And`, [causal, pad]);
  const bias = g.one('Where', `${m}/Where`, [allowed, c.zeroF, c.minF]);

  // Rotary tables [maxPos, headDim] (cos duplicated over both halves), gathered by position_ids -> [b, 1, s, hd].
  const { cos, sin } = rotaryTables(spec.maxPositions, headDim, spec.ropeTheta);
  const dup = (t: Float32Array): Float32Array =>
    concatColumns(spec.maxPositions, [
      { data: t, cols: half },
      { data: t, cols: half },
    ]);
  g.weight('/model/rotary_emb/cos_table', [spec.maxPositions, headDim], dup(cos));
  g.weight('/model/rotary_emb/sin_table', [spec.maxPositions, headDim], dup(sin));
  const cosP = g.one('Unsqueeze', '/model/rotary_emb/Unsqueeze_cos', [
    g.one('Gather', '/model/rotary_emb/Gather_cos', ['/model/rotary_emb/cos_table', 'position_ids']),
    c.ax1,
  ]);
  const sinP = g.one('Unsqueeze', '/model/rotary_emb/Unsqueeze_sin', [
    g.one('Gather', '/model/rotary_emb/Gather_sin', ['/model/rotary_emb/sin_table', 'position_ids']),
    c.ax1,
  ]);
  const rope = (prefix: string, x: string): string => {
    const x1 = g.one('Slice', `${prefix}/Slice`, [x, c.start0, c.halfIdx, c.ax3]);
    const x2 = g.one('Slice', `${prefix}/Slice_1`, [x, c.halfIdx, c.end, c.ax3]);
    const rot = g.one('Concat', `${prefix}/Concat`, [g.one('Neg', `${prefix}/Neg`, [x2]), x1], { axis: 3 });
    return g.one('Add', `${prefix}/Add`, [
      g.one('Mul', `${prefix}/Mul`, [x, cosP]),
      g.one('Mul', `${prefix}/Mul_1`, [rot, sinP]),
    ]);
  };

  const gathered = g.one('Gather', '/model/embed_tokens/Gather', [
    g.weight('model.embed_tokens.weight', [vocab, H], w.embed),
    'input_ids',
  ]);
  // Gemma3TextScaledWordEmbedding: embed * sqrt(hidden) (modeling_gemma3.py), a Mul by a constant.
  let x = traits.gemmaNorms
    ? g.one('Mul', '/model/embed_tokens/Mul', [
        gathered,
        g.const('/model/embed_tokens/scale', [], F, [Math.sqrt(H)]),
      ])
    : gathered;
  for (let i = 0; i < spec.numLayers; i++) {
    const lw = w.layers[i];
    if (!lw) throw new Error('missing layer weights');
    const p = `/model/layers.${i}`;
    const a = `${p}/self_attn`;
    const n1 = rms(`${p}/input_layernorm`, x, `model.layers.${i}.input_layernorm.weight`, lw.inputNorm);
    const cols = nh * headDim;
    // Phi-3 (modeling_phi3.py Phi3Attention): one qkv_proj, then qkv[..., :q], [q:q+kv], [q+kv:] (Slice).
    const fusedQkv = traits.fusedProjections
      ? lin(
          `${a}/qkv_proj/MatMul`,
          n1,
          `model.layers.${i}.self_attn.qkv_proj.weight`,
          H,
          3 * cols,
          concatColumns(H, [
            { data: lw.wq, cols },
            { data: lw.wk, cols },
            { data: lw.wv, cols },
          ]),
        )
      : '';
    const colSlice = (name: string, x: string, from: number, to: number): string =>
      g.one('Slice', `${a}/${name}`, [
        x,
        g.const(`${a}/${name}/starts`, [1], L, [from]),
        g.const(`${a}/${name}/ends`, [1], L, [to]),
        g.const(`${a}/${name}/axes`, [1], L, [-1]),
      ]);
    const heads = (
      name: string,
      wName: string,
      wData: Float32Array,
      slot: number,
      bias: Float32Array | undefined,
      norm: Float32Array | undefined,
    ): string => {
      let proj = traits.fusedProjections
        ? colSlice(`Slice_${slot}`, fusedQkv, slot * cols, (slot + 1) * cols)
        : lin(`${a}/${name}/MatMul`, n1, wName, H, cols, wData);
      // Qwen2: nn.Linear(bias=True) exports as MatMul + Add of the bias.
      if (bias)
        proj = g.one('Add', `${a}/${name}/Add`, [
          proj,
          g.weight(`${wName.replace(/weight$/, 'bias')}`, [cols], bias),
        ]);
      let r = g.one('Reshape', `${a}/${name}/Reshape`, [proj, c.headsShape]);
      // Qwen3 / Gemma 3: q_norm / k_norm, an RMSNorm over head_dim on [b, s, heads, hd] before the transpose.
      if (norm)
        r = rms(
          `${a}/${name.replace('_proj', '_norm')}`,
          r,
          `model.layers.${i}.self_attn.${name.replace('_proj', '_norm')}.weight`,
          norm,
          headDim,
        );
      return g.one('Transpose', `${a}/${name}/Transpose`, [r], { perm: [0, 2, 1, 3] });
    };
    const sa = `model.layers.${i}.self_attn`;
    const q = rope(`${a}/q_rope`, heads('q_proj', `${sa}.q_proj.weight`, lw.wq, 0, lw.bq, lw.qNorm));
    let k = rope(`${a}/k_rope`, heads('k_proj', `${sa}.k_proj.weight`, lw.wk, 1, lw.bk, lw.kNorm));
    let v = heads('v_proj', `${sa}.v_proj.weight`, lw.wv, 2, lw.bv, undefined);
    if (spec.kvCache) {
      k =
        g.node('Concat', `${a}/Concat_k`, [`past_key_values.${i}.key`, k], [`present.${i}.key`], {
          axis: 2,
        })[0] ?? '';
      v =
        g.node('Concat', `${a}/Concat_v`, [`past_key_values.${i}.value`, v], [`present.${i}.value`], {
          axis: 2,
        })[0] ?? '';
    }
    const kt = g.one('Transpose', `${a}/Transpose_kt`, [k], { perm: [0, 1, 3, 2] });
    const scores = g.one('Mul', `${a}/Mul_scale`, [g.one('MatMul', `${a}/MatMul_qk`, [q, kt]), c.scale]);
    const probs = g.one('Softmax', `${a}/Softmax`, [g.one('Add', `${a}/Add_mask`, [scores, bias])], {
      axis: -1,
    });
    const ctx = g.one('Transpose', `${a}/Transpose_out`, [g.one('MatMul', `${a}/MatMul_pv`, [probs, v])], {
      perm: [0, 2, 1, 3],
    });
    const merged = g.one('Reshape', `${a}/Reshape_out`, [ctx, c.mergeShape]);
    let o = lin(`${a}/o_proj/MatMul`, merged, `${sa}.o_proj.weight`, nh * headDim, H, lw.wo);
    // Gemma3DecoderLayer: post_attention_layernorm on the attention output, pre_feedforward_layernorm
    // before the MLP, post_feedforward_layernorm on its output; the sums stay plain Adds.
    if (traits.gemmaNorms && lw.postAttnNorm)
      o = rms(
        `${p}/post_attention_layernorm`,
        o,
        `model.layers.${i}.post_attention_layernorm.weight`,
        lw.postAttnNorm,
      );
    const h = g.one('Add', `${p}/Add`, [x, o]);
    const mlpNorm = traits.gemmaNorms ? 'pre_feedforward_layernorm' : 'post_attention_layernorm';
    const n2 = rms(`${p}/${mlpNorm}`, h, `model.layers.${i}.${mlpNorm}.weight`, lw.postNorm);
    let gate: string;
    let up: string;
    if (traits.fusedProjections) {
      // Phi3MLP: gate_up_proj, then chunk(2) into gate and up.
      const gu = lin(
        `${p}/mlp/gate_up_proj/MatMul`,
        n2,
        `model.layers.${i}.mlp.gate_up_proj.weight`,
        H,
        2 * I,
        concatColumns(H, [
          { data: lw.wGate, cols: I },
          { data: lw.wUp, cols: I },
        ]),
      );
      const slice = (name: string, from: number, to: number): string =>
        g.one('Slice', `${p}/mlp/${name}`, [
          gu,
          g.const(`${p}/mlp/${name}/starts`, [1], L, [from]),
          g.const(`${p}/mlp/${name}/ends`, [1], L, [to]),
          g.const(`${p}/mlp/${name}/axes`, [1], L, [-1]),
        ]);
      gate = slice('Slice', 0, I);
      up = slice('Slice_1', I, 2 * I);
    } else {
      gate = lin(`${p}/mlp/gate_proj/MatMul`, n2, `model.layers.${i}.mlp.gate_proj.weight`, H, I, lw.wGate);
      up = lin(`${p}/mlp/up_proj/MatMul`, n2, `model.layers.${i}.mlp.up_proj.weight`, H, I, lw.wUp);
    }
    const act = traits.gemmaNorms
      ? geluTanh(`${p}/mlp/act_fn`, gate)
      : g.one('Mul', `${p}/mlp/act_fn/Mul`, [gate, g.one('Sigmoid', `${p}/mlp/act_fn/Sigmoid`, [gate])]);
    let down = lin(
      `${p}/mlp/down_proj/MatMul`,
      g.one('Mul', `${p}/mlp/Mul`, [act, up]),
      `model.layers.${i}.mlp.down_proj.weight`,
      I,
      H,
      lw.wDown,
    );
    if (traits.gemmaNorms && lw.postFfNorm)
      down = rms(
        `${p}/post_feedforward_layernorm`,
        down,
        `model.layers.${i}.post_feedforward_layernorm.weight`,
        lw.postFfNorm,
      );
    x = g.one('Add', `${p}/Add_1`, [h, down]);
  }
  const fin = rms('/model/norm', x, 'model.norm.weight', w.finalNorm);
  g.linear('/lm_head/MatMul', fin, 'lm_head.weight', H, vocab, w.lmHead, q4 ? 'q4' : null, 'logits');
  const kv = kvIo(spec, F, headDim);
  return {
    name: 'main_graph',
    node: g.nodes,
    initializer: g.inits,
    input: [
      makeValueInfo('input_ids', L, ['batch_size', 'sequence_length']),
      makeValueInfo('attention_mask', L, ['batch_size', 'total_sequence_length']),
      makeValueInfo('position_ids', L, ['batch_size', 'sequence_length']),
      ...kv.inputs,
    ],
    output: [makeValueInfo('logits', F, ['batch_size', 'sequence_length', vocab]), ...kv.outputs],
  };
}

/** Moves every initializer's raw data into one external-data file; returns its pieces in order. */
function moveToExternal(graph: onnx.IGraphProto, location: string): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of graph.initializer ?? []) {
    const raw = t.rawData;
    if (!raw || raw.length < 64) continue;
    const pad = (16 - (offset % 16)) % 16;
    if (pad) chunks.push(Buffer.alloc(pad));
    offset += pad;
    chunks.push(raw);
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
    t.rawData = new Uint8Array(0);
    offset += raw.length;
  }
  return chunks;
}

function writeConfigs(
  dir: string,
  spec: TinyModelSpec,
  vocab: number,
  headDim: number,
  tokens: TokenizerInfo,
  fileName: string,
): void {
  const arch = {
    qwen2: 'Qwen2ForCausalLM',
    llama: 'LlamaForCausalLM',
    qwen3: 'Qwen3ForCausalLM',
    gemma3_text: 'Gemma3ForCausalLM',
    phi3: 'Phi3ForCausalLM',
  }[spec.modelType];
  const jsConfig: Record<string, unknown> = { dtype: spec.dtype };
  if (spec.externalData === 'onnx_data') jsConfig.use_external_data_format = { [fileName]: 1 };
  const config = {
    architectures: [arch],
    model_type: spec.modelType,
    hidden_size: spec.hiddenSize,
    intermediate_size: spec.intermediateSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads,
    head_dim: headDim,
    vocab_size: vocab,
    max_position_embeddings: spec.maxPositions,
    rms_norm_eps: spec.rmsNormEps,
    rope_theta: spec.ropeTheta,
    hidden_act: FAMILY_TRAITS[spec.family].gemmaNorms ? 'gelu_pytorch_tanh' : 'silu',
    ...(FAMILY_TRAITS[spec.family].gemmaNorms
      ? { hidden_activation: 'gelu_pytorch_tanh', query_pre_attn_scalar: headDim }
      : {}),
    tie_word_embeddings: spec.tiedEmbeddings,
    torch_dtype: spec.dtype === 'fp16' ? 'float16' : 'float32',
    bos_token_id: tokens.endOfTextId,
    eos_token_id: tokens.imEndId,
    pad_token_id: tokens.endOfTextId,
    use_cache: spec.kvCache,
    'transformers.js_config': jsConfig,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(
    join(dir, 'generation_config.json'),
    JSON.stringify(
      {
        bos_token_id: tokens.endOfTextId,
        eos_token_id: [tokens.imEndId, tokens.endOfTextId],
        pad_token_id: tokens.endOfTextId,
        do_sample: false,
      },
      null,
      2,
    ),
  );
}
