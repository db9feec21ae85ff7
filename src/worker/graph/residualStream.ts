// Finds the residual stream of a decoder graph by structure (see docs/instrumentation.md):
// start at the token-embedding Gather, then repeatedly take the node that sums the current stream with a
// branch computed from it (a plain Add, or the fused com.microsoft Skip[Simplified]LayerNormalization whose
// output 3 is the sum). Those sums alternate attention half / MLP half; the stream leaving layer i is the
// sum of site 2i+1. Node names are never used. Branch contents (MatMul, MatMulNBits, MatMulInteger, ...)
// do not matter, only the fact that the branch depends on the stream.
import { InstrumentationError } from './errors';
import { elemTypeOf, indexGraph, onnx, toNumber, type GraphIndex } from './onnxProto';

export type ResidualPattern = 'skip-simplified-layernorm' | 'skip-layernorm' | 'add';

/** One residual sum: `node` adds the stream (input `streamInput`) and a branch (input `branchInput`). */
export interface ResidualSite {
  readonly node: onnx.INodeProto;
  readonly kind: 'add' | 'skip-norm';
  readonly streamInput: 0 | 1;
  readonly branchInput: 0 | 1;
}

export interface ResidualPlan {
  readonly pattern: ResidualPattern;
  /** layerExits[i]: the sum whose result is the stream leaving decoder layer i (zero-based). */
  readonly layerExits: readonly ResidualSite[];
  readonly hiddenSize: number;
  /** TensorProto element type of the stream (FLOAT or FLOAT16). */
  readonly elemType: number;
}

const SKIP_NORMS = new Set(['SkipSimplifiedLayerNormalization', 'SkipLayerNormalization']);
/** Ops of onnxruntime's transformer optimizer that replace the embedding Gather and hide the stream's start. */
const OPTIMIZER_FUSIONS = new Set(['EmbedLayerNormalization']);

/** True if tensor `target` is computed from any of `sources` (walks producers backwards). */
function dependsOn(ix: GraphIndex, target: string, sources: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length > 0) {
    const t = stack.pop() ?? '';
    if (sources.has(t)) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    const p = ix.producer.get(t);
    if (p) for (const i of p.input ?? []) if (i && !seen.has(i)) stack.push(i);
  }
  return false;
}

function isFromGraphInput(ix: GraphIndex, tensor: string): boolean {
  let t = tensor;
  for (let hops = 0; hops < 4; hops++) {
    if (ix.graphInputs.has(t)) return true;
    const p = ix.producer.get(t);
    if (!p || !['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Identity'].includes(p.opType ?? '')) return false;
    t = p.input?.[0] ?? '';
  }
  return false;
}

/** Token-embedding candidates: Gather / GatherBlockQuantized of a 2-D initializer indexed by a graph input. */
function embeddingCandidates(graph: onnx.IGraphProto, ix: GraphIndex): string[] {
  const out: string[] = [];
  for (const n of graph.node ?? []) {
    if (n.opType !== 'Gather' && n.opType !== 'GatherBlockQuantized') continue;
    const data = ix.initializers.get(n.input?.[0] ?? '');
    if (!data || (data.dims?.length ?? 0) < 2 || !isFromGraphInput(ix, n.input?.[1] ?? '')) continue;
    let t = n.output?.[0] ?? '';
    // Gemma-style embedding scaling: a Mul by a constant right after the Gather starts the stream.
    const cons = ix.consumers.get(t) ?? [];
    const only = cons[0];
    if (
      cons.length === 1 &&
      only?.opType === 'Mul' &&
      (only.input ?? []).some((i) => ix.initializers.has(i) || ix.producer.get(i)?.opType === 'Constant')
    ) {
      t = only.output?.[0] ?? t;
    }
    out.push(t);
  }
  return out;
}

/** The residual sum consuming `stream`, or undefined at the end of the chain. */
function nextSite(ix: GraphIndex, stream: string, file: string): ResidualSite | undefined {
  const found: ResidualSite[] = [];
  // A fused skip-norm emits the stream (output 3) and its normalized form (output 0) side by side; the
  // next branch is computed from output 0, so it counts as computed from the stream.
  const producer = ix.producer.get(stream);
  const sources = new Set(
    producer && SKIP_NORMS.has(producer.opType ?? '') ? (producer.output ?? []).filter(Boolean) : [stream],
  );
  for (const n of ix.consumers.get(stream) ?? []) {
    const op = n.opType ?? '';
    const isAdd = op === 'Add' && (n.domain ?? '') === '';
    const isSkip = SKIP_NORMS.has(op) && n.domain === 'com.microsoft';
    if (!isAdd && !isSkip) continue;
    const ins = n.input ?? [];
    for (const streamInput of [0, 1] as const) {
      if (ins[streamInput] !== stream) continue;
      const branchInput = streamInput === 0 ? 1 : 0;
      const branch = ins[branchInput] ?? '';
      if (!branch || branch === stream || ix.initializers.has(branch)) continue;
      if (!dependsOn(ix, branch, sources)) continue;
      found.push({ node: n, kind: isAdd ? 'add' : 'skip-norm', streamInput, branchInput });
    }
  }
  if (found.length > 1) {
    throw new InstrumentationError(
      file,
      `ambiguous residual stream: ${found.length} sums consume tensor '${stream}' (${found.map((s) => s.node.opType).join(', ')})`,
    );
  }
  return found[0];
}

/** Output of a site that carries the sum onward ('' when a final skip-norm does not emit it). */
export function siteSumOutput(site: ResidualSite): string {
  return site.kind === 'add' ? (site.node.output?.[0] ?? '') : (site.node.output?.[3] ?? '');
}

function walk(ix: GraphIndex, start: string, file: string): ResidualSite[] {
  const sites: ResidualSite[] = [];
  let stream = start;
  for (;;) {
    const site = nextSite(ix, stream, file);
    if (!site) break;
    sites.push(site);
    const next = siteSumOutput(site);
    if (!next) break;
    stream = next;
  }
  return sites;
}

export interface StreamHints {
  /** config.json hidden_size: used when the graph does not show it (quantized embeddings). */
  readonly hiddenSize?: number;
  /** config.json num_hidden_layers: the layer count found on the stream must equal it. */
  readonly numLayers?: number;
}

/** Locates every decoder layer's exit residual, or throws InstrumentationError naming what is missing. */
export function findResidualStream(
  graph: onnx.IGraphProto,
  file: string,
  hints: StreamHints = {},
): ResidualPlan {
  const ix = indexGraph(graph);
  const fused = (graph.node ?? []).find((n) => OPTIMIZER_FUSIONS.has(n.opType ?? ''));
  const starts = embeddingCandidates(graph, ix);
  if (starts.length === 0) {
    const branchy = (graph.node ?? []).find((n) => n.opType === 'If' || n.opType === 'Loop');
    const hint = fused
      ? ` The graph has com.microsoft:${fused.opType ?? ''} (onnxruntime transformer-optimizer output), which hides the embedding; use an unoptimized export.`
      : branchy
        ? ` The decoder sits inside an ${branchy.opType ?? ''} subgraph (e.g. an Optimum merged decoder with use_cache_branch); subgraphs are not instrumented.`
        : '';
    throw new InstrumentationError(
      file,
      `pattern 'token embedding' not found: no Gather of a 2-D initializer indexed by a graph input.${hint}`,
    );
  }
  let best: ResidualSite[] = [];
  for (const s of starts) {
    const sites = walk(ix, s, file);
    if (sites.length > best.length) best = sites;
  }
  if (best.length < 2) {
    throw new InstrumentationError(
      file,
      "pattern 'residual stream' not found: the embedding output is not summed with a branch computed from it " +
        '(expected plain Add nodes or com.microsoft SkipSimplifiedLayerNormalization / SkipLayerNormalization chained through output 3).',
    );
  }
  if (best.length % 2 !== 0) {
    throw new InstrumentationError(
      file,
      `pattern 'two residual sums per layer' not found: the stream has ${best.length} sums, an odd number.`,
    );
  }
  const kinds = new Set(best.map((s) => (s.kind === 'add' ? 'add' : s.node.opType)));
  if (kinds.size !== 1)
    throw new InstrumentationError(file, `mixed residual sums (${[...kinds].join(', ')}) are not supported.`);
  const numLayers = best.length / 2;
  const presents = (graph.output ?? []).filter((o) => o.name?.startsWith('present')).length;
  if (presents > 0 && presents !== 2 * numLayers) {
    throw new InstrumentationError(
      file,
      `found ${numLayers} layers on the residual stream but ${presents} present.* outputs (expected ${2 * numLayers}).`,
    );
  }
  const layerExits = best.filter((_, k) => k % 2 === 1);
  const pattern: ResidualPattern =
    best[0]?.kind === 'add'
      ? 'add'
      : best[0]?.node.opType === 'SkipLayerNormalization'
        ? 'skip-layernorm'
        : 'skip-simplified-layernorm';
  if (hints.numLayers !== undefined && hints.numLayers !== numLayers) {
    throw new InstrumentationError(
      file,
      `found ${numLayers} layers on the residual stream but config.json says num_hidden_layers = ${hints.numLayers}.`,
    );
  }
  const { hiddenSize, elemType } = streamShape(graph, ix, best, file, hints.hiddenSize);
  return { pattern, layerExits, hiddenSize, elemType };
}

/** Hidden size and element type of the stream, from the skip-norm weight or the embedding table. */
function streamShape(
  graph: onnx.IGraphProto,
  ix: GraphIndex,
  sites: readonly ResidualSite[],
  file: string,
  hiddenSizeHint: number | undefined,
): { hiddenSize: number; elemType: number } {
  const first = sites[0];
  if (first?.kind === 'skip-norm') {
    const gamma = ix.initializers.get(first.node.input?.[2] ?? '');
    if (gamma?.dims?.length === 1)
      return { hiddenSize: toNumber(gamma.dims[0]), elemType: gamma.dataType ?? 0 };
  }
  // Plain Add graphs: the embedding table feeding the stream (float Gather, or 4/8-bit
  // GatherBlockQuantized whose scales carry the float type), else config's hidden size + logits type.
  for (const n of graph.node ?? []) {
    if (n.opType !== 'Gather' && n.opType !== 'GatherBlockQuantized') continue;
    const data = ix.initializers.get(n.input?.[0] ?? '');
    if (!data || data.dims?.length !== 2 || !dependsOnAny(sites, n.output?.[0] ?? '', ix)) continue;
    const cols = toNumber(data.dims[1]);
    if (n.opType === 'Gather' && (data.dataType === 1 || data.dataType === 10)) {
      return { hiddenSize: cols, elemType: data.dataType };
    }
    const scales = ix.initializers.get(n.input?.[2] ?? '');
    if (n.opType === 'GatherBlockQuantized' && (scales?.dataType === 1 || scales?.dataType === 10)) {
      const bitsAttr = (n.attribute ?? []).find((a) => a.name === 'bits');
      const bits = bitsAttr ? toNumber(bitsAttr.i) : 4;
      // uint8 data packs 8/bits values per byte; int4/uint4 tensors (types 21, 22) hold one per element.
      const packed = data.dataType === 2 ? (cols * 8) / bits : cols;
      return { hiddenSize: hiddenSizeHint ?? packed, elemType: scales.dataType };
    }
  }
  const logits = (graph.output ?? []).find((o) => o.name === 'logits');
  const logitsType = elemTypeOf(logits);
  if (hiddenSizeHint && (logitsType === 1 || logitsType === 10))
    return { hiddenSize: hiddenSizeHint, elemType: logitsType };
  throw new InstrumentationError(
    file,
    `cannot determine the hidden size of the residual stream (logits type ${logitsType}).`,
  );
}

function dependsOnAny(sites: readonly ResidualSite[], tensor: string, ix: GraphIndex): boolean {
  const first = sites[0];
  if (!first) return false;
  return dependsOn(ix, first.node.input?.[first.streamInput] ?? '', new Set([tensor]));
}
