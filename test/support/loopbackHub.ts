// A loopback HTTP server that serves a model folder the way the Hugging Face hub does, for download
// tests: HEAD/GET /<org>/<name>/resolve/<revision>/<file>. Small files answer 200 with their git
// blob id as ETag; "LFS" files (onnx/*) answer 302 to /cdn/<sha256> with X-Linked-Etag (sha256) and
// X-Linked-Size, and the CDN honours Range. Faults can be switched on per file to reproduce what
// real networks and proxies do: cut bodies, stalls, gzip despite Accept-Encoding: identity, ignored
// ranges, wrong bytes, missing checksums.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What the hub does wrong for one file (matched by its path in the repository). */
export type HubFault =
  /** The body stops after `bytes` (no Content-Length, chunked) and the connection is destroyed; `times` times, then whole (with ignoreRange, as 200 to a Range request). */
  | { readonly kind: 'cut'; readonly bytes: number; readonly times?: number; readonly ignoreRange?: boolean }
  /** The body sends `bytes`, then nothing more, the connection left open. */
  | { readonly kind: 'stall'; readonly bytes: number }
  /** Gzip-compressed body with Content-Encoding: gzip and the compressed Content-Length. */
  | { readonly kind: 'gzip' }
  /** Range requests are answered 200 with the whole body. */
  | { readonly kind: 'ignore-range' }
  /** One byte of the body is flipped (the published hash stays the true one). */
  | { readonly kind: 'corrupt' }
  /** No ETag / X-Linked-Etag at all. */
  | { readonly kind: 'no-etag' }
  /** This content is served instead of the file's (and its hash published): a hostile hub. */
  | { readonly kind: 'replace'; readonly content: Buffer };

export interface LoopbackHub {
  readonly url: string;
  /** Every request: method, url and Range header. */
  readonly requests: { method: string; url: string; range: string | undefined }[];
  readonly faults: Map<string, HubFault>;
  close(): Promise<void>;
}

function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Serves `root` as model `modelId` (revision main). */
export function startLoopbackHub(root: string, modelId: string): Promise<LoopbackHub> {
  const requests: LoopbackHub['requests'] = [];
  const faults = new Map<string, HubFault>();
  const cutsDone = new Map<string, number>();
  const byHash = new Map<string, { file: string; bytes: Buffer }>();

  const content = (file: string): Buffer | null => {
    const fault = faults.get(file);
    if (fault?.kind === 'replace') return fault.content;
    const path = join(root, file);
    if (!file || file.startsWith('..') || !existsSync(path) || !statSync(path).isFile()) return null;
    return readFileSync(path);
  };

  const sendBody = (req: IncomingMessage, res: ServerResponse, file: string, bytes: Buffer): void => {
    const fault = faults.get(file);
    let body = bytes;
    if (fault?.kind === 'corrupt') {
      body = Buffer.from(bytes);
      body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
    }
    const cut = fault?.kind === 'cut' && (cutsDone.get(file) ?? 0) < (fault.times ?? 1) ? fault : null;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const honourRange = range && fault?.kind !== 'ignore-range' && fault?.kind !== 'gzip' && !(fault?.kind === 'cut' && fault.ignoreRange);
    const start = honourRange ? Number(range[1]) : 0;
    if (start > 0 && start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    if (fault?.kind === 'gzip') {
      const gz = gzipSync(body);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length });
      res.end(req.method === 'HEAD' ? undefined : gz);
      return;
    }
    const rest = body.subarray(start);
    const head = start > 0 ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {};
    const status = start > 0 ? 206 : 200;
    if (req.method === 'HEAD') {
      res.writeHead(status, { 'content-length': rest.length, ...head }).end();
      return;
    }
    if (cut) {
      cutsDone.set(file, (cutsDone.get(file) ?? 0) + 1);
      // No Content-Length: the client cannot tell the cut from the end by the length header.
      res.writeHead(status, { 'content-type': 'application/octet-stream', ...head });
      res.write(rest.subarray(0, cut.bytes), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (fault?.kind === 'stall') {
      res.writeHead(status, { 'content-length': rest.length, ...head });
      res.write(rest.subarray(0, fault.bytes));
      return;
    }
    res.writeHead(status, { 'content-length': rest.length, 'content-type': 'application/octet-stream', ...head });
    // Two writes so a progress event can show a partial count.
    res.write(rest.subarray(0, rest.length >> 1));
    setImmediate(() => res.end(rest.subarray(rest.length >> 1)));
  };

  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range });
    const url = decodeURIComponent(req.url ?? '');
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url);
    if (cdn) {
      const entry = byHash.get(cdn[1] as string);
      if (!entry) res.writeHead(404).end('not found');
      else sendBody(req, res, entry.file, entry.bytes);
      return;
    }
    const prefix = `/${modelId}/resolve/main/`;
    const file = url.startsWith(prefix) ? normalize(url.slice(prefix.length)) : '';
    const bytes = content(file);
    if (!bytes) {
      res.writeHead(404).end('not found');
      return;
    }
    const fault = faults.get(file);
    if (file.startsWith('onnx/')) {
      const hash = sha256(bytes);
      byHash.set(hash, { file, bytes });
      res.writeHead(302, {
        location: `/cdn/${hash}`,
        ...(fault?.kind === 'no-etag' ? {} : { 'x-linked-etag': `"${hash}"`, etag: `"${hash}"` }),
        'x-linked-size': String(bytes.length),
      });
      res.end();
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': bytes.length, ...(fault?.kind === 'no-etag' ? {} : { etag: `"${gitBlobId(bytes)}"` }) }).end();
      return;
    }
    sendBody(req, res, file, bytes);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        requests,
        faults,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}
