// Rewrites a decoder graph's output head (final hidden state -> lm_head -> 'logits') so the graph computes
// it only at the positions a caller asks for, and scores the actual next tokens inside the graph:
//  - 'logits' becomes [batch, k, vocab] for the k positions fed in `logits_positions` (generation asks for
//    the last one, scoring for none), so no [sequence, vocab] tensor leaves the graph;
//  - 'token_logprobs' [batch, m] is ln softmax(logits at position p_j)[target_j] for the m positions fed in
//    `logprob_positions` and the token ids in `logprob_targets`: per-token log-likelihoods for scoring.
// The original head nodes run on the gathered rows of the final hidden state, so every row is computed by
// the same ops as before; the head must be position-wise (each output row depends only on its own input
// row), which is checked op by op. See docs/instrumentation.md ("Output head").
import { InstrumentationError } from './errors';
import {
  defaultOpset,
  ElemType,
  elemTypeOf,
  indexGraph,
  type GraphIndex,
  makeNode,
  makeTensor,
  makeValueInfo,
  onnx,
  toNumber,
  uniqueName,
} from './onnxProto';
import { siteSumOutput, type ResidualPlan } from './residualStream';

/** Inputs and outputs the head rewrite adds (names as made unique in the graph). */
export interface HeadIo {
  /** int64 [k]: positions (0-based within the fed tokens, negative counts from the end) whose logits are returned. */
  readonly logitsPositions: string;
  /** int64 [m]: positions whose next-token log-probability is returned. */
  readonly logprobPositions: string;
  /** int64 [batch, m]: the token id scored at each of those positions (the token that follows it). */
  readonly logprobTargets: string;
  /** float32 [batch, m]: ln p(target_j | tokens up to and including position p_j). */
  readonly logprobs: string;
}

/** The head as found: the tensor it starts from and its nodes in graph order. */
export interface HeadPlan {
  /** Final hidden state (genai: the final skip-norm's normalized output) or last residual (plain Add graphs). */
  readonly input: string;
  readonly nodes: readonly onnx.INodeProto[];
  /** Element type of 'logits' (FLOAT or FLOAT16). */
  readonly logitsType: number;
}

/** Elementwise ops: each output element depends on the same element of the inputs (with broadcasting). */
const ELEMENTWISE = new Set([
  'Cast',
  'Identity',
  'Neg',
  'Abs',
  'Sqrt',
  'Reciprocal',
  'Exp',
  'Log',
  'Tanh',
  'Sigmoid',
  'Relu',
  'Erf',
  'Softplus',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
]);
/** Ops that work along the last axis (hidden or vocabulary), never across positions. */
const LAST_AXIS = new Set([
  'ReduceMean',
  'ReduceSum',
  'ReduceSumSquare',
  'ReduceMax',
  'ReduceL2',
  'Softmax',
  'LogSoftmax',
  'SimplifiedLayerNormalization',
  'LayerNormalization',
]);
/** Linear maps of the last axis by constant weights: the lm_head itself. */
const LINEAR = new Set(['MatMul', 'FusedMatMul', 'MatMulNBits', 'MatMulBnb4', 'MatMulInteger']);
/** Dynamic int8 quantization of the activations (q8 exports): its scale is over all rows it is given. */
const ROW_SET = new Set(['DynamicQuantizeLinear']);

const LOGITS = 'logits';

/** Finds the position-wise head from the final hidden state to 'logits', or throws naming the pattern not found. */
export function findOutputHead(graph: onnx.IGraphProto, plan: ResidualPlan, file: string): HeadPlan {
  const logitsOut = (graph.output ?? []).find((o) => o.name === LOGITS);
  if (!logitsOut)
    throw new InstrumentationError(
      file,
      "pattern 'logits output' not found: the graph has no output named 'logits'.",
    );
  const last = plan.layerExits[plan.layerExits.length - 1];
  if (!last) throw new InstrumentationError(file, "pattern 'residual stream' not found.");
  // A fused final skip-norm already normalizes: start at its output 0. Plain Add graphs start at the last sum.
  const input =
    last.kind === 'skip-norm' && last.node.output?.[0] ? last.node.output[0] : siteSumOutput(last);
  const nodes = graph.node ?? [];
  const ix = indexGraph(graph);
  const { producer, consumers } = ix;
  // Nodes computed from the head's input...
  const downstream = new Set<onnx.INodeProto>();
  const stack = [input];
  while (stack.length > 0) {
    for (const c of consumers.get(stack.pop() ?? '') ?? []) {
      if (downstream.has(c)) continue;
      downstream.add(c);
      for (const o of c.output ?? []) if (o) stack.push(o);
    }
  }
  // ...that 'logits' is computed from.
  const head = new Set<onnx.INodeProto>();
  const back = [LOGITS];
  const seen = new Set<string>();
  while (back.length > 0) {
    const t = back.pop() ?? '';
    if (seen.has(t)) continue;
    seen.add(t);
    const p = producer.get(t);
    if (!p || !downstream.has(p) || head.has(p)) continue;
    head.add(p);
    for (const i of p.input ?? []) if (i) back.push(i);
  }
  if (head.size === 0) {
    throw new InstrumentationError(
      file,
      `pattern 'lm_head' not found: 'logits' is not computed from the final hidden state '${input}'.`,
    );
  }
  const headOutputs = new Set([...head].flatMap((n) => (n.output ?? []).filter(Boolean)));
  const isConstant = constantTester(ix);
  let linear = false;
  for (const n of head) {
    const op = n.opType ?? '';
    const where = `node '${n.name ?? ''}' (${op})`;
    if (LINEAR.has(op)) {
      const [a, w] = n.input ?? [];
      if (!(a === input || headOutputs.has(a ?? '')) || !w || !isConstant(w)) {
        throw new InstrumentationError(
          file,
          `pattern 'lm_head' not found: ${where} does not multiply the hidden state by constant weights.`,
        );
      }
      linear = true;
    } else if (!ELEMENTWISE.has(op) && !ROW_SET.has(op) && !(LAST_AXIS.has(op) && lastAxisOnly(n, ix))) {
      throw new InstrumentationError(
        file,
        `pattern 'position-wise lm_head' not found: ${where} between the final hidden state and 'logits' may mix positions.`,
      );
    }
    for (const i of n.input ?? []) {
      if (i && i !== input && !headOutputs.has(i) && !isConstant(i)) {
        throw new InstrumentationError(
          file,
          `pattern 'position-wise lm_head' not found: ${where} reads '${i}', which is neither a constant nor computed from the final hidden state.`,
        );
      }
    }
    // Outputs of the head must not feed anything else: the head nodes are replaced.
    for (const o of n.output ?? []) {
      const outside = (consumers.get(o) ?? []).find((c) => !head.has(c));
      if (outside)
        throw new InstrumentationError(
          file,
          `pattern 'lm_head' not found: head tensor '${o}' also feeds node '${outside.name ?? ''}' (${outside.opType ?? ''}).`,
        );
      if (o !== LOGITS && (graph.output ?? []).some((g) => g.name === o)) {
        throw new InstrumentationError(
          file,
          `pattern 'lm_head' not found: head tensor '${o}' is also a graph output.`,
        );
      }
    }
  }
  if (!linear)
    throw new InstrumentationError(
      file,
      "pattern 'lm_head' not found: no MatMul-like node between the final hidden state and 'logits'.",
    );
  const logitsType = elemTypeOf(logitsOut);
  if (logitsType !== ElemType.FLOAT && logitsType !== ElemType.FLOAT16) {
    throw new InstrumentationError(
      file,
      `'logits' has element type ${logitsType}; only float32 and float16 logits are supported.`,
    );
  }
  return { input, nodes: nodes.filter((n) => head.has(n)), logitsType };
}

/** True for tensors that depend on no graph input (initializers, Constant nodes and what is computed from them). */
function constantTester(ix: GraphIndex): (t: string) => boolean {
  return (tensor: string): boolean => {
    // Iterative: a non-constant tensor can sit thousands of nodes deep.
    const seen = new Set<string>();
    const stack = [tensor];
    while (stack.length > 0) {
      const t = stack.pop() ?? '';
      if (!t || seen.has(t) || ix.initializers.has(t)) continue;
      seen.add(t);
      if (ix.graphInputs.has(t)) return false;
      const p = ix.producer.get(t);
      if (!p) return false;
      stack.push(...(p.input ?? []));
    }
    return true;
  };
}

/** True if a reduction / softmax / norm node works on the last axis only (rank-3 [batch, seq, features]). */
function lastAxisOnly(n: onnx.INodeProto, ix: GraphIndex): boolean {
  const attr = (name: string): onnx.IAttributeProto | undefined =>
    (n.attribute ?? []).find((a) => a.name === name);
  const isLast = (axis: number): boolean => axis === -1 || axis === 2;
  const op = n.opType ?? '';
  if (op.startsWith('Reduce')) {
    const a = attr('axes');
    if (a) return (a.ints ?? []).length === 1 && isLast(toNumber(a.ints?.[0]));
    // Opset 18+: axes as an input, an initializer or a Constant node.
    const name = n.input?.[1] ?? '';
    const t =
      ix.initializers.get(name) ??
      (ix.producer.get(name)?.opType === 'Constant'
        ? ix.producer.get(name)?.attribute?.find((a) => a.name === 'value')?.t
        : undefined);
    if (!t) return false;
    const values = int64Values(t);
    return values.length === 1 && isLast(values[0] ?? 0);
  }
  const axis = attr('axis');
  // Softmax / LogSoftmax default to the last axis from opset 13 (earlier: 1, which would be the positions).
  if (!axis) return op === 'SimplifiedLayerNormalization' || op === 'LayerNormalization';
  return isLast(toNumber(axis.i));
}

function int64Values(t: onnx.ITensorProto): number[] {
  if (t.int64Data && t.int64Data.length > 0) return t.int64Data.map(toNumber);
  const raw = t.rawData;
  if (!raw || raw.length % 8 !== 0) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.length / 8 }, (_, k) => Number(view.getBigInt64(k * 8, true)));
}

/**
 * Runs the head once on the rows asked for by both callers (log-probability rows first, then logits rows;
 * one MatMul keeps the lm_head weight a single-use constant, which onnxruntime pre-packs as in the original
 * graph) and adds the inputs and the 'token_logprobs' output. `used` holds every name in the graph; new names
 * are reserved in it.
 */
export function rewriteOutputHead(
  model: onnx.IModelProto,
  head: HeadPlan,
  used: Set<string>,
  file: string,
): HeadIo {
  const graph = model.graph;
  if (!graph) throw new InstrumentationError(file, 'the model has no graph.');
  const opset = defaultOpset(model);
  if (opset < 11)
    throw new InstrumentationError(
      file,
      `ONNX opset ${opset} is older than 11 (needed for the output head's ops).`,
    );
  const nodes = graph.node ?? [];
  const inits = graph.initializer ?? [];
  const p = '/persona_lens/head';
  const name = (s: string): string => uniqueName(used, `${p}/${s}`);
  const add = (
    op: string,
    ins: string[],
    attrs: Record<string, number | number[]> = {},
    out?: string,
  ): string => {
    const o = out ?? name(`${op}_output`);
    nodes.push(makeNode(op, ins, [o], name(op), attrs));
    return o;
  };
  const constant = (s: string, values: number[]): string => {
    const c = name(`const/${s}`);
    inits.push(makeTensor(c, [values.length], ElemType.INT64, values));
    return c;
  };
  const io: HeadIo = {
    logitsPositions: uniqueName(used, 'logits_positions'),
    logprobPositions: uniqueName(used, 'logprob_positions'),
    logprobTargets: uniqueName(used, 'logprob_targets'),
    logprobs: uniqueName(used, 'token_logprobs'),
  };
  const outputs = graph.output ?? [];
  const dims = outputs.find((o) => o.name === LOGITS)?.type?.tensorType?.shape?.dim ?? [];
  const batch = dims[0]?.dimParam || 'batch_size';
  const vocab = dims[2]?.dimValue ? toNumber(dims[2].dimValue) : dims[2]?.dimParam || 'vocab_size';

  // The head reads the chosen rows of its input; its result gets an internal name.
  const positions = add('Concat', [io.logprobPositions, io.logitsPositions], { axis: 0 });
  const rows = add('Gather', [head.input, positions], { axis: 1 });
  const allLogits = name('logits');
  for (const n of head.nodes) {
    n.input = (n.input ?? []).map((i) => (i === head.input ? rows : i));
    n.output = (n.output ?? []).map((o) => (o === LOGITS ? allLogits : o));
  }
  // Generation: the rows after the m log-probability rows, under the graph's own output name.
  const m = add('Shape', [io.logprobPositions]);
  add(
    'Slice',
    [allLogits, m, constant('int64_max', [Number.MAX_SAFE_INTEGER]), constant('axes_1', [1])],
    {},
    LOGITS,
  );
  // Scoring: log-softmax over the vocabulary (in fp32 even for fp16 graphs), read at the target ids.
  // GatherElements with indices [batch, m, 1] reads rows 0..m-1, the log-probability rows.
  const scored =
    head.logitsType === ElemType.FLOAT16 ? add('Cast', [allLogits], { to: ElemType.FLOAT }) : allLogits;
  const logSoftmax = add('LogSoftmax', [scored], { axis: -1 });
  if (opset >= 13) {
    const axes = constant('axes_2', [2]);
    const picked = add('GatherElements', [logSoftmax, add('Unsqueeze', [io.logprobTargets, axes])], {
      axis: 2,
    });
    add('Squeeze', [picked, axes], {}, io.logprobs);
  } else {
    const picked = add('GatherElements', [logSoftmax, add('Unsqueeze', [io.logprobTargets], { axes: [2] })], {
      axis: 2,
    });
    add('Squeeze', [picked], { axes: [2] }, io.logprobs);
  }

  graph.node = nodes;
  graph.initializer = inits;
  graph.input = [
    ...(graph.input ?? []),
    makeValueInfo(io.logitsPositions, ElemType.INT64, ['logits_positions']),
    makeValueInfo(io.logprobPositions, ElemType.INT64, ['logprob_positions']),
    makeValueInfo(io.logprobTargets, ElemType.INT64, [batch, 'logprob_positions']),
  ];
  graph.output = [
    ...outputs.map((o) =>
      o.name === LOGITS ? makeValueInfo(LOGITS, head.logitsType, [batch, 'logits_positions', vocab]) : o,
    ),
    makeValueInfo(io.logprobs, ElemType.FLOAT, [batch, 'logprob_positions']),
  ];
  return io;
}
