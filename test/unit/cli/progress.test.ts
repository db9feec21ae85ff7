// Progress on stderr: a redrawn bar on a terminal, throttled plain lines in CI logs, nothing when quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, type ProgressStream } from '../../../src/cli/progress';

function collector(isTTY: boolean): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return { isTTY, columns: 60, out, write: (s: string) => out.push(s) };
}

test('on a terminal each update redraws one bar line, and done() clears it', () => {
  const s = collector(true);
  const p = new Progress(false, s);
  p.update('loading model demo');
  p.update('scoring a.json', 0.5);
  p.update('scoring b.json', 1.7);
  p.done();
  assert.deepEqual(s.out, [
    '\r\x1b[2Kloading model demo',
    `\r\x1b[2K[${'#'.repeat(12)}${'.'.repeat(12)}] 50% scoring a.json`,
    `\r\x1b[2K[${'#'.repeat(24)}] 100% scoring b.json`,
    '\r\x1b[2K',
  ]);
  assert.ok(
    s.out.every((l) => !l.includes('\n')),
    'a bar never scrolls the terminal',
  );
});

test('the bar is cut to the terminal width', () => {
  const s = collector(true);
  new Progress(false, s).update('x'.repeat(200), 0.1);
  assert.equal(s.out[0]?.replace('\r\x1b[2K', '').length, 59);
});

test('plain mode prints whole lines, counted steps at most every 2 s, and the last one', () => {
  const s = collector(false);
  let now = 10_000;
  const p = new Progress(false, s, () => now);
  p.update('loading model demo');
  p.update('scoring 1/4', 0.25);
  now += 500;
  p.update('scoring 2/4', 0.5); // within 2 s of the last line: dropped
  now += 2000;
  p.update('scoring 3/4', 0.75);
  now += 10;
  p.update('scored 4/4', 1); // the end always prints
  p.update('scored 4/4', 1); // repeats never do
  p.clear();
  p.done();
  assert.deepEqual(s.out, [
    'loading model demo\n',
    '25% scoring 1/4\n',
    '75% scoring 3/4\n',
    '100% scored 4/4\n',
  ]);
});

test('quiet prints nothing', () => {
  for (const tty of [true, false]) {
    const s = collector(tty);
    const p = new Progress(true, s);
    p.update('loading', 0.5);
    p.done();
    assert.deepEqual(s.out, []);
  }
});
