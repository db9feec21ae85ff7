// Small helpers over onnx-proto (static protobufjs code of ONNX 1.10's onnx.proto) for building and
// editing graphs. Shared by the instrumentation rewrite and the tiny test-model generator.
import { onnx } from 'onnx-proto';
import { float32ToFloat16Bits } from './float16';

export { onnx };

/** TensorProto.DataType values used here (onnx.proto numbering). */
export const ElemType = {
  FLOAT: 1,
  UINT8: 2,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;

const Attr = onnx.AttributeProto.AttributeType;

export type AttrValue =
  number | number[] | string | { readonly float: number } | { readonly floats: readonly number[] };

/** Builds an attribute; plain numbers become INT, `{ float }` FLOAT, arrays INTS. */
export function makeAttr(name: string, value: AttrValue): onnx.IAttributeProto {
  if (typeof value === 'number') return { name, type: Attr.INT, i: value };
  if (typeof value === 'string') return { name, type: Attr.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) return { name, type: Attr.INTS, ints: value };
  if ('float' in value) return { name, type: Attr.FLOAT, f: value.float };
  return { name, type: Attr.FLOATS, floats: [...value.floats] };
}

/** Builds a node; `domain` '' is the default ONNX domain. */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attrs: Record<string, AttrValue> = {},
  domain = '',
): onnx.INodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name,
    domain,
    attribute: Object.entries(attrs).map(([k, v]) => makeAttr(k, v)),
  };
}

/** A tensor with little-endian raw data. fp16 tensors take float32 values and round them. */
export function makeTensor(
  name: string,
  dims: readonly number[],
  elemType: number,
  values: ArrayLike<number> | Float32Array,
): onnx.ITensorProto {
  let raw: Buffer;
  switch (elemType) {
    case ElemType.FLOAT:
      raw = Buffer.from(Float32Array.from(values).buffer);
      break;
    case ElemType.FLOAT16: {
      const h = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) h[i] = float32ToFloat16Bits(values[i] ?? 0);
      raw = Buffer.from(h.buffer);
      break;
    }
    case ElemType.UINT8:
      raw = Buffer.from(Uint8Array.from(values));
      break;
    case ElemType.INT32:
      raw = Buffer.from(Int32Array.from(values).buffer);
      break;
    case ElemType.INT64:
      raw = Buffer.from(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
      break;
    default:
      throw new Error(`makeTensor: unsupported element type ${elemType}`);
  }
  return { name, dims: [...dims], dataType: elemType, rawData: raw };
}

/** A graph input/output description; a string dim is symbolic. */
export function makeValueInfo(
  name: string,
  elemType: number,
  dims: readonly (number | string)[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Reads an int64 field (protobufjs gives number or Long) as a JS number. Typed `unknown` because the
 * `long` package's types are not installed, so Long fields are untyped here. */
export function toNumber(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && 'toNumber' in v && typeof v.toNumber === 'function')
    return Number((v as { toNumber(): number }).toNumber());
  return Number(v);
}

/** Element type of a graph input/output value info, or 0 if unknown. */
export function elemTypeOf(vi: onnx.IValueInfoProto | undefined): number {
  return vi?.type?.tensorType?.elemType ?? 0;
}

/**
 * Decodes a model from bytes (zero-copy for raw initializer data). A Node Buffer is read through a plain
 * Uint8Array view: protobufjs makes an empty bytes field with `new buf.constructor(0)`, which for a Buffer
 * is the deprecated `new Buffer()` and prints a warning (the graph skeleton has such fields).
 */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes);
}

/** Encodes a model to bytes. */
export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Collects every name in use (node names, tensor names, initializers, graph I/O, value infos). */
export function namesInUse(graph: onnx.IGraphProto): Set<string> {
  const used = new Set<string>();
  for (const n of graph.node ?? []) {
    if (n.name) used.add(n.name);
    for (const s of n.input ?? []) if (s) used.add(s);
    for (const s of n.output ?? []) if (s) used.add(s);
  }
  for (const t of graph.initializer ?? []) if (t.name) used.add(t.name);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])])
    if (v.name) used.add(v.name);
  return used;
}

/** Returns `base` or `base_1`, `base_2`, ... whichever is free, and reserves it. */
export function uniqueName(used: Set<string>, base: string): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}

/** Version of the default ONNX domain the model imports (13 if it does not say). */
export function defaultOpset(model: onnx.IModelProto): number {
  return toNumber(
    (model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version ?? 13,
  );
}

/** Who produces and who consumes each tensor, the initializers, and the graph inputs that are not initializers. */
export interface GraphIndex {
  readonly producer: Map<string, onnx.INodeProto>;
  readonly consumers: Map<string, onnx.INodeProto[]>;
  readonly initializers: Map<string, onnx.ITensorProto>;
  readonly graphInputs: Map<string, onnx.IValueInfoProto>;
}

/** Indexes a graph's tensors (see GraphIndex). */
export function indexGraph(graph: onnx.IGraphProto): GraphIndex {
  const producer = new Map<string, onnx.INodeProto>();
  const consumers = new Map<string, onnx.INodeProto[]>();
  for (const n of graph.node ?? []) {
    for (const o of n.output ?? []) if (o) producer.set(o, n);
    for (const i of n.input ?? []) {
      if (!i) continue;
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  const initializers = new Map<string, onnx.ITensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const graphInputs = new Map<string, onnx.IValueInfoProto>();
  for (const v of graph.input ?? []) if (v.name && !initializers.has(v.name)) graphInputs.set(v.name, v);
  return { producer, consumers, initializers, graphInputs };
}
