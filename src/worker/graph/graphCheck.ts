// The graph file's bytes checked before instrumenting: in the worker, because reading an ONNX
// protobuf needs onnx-proto, which the host bundles should not carry.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { onnx } from 'onnx-proto';
import { printable } from '../../core/report/format';
import { ModelFilesError } from '../../protocol/errors';
import { checkModelFile } from '../../model/folder';
import { decodeModel } from './onnxProto';

/** Checks the graph file's bytes: a readable ONNX model whose external data files exist and hold every initializer. */
export function checkGraphBytes(onnxPath: string, bytes: Uint8Array): void {
  let model: onnx.ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new ModelFilesError(onnxPath, `not a readable ONNX model; the file may be truncated (${(e as Error).message})`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) throw new ModelFilesError(onnxPath, 'ONNX model has no graph nodes; the file may be truncated');
  checkExternalData(model, dirname(onnxPath));
}

/** Every externally stored initializer must lie inside its data file. */
function checkExternalData(model: onnx.ModelProto, onnxDir: string): void {
  const sizes = new Map<string, number>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const kv = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
    const location = kv.get('location') ?? '';
    const path = join(onnxDir, location);
    const name = printable(t.name ?? '', 200);
    // A location is a file name beside the graph; "../../etc/passwd" or an absolute path is not.
    if (!location || location.split(/[\\/]/).includes('..') || /^[\\/]|^[A-Za-z]:/.test(location)) {
      throw new ModelFilesError(onnxDir, `initializer '${name}' names external data at '${printable(location, 200)}', outside the model's onnx folder`);
    }
    if (!sizes.has(location)) {
      checkModelFile(path, `external data file is missing (needed by initializer '${name}')`);
      sizes.set(location, statSync(path).size);
    }
    const offset = byteCount(kv.get('offset'));
    const length = byteCount(kv.get('length'));
    if (offset === null || length === null) {
      throw new ModelFilesError(path, `initializer '${name}' has an external data offset or length that is not a byte count (${printable(String(kv.get('offset')), 40)}, ${printable(String(kv.get('length')), 40)})`);
    }
    const end = offset + length;
    const size = sizes.get(location) as number;
    if (end > size) throw new ModelFilesError(path, `external data file is truncated (${size} bytes, initializer '${name}' needs ${end})`);
  }
}

/** A non-negative whole byte count from an ONNX external-data entry (absent = 0), or null. */
function byteCount(s: string | null | undefined): number | null {
  if (s === undefined || s === null || s === '') return 0;
  if (!/^\d{1,16}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}
