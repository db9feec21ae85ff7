// Reads an .onnx file without its weights, for a cold start (issue 25 item 6): the rewrite needs the graph's
// structure only, and the rewritten graph reads large initializers from the source file anyway (external
// data with location/offset/length; see referenceSourceBytes in instrument.ts). Reading a 652 MB graph into a
// fresh buffer took ~3 s on these VMs (new pages cost ~10 us each); this scan reads the protobuf's framing
// and small fields with positioned reads and skips every large raw_data payload. What it returns decodes to
// the same model as the whole file after referenceSourceBytes, so the rewritten bytes are the same.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

/** raw_data payloads at least this large are referenced, not read (instrument.ts REFERENCED_BYTES). */
export const SKELETON_REFERENCED_BYTES = 1024;

// Field numbers (onnx.proto): ModelProto.graph, GraphProto.initializer, TensorProto.raw_data / external_data /
// data_location, StringStringEntryProto.key / value.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const DATA_LOCATION_EXTERNAL = 1;
const LEN = 2;

/** Raised when the file's protobuf framing is broken (truncated file, length past its parent). */
export class SkeletonReadError extends Error {
  override readonly name = 'SkeletonReadError';
}

/** Positioned reads through a window, so varints and tags do not cost a system call each. */
class FileReader {
  pos = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private byteAt(p: number): number {
    if (p >= this.size) throw new SkeletonReadError(`the file ends at byte ${this.size} inside a field`);
    if (p < this.windowStart || p >= this.windowStart + this.window.length) {
      const n = Math.min(1 << 16, this.size - p);
      this.window = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const k = readSync(this.fd, this.window, got, n - got, p + got);
        if (k === 0) throw new SkeletonReadError(`the file ends at byte ${p + got}, not ${this.size}`);
        got += k;
      }
      this.windowStart = p;
    }
    return this.window[p - this.windowStart] as number;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byteAt(this.pos++);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new SkeletonReadError(`a varint at byte ${this.pos - 10} runs past 10 bytes`);
  }

  /** The bytes [from, to) of the file (copied). */
  bytes(from: number, to: number): Uint8Array {
    if (from >= this.windowStart && to <= this.windowStart + this.window.length)
      return Uint8Array.prototype.slice.call(this.window, from - this.windowStart, to - this.windowStart);
    const out = Buffer.alloc(to - from);
    let got = 0;
    while (got < out.length) {
      const k = readSync(this.fd, out, got, out.length - got, from + got);
      if (k === 0) throw new SkeletonReadError(`the file ends at byte ${from + got}, not ${this.size}`);
      got += k;
    }
    return out;
  }

  /** Skips the value of a field of wire type `wt` that ends within `end`. */
  skip(wt: number, end: number): void {
    if (wt === 0) this.varint();
    else if (wt === 1) this.pos += 8;
    else if (wt === 5) this.pos += 4;
    else if (wt === LEN) {
      const len = this.varint();
      this.pos += len;
    }
    else throw new SkeletonReadError(`unsupported wire type ${wt} before byte ${this.pos}`);
    this.within(end);
  }

  within(end: number): void {
    if (this.pos > end) throw new SkeletonReadError(`a field runs to byte ${this.pos}, past its message's end at ${end}`);
  }
}

function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

function lenField(field: number, body: readonly Uint8Array[]): Uint8Array[] {
  const size = body.reduce((s, b) => s + b.length, 0);
  return [varintBytes(field * 8 + LEN), varintBytes(size), ...body];
}

function stringEntry(key: string, value: string): Uint8Array[] {
  return lenField(TENSOR_EXTERNAL_DATA, [
    ...lenField(1, [Buffer.from(key, 'utf8')]),
    ...lenField(2, [Buffer.from(value, 'utf8')]),
  ]);
}

/**
 * Walks the message in [r.pos, end): fields named in `nested` are rewritten by their handler, others copied.
 * Returns the new body.
 */
function scanMessage(
  r: FileReader,
  end: number,
  nested: Readonly<Record<number, (r: FileReader, end: number) => Uint8Array[]>>,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wt = tag % 8;
    const handler = nested[field];
    if (handler && wt === LEN) {
      const len = r.varint();
      const bodyEnd = r.pos + len;
      if (bodyEnd > end) throw new SkeletonReadError(`field ${field} at byte ${start} runs past its message's end at ${end}`);
      out.push(...lenField(field, handler(r, bodyEnd)));
      r.pos = bodyEnd;
      continue;
    }
    r.skip(wt, end);
    out.push(r.bytes(start, r.pos));
  }
  return out;
}

/** A TensorProto with its large raw_data replaced by a reference to the source file. */
function scanTensor(r: FileReader, end: number, location: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let ref: { offset: number; length: number } | null = null;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wt = tag % 8;
    if (field === TENSOR_RAW_DATA && wt === LEN) {
      const len = r.varint();
      if (r.pos + len > end) throw new SkeletonReadError(`raw_data at byte ${start} runs past its tensor's end at ${end}`);
      if (len >= SKELETON_REFERENCED_BYTES) {
        ref = { offset: r.pos, length: len };
        r.pos += len;
        // An empty raw_data, as referenceSourceBytes leaves it (rawData = empty bytes, still encoded).
        out.push(varintBytes(TENSOR_RAW_DATA * 8 + LEN), varintBytes(0));
        continue;
      }
      r.pos += len;
      out.push(r.bytes(start, r.pos));
      continue;
    }
    r.skip(wt, end);
    out.push(r.bytes(start, r.pos));
  }
  if (ref) {
    out.push(
      ...stringEntry('location', location),
      ...stringEntry('offset', String(ref.offset)),
      ...stringEntry('length', String(ref.length)),
      varintBytes(TENSOR_DATA_LOCATION * 8),
      varintBytes(DATA_LOCATION_EXTERNAL),
    );
  }
  return out;
}

/**
 * The ModelProto in `path` with every initializer's raw_data of SKELETON_REFERENCED_BYTES or more replaced by
 * external data pointing into `path` itself (location = its file name, offset, length). Throws
 * SkeletonReadError where the framing is broken.
 */
export function readGraphSkeleton(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const r = new FileReader(fd, fstatSync(fd).size);
    const location = basename(path);
    const graph = (gr: FileReader, gend: number): Uint8Array[] =>
      scanMessage(gr, gend, { [GRAPH_INITIALIZER]: (tr, tend) => scanTensor(tr, tend, location) });
    const body = scanMessage(r, r.size, { [MODEL_GRAPH]: graph });
    return Buffer.concat(body);
  } finally {
    closeSync(fd);
  }
}
