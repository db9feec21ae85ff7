/**
 * The model catalogue: small chat models with ONNX exports transformers.js loads, as Select Model and
 * `persona-lens models` offer them. Facts are from each repository's public file listing or model card
 * as of late 2026; a fact that was not read from a source is `null` (shown as "unverified"), never guessed.
 * Sizes are the hub's listing of the graph file(s) for a dtype (`model<suffix>.onnx` plus its
 * `.onnx_data`), in decimal megabytes; tokenizer and config files add a few MB.
 */

/** The weight formats transformers.js picks with `dtype` (the `persona-lens.dtype` setting's values). */
export const CATALOGUE_DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
/** One of the catalogue's dtypes. */
export type CatalogueDtype = (typeof CATALOGUE_DTYPES)[number];

/**
 * How the ONNX graph was written, which decides whether the engine's rewrite finds the residual stream
 * (docs/instrumentation.md): `optimum` = Optimum / transformers.js conversion (plain `Add` residuals,
 * decomposed RMSNorm, KV cache in one graph); `genai-builder` = onnxruntime-genai model builder
 * (SkipSimplifiedLayerNormalization, GroupQueryAttention, MatMulNBits).
 */
export type ExportLayout = 'optimum' | 'genai-builder';

/**
 * What the engine's rewrite can say about an entry today: `tested` = a random-weight stand-in of this
 * family's graph, as its exporter writes it, runs in the project's tests for each fp32/fp16/q4 the entry
 * ships (test/unit/worker/graph/familyLayouts.test.ts; q4f16 = the q4 and fp16 cases; q8's MatMulInteger
 * projections are not generated); `pattern-known` = the layout is one the rewrite covers
 * (docs/instrumentation.md) but this family's graph has not been run; `unknown` = neither checked.
 */
export type RewriteSupport = 'tested' | 'pattern-known' | 'unknown';

/** One dtype an entry ships, with its download size when it was read from the hub listing. */
export interface CatalogueFile {
  readonly dtype: CatalogueDtype;
  /** Decimal MB of the graph file(s); null when not verified. */
  readonly sizeMB: number | null;
}

/** One model the catalogue offers. */
export interface CatalogueEntry {
  /** Hugging Face hub id that carries the onnx/ folder (what Select Model downloads). */
  readonly id: string;
  /** Short name for lists. */
  readonly label: string;
  /** config.json model_type. */
  readonly architecture: string;
  readonly parameters: string;
  readonly layout: ExportLayout;
  readonly support: RewriteSupport;
  readonly files: readonly CatalogueFile[];
  /** max_position_embeddings from config.json; null when not verified. */
  readonly contextLength: number | null;
  /** Licence as the model card states it; null when not verified. */
  readonly licence: string | null;
  /** Where the facts were read (hub file listing or model card). */
  readonly source: string;
  /** What a user should know before picking it (one line), if anything. */
  readonly note?: string;
}

const mb = (dtype: CatalogueDtype, sizeMB: number | null): CatalogueFile => ({ dtype, sizeMB });
const unverified = (...dtypes: CatalogueDtype[]): CatalogueFile[] => dtypes.map((d) => mb(d, null));

/** The catalogue, smallest first within each family. */
export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    label: 'SmolLM2 135M Instruct',
    architecture: 'llama',
    parameters: '135M',
    layout: 'optimum',
    support: 'tested',
    files: [mb('fp32', 654), mb('fp16', 327), mb('q4', 200), mb('q4f16', 134)],
    contextLength: 8192,
    licence: 'apache-2.0',
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct/tree/main/onnx',
    note: 'no q8 file in the repository',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    label: 'SmolLM2 360M Instruct',
    architecture: 'llama',
    parameters: '360M',
    layout: 'optimum',
    support: 'tested',
    files: unverified('fp32', 'fp16', 'q4', 'q4f16'),
    contextLength: 8192,
    licence: null,
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM2-360M-Instruct',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-1.7B-Instruct',
    label: 'SmolLM2 1.7B Instruct',
    architecture: 'llama',
    parameters: '1.7B',
    layout: 'optimum',
    support: 'tested',
    files: unverified('fp32', 'fp16', 'q4', 'q4f16'),
    contextLength: null,
    licence: null,
    source: 'https://huggingface.co/HuggingFaceTB/SmolLM2-1.7B-Instruct',
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5 0.5B Instruct',
    architecture: 'qwen2',
    parameters: '0.5B',
    layout: 'optimum',
    support: 'tested',
    files: [mb('fp32', 1990), mb('fp16', 997), mb('q8', 512), mb('q4', 786), mb('q4f16', 483)],
    contextLength: 32768,
    licence: 'apache-2.0',
    source: 'https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/tree/main/onnx',
  },
  {
    id: 'onnx-community/Qwen2.5-1.5B-Instruct',
    label: 'Qwen2.5 1.5B Instruct',
    architecture: 'qwen2',
    parameters: '1.5B',
    layout: 'optimum',
    support: 'tested',
    files: [mb('fp32', 6211), mb('fp16', 3101), mb('q8', 1580), mb('q4', 1790), mb('q4f16', 1220)],
    contextLength: null,
    licence: null,
    source: 'https://huggingface.co/onnx-community/Qwen2.5-1.5B-Instruct/tree/main/onnx',
    note: 'fp32 and fp16 keep their weights in a .onnx_data file beside the graph',
  },
  {
    id: 'onnx-community/Qwen3-0.6B-ONNX',
    label: 'Qwen3 0.6B',
    architecture: 'qwen3',
    parameters: '0.6B',
    layout: 'optimum',
    support: 'tested',
    files: unverified('fp32', 'fp16', 'q8', 'q4', 'q4f16'),
    contextLength: 40960,
    licence: null,
    source: 'https://huggingface.co/onnx-community/Qwen3-0.6B-ONNX',
    note: 'q/k norms inside attention; a thinking model (its template may add <think> blocks)',
  },
  {
    id: 'onnx-community/Llama-3.2-1B-Instruct',
    label: 'Llama 3.2 1B Instruct',
    architecture: 'llama',
    parameters: '1.2B',
    layout: 'optimum',
    support: 'tested',
    files: [mb('fp32', 4941), mb('fp16', 2471), mb('q8', 1240), mb('q4', 1660), mb('q4f16', 1070)],
    contextLength: null,
    licence: 'llama3.2',
    source: 'https://huggingface.co/onnx-community/Llama-3.2-1B-Instruct/tree/main/onnx',
    note: 'Llama 3.2 Community License: accept it on the model card before use',
  },
  {
    id: 'onnx-community/gemma-3-270m-it-ONNX',
    label: 'Gemma 3 270M IT',
    architecture: 'gemma3_text',
    parameters: '270M',
    layout: 'optimum',
    support: 'tested',
    files: unverified('fp32', 'fp16', 'q4', 'q4f16'),
    contextLength: 32768,
    licence: 'gemma',
    source: 'https://huggingface.co/onnx-community/gemma-3-270m-it-ONNX',
    note: 'scaled embeddings and extra norms around each block; Gemma Terms of Use',
  },
  {
    id: 'onnx-community/gemma-3-1b-it-ONNX',
    label: 'Gemma 3 1B IT',
    architecture: 'gemma3_text',
    parameters: '1B',
    layout: 'optimum',
    support: 'tested',
    files: unverified('fp32', 'fp16', 'q4', 'q4f16'),
    contextLength: null,
    licence: 'gemma',
    source: 'https://huggingface.co/onnx-community/gemma-3-1b-it-ONNX',
    note: 'scaled embeddings and extra norms around each block; Gemma Terms of Use',
  },
  {
    id: 'onnx-community/Phi-3.5-mini-instruct-onnx-web',
    label: 'Phi-3.5 mini instruct',
    architecture: 'phi3',
    parameters: '3.8B',
    layout: 'genai-builder',
    support: 'tested',
    files: unverified('q4f16'),
    contextLength: null,
    licence: null,
    source: 'https://huggingface.co/onnx-community/Phi-3.5-mini-instruct-onnx-web',
    note: 'fused qkv; the largest here, several GB even at 4 bits',
  },
];

/** The entry with this hub id, if the catalogue has it. */
export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((e) => e.id === id);
}

/** The smallest verified download of an entry, if any size is verified. */
export function smallestDownload(entry: CatalogueEntry): CatalogueFile | undefined {
  return entry.files.filter((f) => f.sizeMB !== null).sort((a, b) => (a.sizeMB ?? 0) - (b.sizeMB ?? 0))[0];
}

/** A size for people: "483 MB", "1.99 GB", or "unverified". */
export function formatSize(sizeMB: number | null): string {
  if (sizeMB === null) return 'unverified';
  return sizeMB >= 1000 ? `${(sizeMB / 1000).toFixed(2)} GB` : `${Math.round(sizeMB)} MB`;
}

/** One line of an entry's facts: architecture, parameters, layout, context, licence. */
export function describeEntry(entry: CatalogueEntry): string {
  const ctx =
    entry.contextLength === null
      ? 'context unverified'
      : `${entry.contextLength.toLocaleString('en-US')} tokens`;
  return `${entry.architecture} ${entry.parameters} · ${entry.layout} export · ${ctx} · licence ${entry.licence ?? 'unverified'}`;
}

/** What the rewrite support level means, for lists. */
export const SUPPORT_TEXT: Readonly<Record<RewriteSupport, string>> = {
  tested: "this family's export layout runs in this project's tests (random weights, tiny shapes)",
  'pattern-known': 'layout known to the rewrite, family not yet run',
  unknown: 'layout not yet checked',
};
