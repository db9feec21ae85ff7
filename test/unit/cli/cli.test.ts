// The persona-lens CLI as a user runs it (out/cli.js from `npm run build`), on a tiny model and the
// four persona-drift transcripts: outputs, exit codes, gates, bad-input messages, ab and the HTML report.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel } from '../../support/tinyModels';
import { TRANSCRIPTS_DIR } from '../../support/shared.mjs';

const CLI = join(process.cwd(), 'out', 'cli.js');
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
  // A random-weight model's axis points nowhere: written (for its report), judged unusable, exit 4.
  const r = cli('axis', 'compute', '--model', model, '--quick', '--max-tokens', '6', '--cache-dir', cache, '--quiet');
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stdout, /axis written to .*\.axis\.json/);
  assert.match(r.stdout, /^verdict: unusable at layer \d+: /m);
  assert.match(r.stderr, /the axis is unusable .*--allow-weak/);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const files = (): string[] => readdirSync(TRANSCRIPTS_DIR).map((f) => join(TRANSCRIPTS_DIR, f));

test('score prints a table per transcript and exits 0', () => {
  const r = cli('score', '--model', model, '--cache-dir', cache, '--quiet', ...files());
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['coding', 'philosophy', 'therapy', 'writing']) assert.match(r.stdout, new RegExp(`${f}\\.json — model .*, layer 2\\nzones: `));
  assert.match(r.stdout, /^capping floor τ [+-]\d\.\d\d \(used when a turn is re-run with capping; not an alarm\)$/m);
  assert.match(r.stdout, /^note: the axis is unusable at layer \d+: /m, 'the verdict is named next to the readings');
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
  assert.equal(lines[0], 'file,conversation,turn,role,value,delta,zone,out_of_domain,surprise,alarm,unscored,tokens,layer,assistant_from,role_to,surprise_limit,tau');
  // One row per turn of the JSON, unscored assistant turns (beyond the context) included in both.
  assert.equal(lines.length - 1, parsed.reduce((n, x) => n + x.turns.length, 0));
  const first = parsed[0]!.turns[0]!;
  assert.equal(Number(lines[1]!.split(',')[4]), first.value);
});

test('gates exit 1 with the reason on stderr, fail closed on turns they could not score, and pass when met', () => {
  const f = join(TRANSCRIPTS_DIR, 'philosophy.json');
  const fail = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--fail-below', '1e9', f);
  assert.equal(fail.code, 1);
  assert.match(fail.stderr, /gate failed: .*philosophy\.json: turn \d+ is at .*below 1000000000/);
  // The transcript is longer than the model's 4096-token context: its last assistant turns are not
  // scored, so no gate can pass them, however loose.
  const loose = ['--fail-below', '-1e9', '--fail-drop', '1e9'];
  const closed = cli('score', '--model', model, '--cache-dir', cache, '--quiet', ...loose, f);
  assert.equal(closed.code, 1, closed.stderr);
  assert.match(closed.stderr, /gate failed: .*philosophy\.json: assistant turn \d+ is beyond the 4096-token limit, so no gate can pass it/);
  const pass = cli('score', '--model', model, '--cache-dir', cache, '--quiet', ...loose, '--allow-unscored', f);
  assert.equal(pass.code, 0, pass.stderr);
});

test('an Inspect .eval log is scored sample by sample; a .eval that is no zip exits 2', () => {
  const log = join(process.cwd(), 'test', 'fixtures', 'formats', 'inspect-four-samples.eval');
  const r = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--format', 'json', log);
  assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as { file: string; turns: { role: string }[] }[];
  assert.deepEqual(
    parsed.map((c) => c.file.replace(/^.*inspect-four-samples\.eval/, 'log.eval')),
    ['log.eval › sample 1, epoch 1', 'log.eval › sample 1, epoch 2', 'log.eval › sample 2, epoch 1', 'log.eval › sample 2, epoch 2'],
  );
  for (const c of parsed) assert.equal(c.turns.filter((t) => t.role === 'assistant').length, 1);
  const notZip = join(dir, 'not-a-log.eval');
  writeFileSync(notZip, 'plain text');
  const bad = cli('score', '--model', model, '--cache-dir', cache, '--quiet', notZip);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /not-a-log\.eval: cannot read: .*not a readable Inspect \.eval log/);
});

test('a transcript whose assistant turns cannot be scored at all exits 2, gate or not', () => {
  const long = join(dir, 'one-long-reply.json');
  writeFileSync(long, JSON.stringify({ messages: [{ role: 'user', content: 'Tell me everything.' }, { role: 'assistant', content: 'word '.repeat(400) }] }));
  for (const gate of [['--fail-below', '100'], []]) {
    const r = cli('score', '--model', model, '--cache-dir', cache, '--quiet', '--max-tokens', '64', ...gate, long);
    assert.equal(r.code, 2, `${gate.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /no assistant turn could be scored: .*one-long-reply\.json turn 1 \(beyond the token limit\)/);
  }
});

test('bad input exits 2 with a message that says what is wrong', () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"messages": [{"role": "user", "content": "hi"},\n  {"role": "assistant" "content": "x"}]}');
  const cases: [string[], RegExp][] = [
    [['score', '--model', model, '--cache-dir', cache, join(dir, 'missing.json')], /missing\.json: cannot read: ENOENT/],
    [['score', '--model', model, '--cache-dir', cache, broken], /broken\.json:2:\d+: error: /],
    [['score', '--format', 'xml', broken], /--format must be table, json, csv or jsonl/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['score', '--model', join(dir, 'nope'), join(TRANSCRIPTS_DIR, 'coding.json')], /neither "demo", an existing model folder, nor a Hugging Face model id/],
    [['score', '--model', model, '--cache-dir', join(dir, 'empty-cache'), '--quiet', join(TRANSCRIPTS_DIR, 'coding.json')], /no Assistant Axis has been computed for .* yet; compute one with "persona-lens axis compute/],
    [['score', '--fail-below', 'abc', broken], /--fail-below needs a number/],
    [['axis', 'compute', '--model', model, '--top-p', '2'], /--top-p needs a number in \(0, 1\]/],
    [['axis', 'compute', '--model', model, '--temperature=-1'], /--temperature needs a number >= 0/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('ab on the tiny model: prompts from a file and as text, json and csv agree, identical prompts never part', () => {
  const f = join(TRANSCRIPTS_DIR, 'therapy.json');
  const promptFile = join(dir, 'prompt-b.txt');
  writeFileSync(promptFile, 'You are a stern medieval knight.\n');
  const common = ['--model', model, '--cache-dir', cache, '--quiet', '--max-tokens', '3000', '--system-a', 'You are a helpful assistant.', '--system-b', `@${promptFile}`];
  const j = cli('ab', f, ...common, '--format', 'json');
  assert.equal(j.code, 0, j.stderr);
  const [c] = JSON.parse(j.stdout) as { systemB: { source: string }; partsAt: number | null; partThreshold: number; turns: { turn: number; role: string; a: number; b: number; difference: number }[] }[];
  assert.ok(c && c.turns.some((t) => t.role === 'assistant'), `no assistant turn scored: ${j.stdout.slice(0, 400)}`);
  assert.equal(c.systemB.source, promptFile);
  assert.equal(c.partThreshold, 0.5);
  const expected = c.turns.find((t) => t.role === 'assistant' && Math.abs(t.difference) > 0.5)?.turn ?? null;
  assert.equal(c.partsAt, expected);
  const csv = cli('ab', f, ...common, '--format', 'csv');
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.trim().split('\r\n').slice(1).map((l) => l.split(','));
  assert.deepEqual(
    rows.map((r) => [Number(r[2]), Number(r[4]), Number(r[5])]),
    c.turns.map((t) => [t.turn, t.a, t.b]),
  );
  const same = cli('ab', f, '--model', model, '--cache-dir', cache, '--quiet', '--max-tokens', '3000', '--system-a-file', promptFile, '--system-b', 'You are a stern medieval knight.', '--format', 'json');
  assert.equal(same.code, 0, same.stderr);
  const [s] = JSON.parse(same.stdout) as { partsAt: number | null; turns: { difference: number }[] }[];
  assert.ok(s && s.partsAt === null && s.turns.every((t) => t.difference === 0), 'a file and its text are the same prompt');
});

test('report on the four transcripts: one self-contained page with the values score prints', () => {
  const out = join(dir, 'report.html');
  const limit = ['--max-tokens', '1500'];
  const r = cli('report', '--model', model, '--cache-dir', cache, ...limit, '-o', out, ...files());
  assert.equal(r.code, 0, r.stderr);
  // Not a terminal: progress comes as plain lines, never carriage-return redraws.
  assert.match(r.stderr, /^loading model /m);
  assert.match(r.stderr, /^100% scored 4 conversations$/m);
  assert.match(r.stderr, /^wrote .*report\.html: 4 conversations, \d+ assistant turns/m);
  assert.doesNotMatch(r.stderr, /\r/);
  const html = readFileSync(out, 'utf8');
  assert.doesNotMatch(html, /<(script|link|img)\b[^>]*\b(src|href)=/i, 'the page loads nothing');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
  const data = JSON.parse(/<script type="application\/json" id="pl-report-data">([^<]*)<\/script>/.exec(html)?.[1] ?? 'null') as {
    charts: { label: string; points: { turn: number; value: number }[] }[];
  };
  assert.deepEqual(data.charts.map((c) => c.label).sort(), ['coding.json', 'philosophy.json', 'therapy.json', 'writing.json']);
  const score = cli('score', '--model', model, '--cache-dir', cache, '--quiet', ...limit, '--format', 'json', ...files());
  assert.equal(score.code, 0, score.stderr);
  const scored = JSON.parse(score.stdout) as { file: string; turns: { turn: number; role: string; value: number | null }[] }[];
  for (const s of scored) {
    const chart = data.charts.find((c) => s.file.endsWith(c.label));
    assert.ok(chart, s.file);
    assert.deepEqual(
      chart.points.map((p) => [p.turn, p.value]),
      // Unscored assistant turns (beyond the limit) are rows of the JSON with value null, not points.
      s.turns.filter((t) => t.role === 'assistant' && t.value !== null).map((t) => [t.turn, t.value]),
      `${chart.label}: plotted values`,
    );
  }
  const turns = data.charts.reduce((n, c) => n + c.points.length, 0);
  assert.equal(html.match(/<div class="pl-strip">/g)?.length, turns, 'one strip per assistant turn');
  assert.equal(html.match(/<canvas id="pl-chart-\d+"/g)?.length, 4);
  // The page script is the built bundle (webview/report/main.ts with the panel's DriftChart).
  assert.ok(html.includes(readFileSync(join(process.cwd(), 'out', 'webview', 'report.js'), 'utf8').slice(0, 2000)));
});

test('axis compute --out writes FILE, FILE.md and FILE.svg, and overwrites a report or plot the user did not name only with --force', () => {
  const outDir = join(dir, 'notes');
  mkdirSync(outDir);
  const notes = join(outDir, 'notes.json');
  writeFileSync(join(outDir, 'notes.md'), 'my own notes\n');
  // The settings of the axis computed in before(): its checkpoint makes this run short.
  const args = ['axis', 'compute', '--model', model, '--quick', '--max-tokens', '6', '--cache-dir', cache, '--quiet', '--out', notes];
  const refused = cli(...args);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /notes\.md: exists; the axis report and plot are written beside .*notes\.json as .*notes\.md and .*notes\.svg.* pass --force/);
  assert.equal(readFileSync(join(outDir, 'notes.md'), 'utf8'), 'my own notes\n');
  assert.deepEqual(readdirSync(outDir), ['notes.md'], 'refused before anything was written');
  const forced = cli(...args, '--force', '--allow-weak');
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /^verdict: unusable/m, '--allow-weak accepts the axis but still says what it is');
  assert.match(readFileSync(join(outDir, 'notes.md'), 'utf8'), /^# Assistant Axis: /);
  assert.deepEqual(readdirSync(outDir).sort(), ['notes.json', 'notes.md', 'notes.svg'], 'no temporary files are left');
  assert.match(cli('axis', 'compute', '--help').stdout, /its report and plot go beside it as FILE\.md and FILE\.svg/);
});

test('report and rerun usage errors exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['report', join(TRANSCRIPTS_DIR, 'coding.json')], /-o FILE is required/],
    [['report', '-o', join(dir, 'x.html')], /no transcript file given/],
    [['report', '--model', model, '--cache-dir', cache, '--quiet', '-o', join(dir, 'missing', 'x.html'), join(TRANSCRIPTS_DIR, 'coding.json'), '--max-tokens', '200'], /cannot write .*x\.html: ENOENT/],
    [['rerun', join(TRANSCRIPTS_DIR, 'coding.json'), join(TRANSCRIPTS_DIR, 'writing.json'), '--turn', '1'], /rerun takes one transcript file, got 2/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('Ctrl-C during a long run stops it cleanly with exit 130', async () => {
  const child = spawn(process.execPath, [CLI, 'report', '--model', model, '--cache-dir', cache, '-o', join(dir, 'interrupted.html'), ...files()], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (/scoring /.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before scoring started: ${stderr}`)));
  });
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted; stopping/);
  assert.ok(!existsSync(join(dir, 'interrupted.html')), 'no half-made report is written');
});
