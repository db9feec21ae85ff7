/**
 * Reading and writing files a user names, without hangs, blow-ups or lost data: a path is stat'ed
 * before it is opened, so a FIFO (which blocks until a writer comes), a device such as /dev/zero
 * (endless), a folder or a file over the size limit is refused before a byte is read; and outputs
 * are written to a temporary file that is renamed into place, so an interrupted or failed write
 * never leaves a half-written file where the old one was. Shared by the CLI, the extension host and
 * the worker.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatBytes } from '../core/report/format';

/** A file that cannot be read or written as asked; the message names the file and says why. */
export class UserFileError extends Error {
  override readonly name = 'UserFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** What kind of thing a non-regular path is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface ReadLimit {
  /** Files larger than this many bytes are refused before reading. */
  readonly maxBytes: number;
  /** Appended to the too-large message, e.g. 'raise --max-file-mb to read it'. */
  readonly hint?: string;
  /** What the file is, for messages ('transcript', 'axis file'). */
  readonly what?: string;
}

function tooLarge(path: string, size: number, limit: ReadLimit): UserFileError {
  return new UserFileError(
    path,
    `${limit.what ?? 'file'} is ${formatBytes(size)}, over the ${formatBytes(limit.maxBytes)} limit; it is not read${limit.hint ? ` (${limit.hint})` : ''}`,
  );
}

/** Stats a path (following links) and refuses anything but a regular file within the limit; nothing is opened. */
export function checkRegularFile(path: string, limit: ReadLimit): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UserFileError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!st.isFile()) throw new UserFileError(path, `cannot read: it is ${kindOf(st)}, not a file`);
  if (st.size > limit.maxBytes) throw tooLarge(path, st.size, limit);
  return st;
}

/**
 * The bytes of a regular file of at most `limit.maxBytes`. The path is stat'ed first; it is then
 * opened non-blocking (a FIFO swapped in after the stat cannot block the open) and checked again
 * on the open descriptor, and reading stops past the limit in case the file grows meanwhile.
 */
export function readRegularFile(path: string, limit: ReadLimit): Buffer {
  checkRegularFile(path, limit);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new UserFileError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserFileError(path, `cannot read: it is ${kindOf(st)}, not a file`);
    if (st.size > limit.maxBytes) throw tooLarge(path, st.size, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    // One byte past the limit tells a grown file from one that is exactly at the limit.
    for (;;) {
      const want = Math.min(1 << 20, limit.maxBytes + 1 - total);
      if (want <= 0) throw tooLarge(path, total, limit);
      const buf = Buffer.allocUnsafe(want);
      const n = readSync(fd, buf, 0, want, null);
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof UserFileError) throw e;
    throw new UserFileError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The text (UTF-8) of a regular file within the limit; see readRegularFile. */
export function readTextFile(path: string, limit: ReadLimit): string {
  return readRegularFile(path, limit).toString('utf8');
}

/** Whether two paths name the same existing file (same real path, or the same inode: hard links). */
export function sameFile(a: string, b: string): boolean {
  try {
    if (realpathSync(a) === realpathSync(b)) return true;
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Writes `data` to `path` through a temporary file in the same folder and a rename, so `path` holds
 * either its old content or all of the new one. A symbolic link is written through (its target is
 * replaced, the link stays); a device or FIFO (e.g. /dev/stdout) is written to directly, as there is
 * nothing to replace. Throws UserFileError naming the path.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  let target = path;
  let mode: number | undefined;
  if (existsSync(path)) {
    const st = statSync(path);
    if (st.isDirectory()) throw new UserFileError(path, 'cannot write: it is a folder');
    if (!st.isFile()) {
      try {
        writeFileSync(path, data);
      } catch (e) {
        throw new UserFileError(path, `cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      return;
    }
    target = realpathSync(path);
    mode = st.mode & 0o7777;
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UserFileError(path, `cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
