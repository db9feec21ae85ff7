// `persona-lens score` and `report` over a corpus as a user runs them (out/cli.js from `npm run build`),
// on the committed demo model: folders and quoted globs, --jobs 2 printing exactly what --jobs 1 prints,
// --format jsonl records, --shard i/n partitioning the corpus, a bad file and a conversation the model
// cannot take reported with their positions while the others are scored, and progress kept off stdout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'out', 'cli.js');
const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');
let dir = '';
let cache = '';
let corpus = '';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const demo = (...args: string[]): ReturnType<typeof cli> => cli(...args, '--model', 'demo', '--cache-dir', cache);

interface Rec {
  type: string;
  file: string;
  conversation: number | null;
  line?: number | null;
  column?: number | null;
  message?: string;
  turns?: { turn: number; role: string; value: number | null }[];
}
const records = (stdout: string): Rec[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  dir = mkdtempSync(join(tmpdir(), 'pl-corpus-'));
  cache = join(dir, 'cache');
  corpus = join(dir, 'corpus');
  // Demo-format transcripts of different lengths (so their values differ), in two folders.
  const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { messages: { role: string; content: string }[] };
  for (const sub of ['a', 'b']) mkdirSync(join(corpus, sub), { recursive: true });
  for (let i = 0; i < 5; i++) {
    const messages = sample.messages.slice(0, 3 + 2 * (i % 3));
    writeFileSync(join(corpus, i < 3 ? 'a' : 'b', `chat-${i}.json`), JSON.stringify({ messages }, null, 2));
  }
  writeFileSync(join(corpus, 'b', 'notes.txt.bak'), 'not a transcript extension: never read');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a folder with --jobs 2 prints exactly what --jobs 1 prints, in input order, in every format', () => {
  for (const format of ['jsonl', 'json', 'csv', 'table']) {
    const one = demo('score', corpus, '--format', format, '--quiet');
    assert.equal(one.code, 0, one.stderr);
    const two = demo('score', corpus, '--format', format, '--quiet', '--jobs', '2');
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, one.stdout, `--format ${format}`);
  }
  const recs = records(demo('score', corpus, '--format', 'jsonl', '--quiet', '--jobs', '2').stdout);
  assert.deepEqual(
    recs.map((r) => [r.type, r.file.slice(corpus.length + 1), r.conversation]),
    [0, 1, 2, 3, 4].map((i) => ['conversation', `${i < 3 ? 'a' : 'b'}/chat-${i}.json`, 0]),
  );
  // The records carry what --format json carries for the same conversation.
  const json = JSON.parse(demo('score', join(corpus, 'a', 'chat-1.json'), '--format', 'json', '--quiet').stdout) as Rec[];
  const { type, ...rest } = recs[1]!;
  assert.equal(type, 'conversation');
  assert.deepEqual(rest, json[0]);
  assert.ok(new Set(recs.map((r) => r.turns!.length)).size > 1, 'the corpus has conversations of different lengths');
});

test('a quoted glob is expanded by the CLI, the same on every shell', () => {
  const r = demo('score', join(corpus, '**', 'chat-[0-2].json'), '--format', 'jsonl', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(records(r.stdout).map((x) => x.file.slice(corpus.length + 1)), ['a/chat-0.json', 'a/chat-1.json', 'a/chat-2.json']);
  const none = demo('score', join(corpus, '*.nothing'), '--quiet');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /\*\.nothing: no file matches the pattern/);
});

test('--shard i/n: the shards of a CI matrix together score every file once', () => {
  const n = 3;
  const seen: string[] = [];
  for (let i = 1; i <= n; i++) {
    // The inputs listed in another order on each runner: the shares stay the same.
    const args = i % 2 ? [join(corpus, 'b'), join(corpus, 'a')] : [join(corpus, 'a'), join(corpus, 'b')];
    const r = demo('score', ...args, '--format', 'jsonl', '--quiet', '--shard', `${i}/${n}`);
    assert.equal(r.code, 0, r.stderr);
    seen.push(...records(r.stdout).map((x) => x.file));
  }
  assert.equal(seen.length, 5);
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4].map((i) => join(corpus, i < 3 ? 'a' : 'b', `chat-${i}.json`)).sort());
  // More shards than files: an empty shard is not a failure.
  const empty = demo('score', join(corpus, 'a', 'chat-0.json'), '--shard', '2/2', '--format', 'jsonl');
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, '');
  assert.match(empty.stderr, /shard 2\/2 .* holds no file/);
  const bad = demo('score', corpus, '--shard', '3/2');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--shard 3\/2: i must be from 1 to n/);
  const jobs = demo('score', corpus, '--jobs', '0');
  assert.equal(jobs.code, 2);
  assert.match(jobs.stderr, /--jobs needs a whole number from 1 to 64, got "0"/);
});

test('a broken file and a conversation the model cannot take are reported with positions; the rest is scored; exit 2', () => {
  const mixed = join(dir, 'mixed');
  mkdirSync(mixed);
  writeFileSync(join(mixed, 'broken.json'), '{"messages": [\n  {"role": "user", "content": "hi"\n');
  const short = { messages: [{ role: 'user', content: 'Hi there, how are you?' }, { role: 'assistant', content: 'I am well, thank you. How can I help?' }] };
  const long = { messages: [{ role: 'user', content: 'word '.repeat(400) }, { role: 'assistant', content: 'Fine.' }] };
  writeFileSync(join(mixed, 'many.jsonl'), [short, long, short].map((x) => JSON.stringify(x)).join('\n') + '\n');
  const r = demo('score', mixed, '--format', 'jsonl', '--max-tokens', '100', '--jobs', '2');
  assert.equal(r.code, 2, r.stderr);
  const recs = records(r.stdout);
  const errors = recs.filter((x) => x.type === 'error');
  assert.ok(errors.some((e) => e.file.endsWith('broken.json') && e.conversation === null && typeof e.line === 'number' && e.line >= 1), r.stdout);
  const cut = errors.find((e) => e.file.endsWith('many.jsonl'));
  assert.deepEqual({ conversation: cut?.conversation, line: cut?.line, column: cut?.column }, { conversation: 1, line: 2, column: 1 });
  assert.match(cut!.message!, /longer than 100 tokens/);
  assert.deepEqual(recs.filter((x) => x.type === 'conversation').map((x) => x.conversation), [0, 2], 'the other conversations are scored, in order');
  assert.match(r.stderr, /many\.jsonl:2:1: error: conversation 2: .*longer than 100 tokens/);
  assert.match(r.stderr, /broken\.json:\d+:\d+: error: /);
  // Progress across files goes to stderr; stdout holds only records.
  assert.match(r.stderr, /\d+\/1 file, \d\/3 conversations/);
  for (const l of r.stdout.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(l), l);
});

test('report over a folder with --jobs 2 writes one page with every conversation', () => {
  const out = join(dir, 'report.html');
  const r = demo('report', corpus, '-o', out, '--jobs', '2');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /5\/5 files, 5\/5 conversations \(2 jobs\)/);
  assert.match(r.stderr, /wrote .*report\.html: 5 conversations/);
  const html = readFileSync(out, 'utf8');
  for (let i = 0; i < 5; i++) assert.ok(html.includes(`chat-${i}.json`), `chat-${i}.json in the report`);
});
