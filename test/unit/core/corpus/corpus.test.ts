// Pure planning of corpus runs: glob patterns, shards that partition a corpus whatever order its
// paths come in, results released in input order, the jsonl problem record and the progress line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globBase, globToRegExp, hasGlobMagic } from '../../../../src/core/corpus/glob';
import { InOrder } from '../../../../src/core/corpus/ordered';
import { problemLine, problemRecord } from '../../../../src/core/corpus/record';
import { parseShard, shardPaths } from '../../../../src/core/corpus/shard';
import { mulberry32 } from '../../../../src/core/random';
import { corpusProgress, formatDuration } from '../../../../src/cli/corpusProgress';
import { availableParallelism } from 'node:os';
import { jobSessionOptions, threadsPerJob } from '../../../../src/cli/corpusOptions';
import type { SessionOptions } from '../../../../src/engine/session';

test('globs: * and ? stay within a segment and skip dot-files, ** spans folders, {a,b} and [..] choose', () => {
  const m = (p: string, s: string): boolean => globToRegExp(p).test(s);
  assert.ok(m('logs/*.json', 'logs/a.json'));
  assert.ok(!m('logs/*.json', 'logs/x/a.json'));
  assert.ok(!m('logs/*.json', 'logs/.hidden.json'));
  assert.ok(m('logs/**/*.json', 'logs/a.json'));
  assert.ok(m('logs/**/*.json', 'logs/x/y/a.json'));
  assert.ok(!m('logs/**/*.json', 'logs/.git/a.json'));
  assert.ok(m('logs/**', 'logs/x/a.jsonl'));
  assert.ok(m('run-?.{json,jsonl}', 'run-1.jsonl'));
  assert.ok(!m('run-?.{json,jsonl}', 'run-12.json'));
  assert.ok(m('run-[0-4].json', 'run-3.json'));
  assert.ok(!m('run-[!0-4].json', 'run-3.json'));
  assert.ok(m('a+b(1).json', 'a+b(1).json'), 'regex characters are literal');
  assert.throws(() => globToRegExp('run-[0-4.json'), /unclosed "\[" at column 5/);
  assert.throws(() => globToRegExp('run.{json'), /unclosed "\{"/);
  assert.equal(globBase('logs/2025/*/a.json'), 'logs/2025');
  assert.equal(globBase('*.json'), '.');
  assert.equal(globBase('/data/**/x'), '/data');
  assert.ok(hasGlobMagic('a/*.json') && !hasGlobMagic('a/b.json'));
});

test('--shard parses i/n and refuses what is not a share', () => {
  assert.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/3', '1.5/3'])
    assert.throws(() => parseShard(bad), /--shard/, bad);
});

test('shards partition the corpus: every path in exactly one shard, the same whatever the input order', () => {
  const rand = mulberry32(7);
  for (let trial = 0; trial < 50; trial++) {
    const count = 1 + Math.floor(rand() * 6);
    const paths = Array.from({ length: Math.floor(rand() * 30) }, () => `d${Math.floor(rand() * 4)}/f${Math.floor(rand() * 100)}.json`);
    const unique = new Set(paths);
    const shuffled = [...paths].sort(() => rand() - 0.5);
    const shards = Array.from({ length: count }, (_, i) => shardPaths(paths, { index: i + 1, count }));
    assert.deepEqual(
      Array.from({ length: count }, (_, i) => shardPaths(shuffled, { index: i + 1, count })),
      shards,
      'the listing order does not move a file to another shard',
    );
    const all = shards.flat();
    assert.equal(all.length, unique.size, 'no path twice');
    assert.deepEqual(new Set(all), unique, 'no path left out');
    const sizes = shards.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `even shares: ${sizes.join(',')}`);
  }
  // Code-unit order, not the locale's: "B" sorts before "a" on every runner.
  assert.deepEqual(shardPaths(['a.json', 'B.json', 'é.json', 'Z.json'], null), ['B.json', 'Z.json', 'a.json', 'é.json']);
});

test('InOrder releases results in input order as soon as every earlier one is in', () => {
  const out: string[] = [];
  const o = new InOrder<string>((s, i) => out.push(`${i}:${s}`));
  o.put(2, 'c');
  o.put(1, 'b');
  assert.deepEqual(out, []);
  o.put(0, 'a');
  assert.deepEqual(out, ['0:a', '1:b', '2:c']);
  o.put(4, 'e');
  assert.equal(o.emitted, 3);
  o.put(3, 'd');
  assert.deepEqual(out, ['0:a', '1:b', '2:c', '3:d', '4:e']);
  assert.throws(() => o.put(1, 'again'), /already put/);
});

test('problem records carry file, conversation and position; the stderr line reads file:line:col', () => {
  const p = { type: 'error', file: 'logs/a.jsonl', conversation: 1, line: 2, column: 1, message: 'the first message alone is longer than 100 tokens' } as const;
  assert.deepEqual(JSON.parse(problemRecord(p)), p);
  assert.ok(problemRecord(p).endsWith('}\n') && !problemRecord(p).slice(0, -1).includes('\n'));
  assert.equal(problemLine(p), 'logs/a.jsonl:2:1: error: conversation 2: the first message alone is longer than 100 tokens');
  assert.equal(problemLine({ ...p, conversation: null, line: null, column: null, message: 'cannot read' }), 'logs/a.jsonl: error: cannot read');
  assert.equal(problemLine({ ...p, conversation: 0 }, false), 'logs/a.jsonl: the first message alone is longer than 100 tokens', "a file's only conversation: the file name says which");
});

test('progress counts files and conversations and estimates the time left from the rate so far', () => {
  assert.deepEqual(corpusProgress({ filesDone: 0, files: 3, conversationsDone: 0, conversations: 10, elapsedMs: 0 }), {
    text: '0/3 files, 0/10 conversations',
    fraction: 0,
  });
  const p = corpusProgress({ filesDone: 1, files: 3, conversationsDone: 4, conversations: 10, elapsedMs: 8000 });
  assert.equal(p.text, '1/3 files, 4/10 conversations, ETA 12s');
  assert.equal(p.fraction, 0.4);
  assert.equal(corpusProgress({ filesDone: 1, files: 1, conversationsDone: 1, conversations: 1, elapsedMs: 5 }).text, '1/1 file, 1/1 conversation');
  assert.equal(formatDuration(65_000), '1m05s');
  assert.equal(formatDuration(7_380_000), '2h03m');
});

test('with several jobs the threads are shared out unless --threads is given', () => {
  assert.equal(threadsPerJob(undefined, 1, 8), undefined);
  assert.equal(threadsPerJob(undefined, 2, 8), 4);
  assert.equal(threadsPerJob(undefined, 3, 8), 2);
  assert.equal(threadsPerJob(undefined, 4, 2), 1);
  assert.equal(threadsPerJob(3, 4, 2), 3);
});

test('the session options of each job carry the shared-out threads; --threads 0 counts as not given', () => {
  const base: SessionOptions = { packageRoot: '.', cacheDir: '.', model: 'demo', dtype: 'auto', offline: true };
  const shared = Math.max(1, Math.floor(availableParallelism() / 2));
  assert.equal(jobSessionOptions(base, 1), base);
  assert.equal(jobSessionOptions(base, 2).threads, shared);
  assert.equal(jobSessionOptions({ ...base, threads: 0 }, 2).threads, shared);
  assert.equal(jobSessionOptions({ ...base, threads: 0 }, 1).threads, 0);
  assert.equal(jobSessionOptions({ ...base, threads: 3 }, 2).threads, 3);
});
