// Rewrites a decoder graph in place: exposes each layer's exit residual as a graph output and, at capped
// layers, adds h <- h + v * (max(tau - <h, v>, 0) + shift) with v / tau / shift as runtime inputs:
// capping (tau) and additive steering along the axis (shift = alpha in the layer's units) share the node.
// tau and shift are [rows, capped layers]: one row for the batch, or one per sequence of the batch.
// With tau = -Infinity and shift = 0 the correction is 0 * v = 0 and the graph is the original's.
//
// Capping uses the "inject" layout (docs/instrumentation.md; measured in ../shared/docs/engine-notes.md
// section 3): the residual-sum node itself is kept, a copy of its sum is computed only to get <h, v>, and
// the correction is added to the node's stream input. The sum node then yields the capped stream, so the
// next layer (and a fused skip-norm's normalized output) sees it, and with tau = -Infinity the correction
// is exactly 0 and every original tensor keeps its bits. The stream input, not the branch: in fp16 graphs
// onnxruntime's CPU kernels may keep a branch in float32 between nodes (Gemma 3's post-feedforward norm
// feeding the skip-norm), and an fp16 Add on that edge would round it (test/unit/worker/graph/
// familyLayouts.test.ts, gemma3 genai fp16); the stream is always a stored fp16 tensor.
import { InstrumentationError } from './errors';
import {
  defaultOpset,
  ElemType,
  makeNode,
  makeTensor,
  makeValueInfo,
  namesInUse,
  onnx,
  uniqueName,
  type AttrValue,
} from './onnxProto';
import { findOutputHead, rewriteOutputHead, type HeadIo } from './outputHead';
import { siteSumOutput, type ResidualPlan, type ResidualSite } from './residualStream';

export interface RewriteResult {
  readonly residualOutputs: readonly string[];
  readonly capInputs: { readonly v: string; readonly tau: string; readonly shift: string } | null;
  /** Position-selected logits and next-token log-probabilities; null when the head was left as it was. */
  readonly head: HeadIo | null;
}

export interface RewriteOptions {
  /** Zero-based layers that get a cap, in cap_v / cap_tau row order; distinct and in range. */
  readonly capLayers: readonly number[];
  /** Keep the original head ('logits' at every position, no log-probabilities): the graph before REWRITE_VERSION 2, for benchmarks. */
  readonly allPositionLogits?: boolean;
}

/** Symbolic [batch, sequence] dims taken from the logits output so residual outputs match them. */
function leadingDims(graph: onnx.IGraphProto): (string | number)[] {
  const logits = (graph.output ?? []).find((o) => o.name === 'logits') ?? graph.output?.[0];
  const dims = logits?.type?.tensorType?.shape?.dim ?? [];
  const pick = (k: number, fallback: string): string | number => {
    const d = dims[k];
    if (d?.dimParam) return d.dimParam;
    return fallback;
  };
  return [pick(0, 'batch_size'), pick(1, 'sequence_length')];
}

/** Makes sure the site's sum is a named tensor (the final skip-norm may not emit output 3) and returns it. */
function ensureSumOutput(site: ResidualSite, used: Set<string>, layer: number): string {
  const existing = siteSumOutput(site);
  if (existing) return existing;
  const outs = [...(site.node.output ?? [])];
  while (outs.length < 4) outs.push('');
  const name = uniqueName(used, `/persona_lens/layers.${layer}/residual_sum`);
  outs[3] = name;
  site.node.output = outs;
  return name;
}

/** Applies the rewrite (residual outputs, caps, output head). */
export function rewriteGraph(
  model: onnx.IModelProto,
  plan: ResidualPlan,
  options: RewriteOptions,
  file: string,
): RewriteResult {
  const graph = model.graph;
  if (!graph) throw new InstrumentationError(file, 'the model has no graph.');
  const capLayers = options.capLayers;
  // Found before anything is added, so a graph whose head cannot be rewritten fails before any other work.
  const headPlan = options.allPositionLogits ? null : findOutputHead(graph, plan, file);
  const numLayers = plan.layerExits.length;
  const seen = new Set<number>();
  for (const l of capLayers) {
    if (!Number.isInteger(l) || l < 0 || l >= numLayers)
      throw new RangeError(`cap layer ${l} is outside 0..${numLayers - 1}`);
    if (seen.has(l)) throw new RangeError(`cap layer ${l} is listed twice`);
    seen.add(l);
  }
  const used = namesInUse(graph);
  const nodes = graph.node ?? [];
  const inits = graph.initializer ?? [];
  const outputs = graph.output ?? [];
  const [batch, seq] = leadingDims(graph);
  const H = plan.hiddenSize;
  const fp16 = plan.elemType === ElemType.FLOAT16;

  const residualOutputs: string[] = [];
  plan.layerExits.forEach((site, layer) => {
    const sum = ensureSumOutput(site, used, layer);
    const out = uniqueName(used, `residual.${layer}`);
    nodes.push(
      makeNode('Identity', [sum], [out], uniqueName(used, `/persona_lens/residual.${layer}/Identity`)),
    );
    outputs.push(makeValueInfo(out, plan.elemType, [batch ?? 'batch_size', seq ?? 'sequence_length', H]));
    residualOutputs.push(out);
  });

  let capInputs: RewriteResult['capInputs'] = null;
  if (capLayers.length > 0) {
    const v = uniqueName(used, 'cap_v');
    const tau = uniqueName(used, 'cap_tau');
    const shift = uniqueName(used, 'cap_shift');
    graph.input = [
      ...(graph.input ?? []),
      makeValueInfo(v, ElemType.FLOAT, [capLayers.length, H]),
      // One row of floors and shifts for the whole batch, or one per batch row (a sweep decodes its cells together).
      makeValueInfo(tau, ElemType.FLOAT, ['cap_tau_rows', capLayers.length]),
      makeValueInfo(shift, ElemType.FLOAT, ['cap_shift_rows', capLayers.length]),
    ];
    // Unsqueeze takes its axes as an input from opset 13 on, as an attribute before.
    const opset = defaultOpset(model);
    const axis1 = uniqueName(used, '/persona_lens/const/axes_1');
    const axes12 = uniqueName(used, '/persona_lens/const/axes_1_2');
    if (opset >= 13) {
      inits.push(makeTensor(axis1, [1], ElemType.INT64, [1]));
      inits.push(makeTensor(axes12, [2], ElemType.INT64, [1, 2]));
    }
    const unsqueeze = (x: string, axes: number[], axesInput: string, node: (op: string, ins: string[], attrs?: Record<string, AttrValue>) => string): string =>
      opset >= 13 ? node('Unsqueeze', [x, axesInput]) : node('Unsqueeze', [x], { axes });
    capLayers.forEach((layer, row) => {
      const site = plan.layerExits[layer];
      if (!site) return;
      const p = `/persona_lens/cap.${layer}`;
      const name = (s: string): string => uniqueName(used, `${p}/${s}`);
      const node = (op: string, ins: string[], attrs: Record<string, AttrValue> = {}): string => {
        const out = name(`${op}_output`);
        nodes.push(makeNode(op, ins, [out], name(op), attrs));
        return out;
      };
      const ins = [...(site.node.input ?? [])];
      const stream = ins[site.streamInput] ?? '';
      const branch = ins[site.branchInput] ?? '';
      let sum = node('Add', [stream, branch]);
      // SkipLayerNormalization's optional bias (input 4) is part of its output-3 sum.
      const bias = site.kind === 'skip-norm' ? (ins[4] ?? '') : '';
      if (bias) sum = node('Add', [sum, bias]);
      // <h, v> in fp32 even for fp16 graphs (the criterion <h,v> >= tau is checked in fp32).
      const sum32 = fp16 ? node('Cast', [sum], { to: ElemType.FLOAT }) : sum;
      const idx = name('row');
      inits.push(makeTensor(idx, [], ElemType.INT64, [row]));
      const vRow = node('Gather', [v, idx], { axis: 0 });
      const vCol = unsqueeze(vRow, [1], axis1, node);
      const dot = node('MatMul', [sum32, vCol]);
      // [rows] -> [rows, 1, 1]: against <h, v> of shape [batch, sequence, 1], one row applies to every
      // sequence of the batch and `batch` rows one to each.
      const perRow = (x: string): string => unsqueeze(node('Gather', [x, idx], { axis: 1 }), [1, 2], axes12, node);
      const deficit = node('Relu', [node('Sub', [perRow(tau), dot])]);
      // Steering adds a constant along v; 0 adds nothing (deficit + 0 is deficit, bit for bit).
      const amount = node('Add', [deficit, perRow(shift)]);
      const corr32 = node('Mul', [amount, vRow]);
      const corr = fp16 ? node('Cast', [corr32], { to: ElemType.FLOAT16 }) : corr32;
      ins[site.streamInput] = node('Add', [stream, corr]);
      site.node.input = ins;
    });
    capInputs = { v, tau, shift };
  }
  graph.node = nodes;
  graph.initializer = inits;
  graph.output = outputs;
  const head = headPlan ? rewriteOutputHead(model, headPlan, used, file) : null;
  graph.node = topoSort(graph.node, file);
  return { residualOutputs, capInputs, head };
}

/** Orders nodes so every input is produced before use (ONNX requires topological order); keeps the
 * original order where it is already valid. Iterative DFS: decoder graphs can be thousands of nodes deep. */
function topoSort(nodes: onnx.INodeProto[], file: string): onnx.INodeProto[] {
  const producers = new Map<string, number>();
  nodes.forEach((n, k) => (n.output ?? []).forEach((o) => o && producers.set(o, k)));
  const state = new Uint8Array(nodes.length); // 0 new, 1 on stack, 2 emitted
  const order: onnx.INodeProto[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root] !== 0) continue;
    const stack: { k: number; next: number }[] = [{ k: root, next: 0 }];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) break;
      const ins = nodes[top.k]?.input ?? [];
      if (top.next < ins.length) {
        const p = producers.get(ins[top.next++] ?? '');
        if (p === undefined || state[p] === 2) continue;
        if (state[p] === 1)
          throw new InstrumentationError(file, 'the rewritten graph has a cycle (internal error).');
        state[p] = 1;
        stack.push({ k: p, next: 0 });
        continue;
      }
      stack.pop();
      state[top.k] = 2;
      const n = nodes[top.k];
      if (n) order.push(n);
    }
  }
  return order;
}
