// The persona-lens CLI as a user runs it (out/cli.js from `npm run build`), on a tiny model and the
// four persona-drift transcripts: outputs, exit codes, gates and bad-input messages.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel } from '../../support/tinyModels';

const CLI = join(process.cwd(), 'out', 'cli.js');
const TRANSCRIPTS = join(process.cwd(), '..', 'shared', 'data', 'assistant-axis', 'transcripts', 'persona_drift');
let dir = '';
let model = '';
let cache = '';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  dir = mkdtempSync(join(tmpdir(), 'pl-cli-'));
  model = join(dir, 'model');
  cache = join(dir, 'cache');
  await writeTinyModel(model, { layout: 'optimum', numLayers: 4, hiddenSize: 32, numHeads: 2, maxPositions: 4096, seed: 5 });
  const r = cli('axis', 'compute', '--model', model, '--quick', '--max-tokens', '6', '--cache-dir', cache, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /axis written to .*\.axis\.json/);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const files = (): string[] => readdirSync(TRANSCRIPTS).map((f) => join(TRANSCRIPTS, f));

test('score prints a table per transcript and exits 0', () => {
  const r = cli('score', '--model', model, '--cache-dir', cache, '--quiet', ...files());
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['coding', 'philosophy', 'therapy', 'writing']) assert.match(r.stdout, new RegExp(`${f}\\.json — model .*, layer 2, floor τ [+-]\\d`));
  assert.match(r.stdout, /^\s+1 {2}assistant {2}\S.*[+-]\d+\.\d\d/m);
  // The byte-level tiny tokenizer makes these transcripts longer than its 4096-token context: cut with a warning.
  assert.match(r.stderr, /warning: scored turns 0-\d+ only; the conversation is \d+ tokens and the limit is 4096/);
});

test('json and csv carry the same values', () => {
  const j = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--format', 'json', ...files());
  assert.equal(j.code, 0, j.stderr);
  const parsed = JSON.parse(j.stdout) as { file: string; turns: { turn: number; role: string; value: number }[] }[];
  assert.equal(parsed.length, 4);
  for (const c of parsed) assert.ok(c.turns.filter((t) => t.role === 'assistant').length >= 1);
  const c = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--format', 'csv', ...files());
  assert.equal(c.code, 0, c.stderr);
  const lines = c.stdout.trim().split('\r\n');
  assert.equal(lines[0], 'file,conversation,turn,role,value,delta,below_floor,tokens,layer,tau');
  assert.equal(lines.length - 1, parsed.reduce((n, x) => n + x.turns.length, 0));
  const first = parsed[0]!.turns[0]!;
  assert.equal(Number(lines[1]!.split(',')[4]), first.value);
});

test('gates exit 1 with the reason on stderr, and pass when met', () => {
  const f = join(TRANSCRIPTS, 'philosophy.json');
  const fail = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--fail-below', '1e9', f);
  assert.equal(fail.code, 1);
  assert.match(fail.stderr, /gate failed: .*philosophy\.json: turn \d+ is at .*below 1000000000/);
  const pass = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--fail-below', '-1e9', '--fail-drop', '1e9', f);
  assert.equal(pass.code, 0, pass.stderr);
});

test('bad input exits 2 with a message that says what is wrong', () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"messages": [{"role": "user", "content": "hi"},\n  {"role": "assistant" "content": "x"}]}');
  const cases: [string[], RegExp][] = [
    [['score', '--model', model, '--cache-dir', cache, join(dir, 'missing.json')], /missing\.json: cannot read: ENOENT/],
    [['score', '--model', model, '--cache-dir', cache, broken], /broken\.json:2:\d+: error: /],
    [['score', '--format', 'xml', broken], /--format must be table, json or csv/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['score', '--model', join(dir, 'nope'), join(TRANSCRIPTS, 'coding.json')], /neither "demo", an existing model folder, nor a Hugging Face model id/],
    [['score', '--model', model, '--cache-dir', join(dir, 'empty-cache'), '--quiet', join(TRANSCRIPTS, 'coding.json')], /no Assistant Axis has been computed for .* yet; compute one with "persona-lens axis compute/],
    [['score', '--fail-below', 'abc', broken], /--fail-below needs a number/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
