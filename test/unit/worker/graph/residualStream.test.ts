// Structural residual-stream detection: independent of node/tensor names, and clear InstrumentationErrors
// on graphs without the pattern (onnxruntime transformer-optimizer GPT-2, a graph with no residual sums).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instrumentGraphBytes, InstrumentationError } from '../../../../src/worker/graph/instrument';
import { findResidualStream } from '../../../../src/worker/graph/residualStream';
import {
  decodeModel,
  ElemType,
  encodeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
  onnx,
} from '../../../../src/worker/graph/onnxProto';
import { writeTinyModel } from '../../../support/tinyModels';
import { GRAPHS_DIR } from '../../../support/shared.mjs';

const root = mkdtempSync(join(tmpdir(), 'pl-stream-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Renames every node and every internal tensor (not graph inputs/outputs) to meaningless names. */
function scrambleNames(model: onnx.ModelProto): void {
  const g = model.graph!;
  const keep = new Set([...(g.input ?? []).map((i) => i.name), ...(g.output ?? []).map((o) => o.name)]);
  const map = new Map<string, string>();
  const rename = (s: string | null | undefined): string => {
    if (!s || keep.has(s)) return s ?? '';
    let r = map.get(s);
    if (!r) {
      r = `t${map.size}`;
      map.set(s, r);
    }
    return r;
  };
  for (const t of g.initializer ?? []) t.name = rename(t.name);
  for (const n of g.node ?? []) {
    n.name = '';
    n.input = (n.input ?? []).map(rename);
    n.output = (n.output ?? []).map(rename);
  }
}

describe('findResidualStream', () => {
  for (const layout of ['genai', 'optimum'] as const) {
    test(`${layout}: same layers found with scrambled names`, async () => {
      const info = await writeTinyModel(join(root, layout), { layout, numLayers: 3 });
      const model = decodeModel(readFileSync(info.onnxPath));
      const plain = findResidualStream(model.graph!, info.onnxPath);
      scrambleNames(model);
      const scrambled = findResidualStream(model.graph!, info.onnxPath, { hiddenSize: 32 });
      assert.equal(scrambled.pattern, layout === 'genai' ? 'skip-simplified-layernorm' : 'add');
      assert.equal(scrambled.layerExits.length, 3);
      assert.equal(scrambled.hiddenSize, 32);
      assert.equal(scrambled.elemType, ElemType.FLOAT);
      assert.deepEqual(
        scrambled.layerExits.map((s) => s.node.opType),
        plain.layerExits.map((s) => s.node.opType),
      );
      // The scrambled graph still instruments into a runnable layout (residual per layer).
      const { result } = instrumentGraphBytes(
        encodeModel(model),
        info.onnxPath,
        { capLayers: [0] },
        { hiddenSize: 32, numLayers: 3 },
      );
      assert.equal(result.residualOutputs.length, 3);
    });
  }

  test('genai: layer exits are the input_layernorm skip-norms, then the final norm', async () => {
    const info = await writeTinyModel(join(root, 'names'), { layout: 'genai', numLayers: 3 });
    const plan = findResidualStream(decodeModel(readFileSync(info.onnxPath)).graph!, info.onnxPath);
    assert.deepEqual(
      plan.layerExits.map((s) => s.node.name),
      [
        '/model/layers.1/input_layernorm/SkipLayerNorm',
        '/model/layers.2/input_layernorm/SkipLayerNorm',
        '/model/layers.3/final_norm_layernorm/SkipLayerNorm',
      ],
    );
  });

  test('onnxruntime transformer-optimizer GPT-2 graph fails clearly', () => {
    const file = join(GRAPHS_DIR, 'gpt2-ort-optimizer-fp32', 'past.onnx');
    assert.throws(
      () => instrumentGraphBytes(readFileSync(file), file, { capLayers: [] }),
      (e: unknown) =>
        e instanceof InstrumentationError &&
        e.file === file &&
        /token embedding/.test(e.message) &&
        /EmbedLayerNormalization/.test(e.message),
    );
  });

  test('a graph without residual sums fails clearly', () => {
    const graph: onnx.IGraphProto = {
      name: 'no_residual',
      node: [
        makeNode('Gather', ['embed', 'input_ids'], ['h'], 'gather'),
        makeNode('MatMul', ['h', 'w'], ['logits'], 'head'),
      ],
      initializer: [
        makeTensor('embed', [10, 4], ElemType.FLOAT, new Float32Array(40)),
        makeTensor('w', [4, 10], ElemType.FLOAT, new Float32Array(40)),
      ],
      input: [makeValueInfo('input_ids', ElemType.INT64, ['b', 's'])],
      output: [makeValueInfo('logits', ElemType.FLOAT, ['b', 's', 10])],
    };
    const bytes = encodeModel({ irVersion: 7, opsetImport: [{ domain: '', version: 14 }], graph });
    assert.throws(
      () => instrumentGraphBytes(bytes, 'no_residual.onnx', { capLayers: [] }),
      /no_residual\.onnx: pattern 'residual stream' not found/,
    );
  });

  test('a decoder inside an If subgraph (Optimum merged decoder) fails clearly', () => {
    const branch = (name: string): onnx.IGraphProto => ({
      name,
      node: [makeNode('Gather', ['embed', 'input_ids'], [`${name}_logits`], `${name}_gather`)],
      output: [makeValueInfo(`${name}_logits`, ElemType.FLOAT, ['b', 's', 4])],
    });
    const ifNode = makeNode('If', ['use_cache_branch'], ['logits'], 'optimum::if');
    ifNode.attribute = [
      { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('then') },
      { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('else') },
    ];
    const graph: onnx.IGraphProto = {
      name: 'merged',
      node: [ifNode],
      initializer: [makeTensor('embed', [10, 4], ElemType.FLOAT, new Float32Array(40))],
      input: [
        makeValueInfo('input_ids', ElemType.INT64, ['b', 's']),
        makeValueInfo('use_cache_branch', ElemType.BOOL, [1]),
      ],
      output: [makeValueInfo('logits', ElemType.FLOAT, ['b', 's', 4])],
    };
    assert.throws(
      () => findResidualStream(graph, 'decoder_model_merged.onnx'),
      /decoder_model_merged\.onnx: pattern 'token embedding' not found.*inside an If subgraph/,
    );
  });
});
