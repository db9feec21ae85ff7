import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError, isCancellation } from '../../../src/protocol/errors';
import { readRegularFile, readTextFile, sameFile, UserFileError, writeFileAtomic } from '../../../src/io/files';
import { tempDir } from '../worker/helpers/fixtures';

const tmp = tempDir('pl-files-');
after(() => tmp.remove());

function refusal(f: () => unknown): UserFileError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserFileError, `not a UserFileError: ${String(e)}`);
    return e;
  }
  throw new assert.AssertionError({ message: 'expected a refusal' });
}

test('a regular file within the limit is read whole; one byte over is refused unread', () => {
  const p = join(tmp.dir, 'ten.txt');
  writeFileSync(p, '0123456789');
  assert.equal(readTextFile(p, { maxBytes: 10 }), '0123456789');
  const e = refusal(() => readRegularFile(p, { maxBytes: 9, what: 'transcript', hint: 'raise --max-file-mb to read it' }));
  assert.equal(e.file, p);
  assert.match(e.message, /ten\.txt: transcript is 10 bytes, over the 9 bytes limit; it is not read \(raise --max-file-mb to read it\)/);
  // Sparse: the size comes from stat, nothing is read.
  const big = join(tmp.dir, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, 5 * 1024 ** 3);
  assert.match(refusal(() => readRegularFile(big, { maxBytes: 1024 })).message, /is 5\.0 GB, over the 1\.0 KB limit/);
});

test('folders, FIFOs, devices, missing paths and link loops are refused without blocking', () => {
  const fifo = join(tmp.dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  mkdirSync(join(tmp.dir, 'folder'));
  symlinkSync(join(tmp.dir, 'loop2'), join(tmp.dir, 'loop1'));
  symlinkSync(join(tmp.dir, 'loop1'), join(tmp.dir, 'loop2'));
  const limit = { maxBytes: 1024 };
  assert.match(refusal(() => readRegularFile(fifo, limit)).reason, /^cannot read: it is a named pipe \(FIFO\), not a file$/);
  assert.match(refusal(() => readRegularFile(join(tmp.dir, 'folder'), limit)).reason, /it is a folder, not a file/);
  assert.match(refusal(() => readRegularFile('/dev/zero', limit)).reason, /it is a character device, not a file/);
  assert.match(refusal(() => readRegularFile(join(tmp.dir, 'nope'), limit)).reason, /^cannot read: ENOENT$/);
  assert.match(refusal(() => readRegularFile(join(tmp.dir, 'loop1'), limit)).reason, /^cannot read: ELOOP$/);
});

test('writeFileAtomic replaces a file whole, keeps its mode, writes through links, and leaves no temporary file', () => {
  const dir = join(tmp.dir, 'out');
  mkdirSync(dir);
  const p = join(dir, 'report.html');
  writeFileSync(p, 'old');
  chmodSync(p, 0o640);
  writeFileAtomic(p, 'new content');
  assert.equal(readFileSync(p, 'utf8'), 'new content');
  assert.equal(statSync(p).mode & 0o777, 0o640);
  const target = join(dir, 'target.html');
  writeFileSync(target, 'x');
  symlinkSync(target, join(dir, 'link.html'));
  writeFileAtomic(join(dir, 'link.html'), 'through the link');
  assert.equal(readFileSync(target, 'utf8'), 'through the link');
  assert.ok(statSync(join(dir, 'link.html')).isFile());
  assert.deepEqual(readdirSync(dir).sort(), ['link.html', 'report.html', 'target.html']);
  assert.match(refusal(() => writeFileAtomic(dir, 'x')).message, /out: cannot write: it is a folder/);
  assert.match(refusal(() => writeFileAtomic(join(dir, 'missing', 'x.html'), 'x')).message, /cannot write: ENOENT/);
  assert.deepEqual(readdirSync(dir).sort(), ['link.html', 'report.html', 'target.html'], 'a failed write leaves nothing behind');
  // A character device is written to, not replaced.
  writeFileAtomic('/dev/null', 'discarded');
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test('sameFile: the same path spelled differently, a symlink and a hard link are the same file', () => {
  const a = join(tmp.dir, 'a.json');
  writeFileSync(a, '{}');
  symlinkSync(a, join(tmp.dir, 'a-link.json'));
  linkSync(a, join(tmp.dir, 'a-hard.json'));
  writeFileSync(join(tmp.dir, 'b.json'), '{}');
  assert.ok(sameFile(a, `${tmp.dir}/./a.json`));
  assert.ok(sameFile(a, join(tmp.dir, 'a-link.json')));
  assert.ok(sameFile(a, join(tmp.dir, 'a-hard.json')));
  assert.ok(!sameFile(a, join(tmp.dir, 'b.json')), 'equal content is not the same file');
  assert.ok(!sameFile(a, join(tmp.dir, 'does-not-exist.json')));
});

test('isCancellation: CancelledError and the AbortError of an aborted stream or fetch, nothing else', async () => {
  assert.ok(isCancellation(new CancelledError()));
  const ac = new AbortController();
  ac.abort();
  const aborted = await fetch('http://127.0.0.1:9/', { signal: ac.signal }).catch((e: unknown) => e);
  assert.ok(isCancellation(aborted), String(aborted));
  assert.ok(!isCancellation(new Error('The operation failed')));
  assert.ok(!isCancellation('AbortError'));
});
