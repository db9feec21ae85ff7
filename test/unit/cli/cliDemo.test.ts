// `persona-lens rerun` and `persona-lens ab` as a user runs them (out/cli.js from `npm run build`)
// on the committed demo model and its drifting sample: texts and values, capping pulling the
// drifted last turn up, determinism, the parting turn, gates on prompt B, and bad-input messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'out', 'cli.js');
const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');
const NEUTRAL = 'You are a helpful, honest assistant. Answer clearly.';
const PIRATE = 'You are a pirate captain. Always talk like a pirate, matey.';
let dir = '';
let cache = '';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const demo = (...args: string[]): ReturnType<typeof cli> =>
  cli(...args, '--model', 'demo', '--cache-dir', cache, '--quiet');

interface Reply {
  text: string;
  value: number;
  zone: string | null;
  tokens: { text: string; value: number }[];
  variant?: string;
  stopReason?: string;
  generatedTokens?: number;
}
interface RerunJson {
  turn: number;
  original: Reply;
  replies: Reply[];
  settings: {
    sampling: { kind: string; seed?: number; temperature?: number; topP?: number };
    maxTokens: number;
    capLayers: number[];
  };
}
interface AbJson {
  partsAt: number | null;
  partThreshold: number;
  turns: { turn: number; role: string; a: number; b: number; difference: number }[];
  gateFailures: unknown[];
}

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  dir = mkdtempSync(join(tmpdir(), 'pl-cli-demo-'));
  cache = join(dir, 'cache');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('rerun prints the original and both regenerated replies with their values', () => {
  const r = demo('rerun', SAMPLE, '--turn', '8');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\S*drifting-conversation\.json turn 8 — model demo, layer \d+ \(capping floor there τ [+-]\d/m);
  assert.match(r.stdout, /^greedy decoding, at most 128 tokens; capping at layers [\d,]+ \(τ /m);
  assert.match(r.stdout, /^original {2}[+-]\d+\.\d\d.*\n {2}Arr, gather round, ye landlubber!/m);
  assert.match(r.stdout, /^uncapped {2}[+-]\d+\.\d\d.*\(\d+ tokens, (ended|hit --max-tokens)\)\n {2}\S/m);
  assert.match(r.stdout, /^capped {4}[+-]\d+\.\d\d.*\(\d+ tokens, (ended|hit --max-tokens)\)\n {2}\S/m);
  assert.ok(
    r.stdout.indexOf('original') < r.stdout.indexOf('uncapped') &&
      r.stdout.indexOf('uncapped') < r.stdout.indexOf('\ncapped'),
  );
});

test('the original value is the one score shows, and capping at the recommended band pulls the drifted last turn up', () => {
  const score = demo('score', SAMPLE, '--format', 'json');
  assert.equal(score.code, 0, score.stderr);
  const shown = (JSON.parse(score.stdout) as { turns: { turn: number; value: number }[] }[])[0]?.turns.find(
    (t) => t.turn === 8,
  );
  // Seeded sampling: capping at the recommended band raises this turn under 15 of seeds 0..19 (and
  // greedy decoding keeps the pirate opener either way); seed 1 turns it into an assistant reply.
  const SEEDED = ['--seed', '1'];
  const r = demo('rerun', SAMPLE, '--turn', '8', ...SEEDED, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as RerunJson;
  assert.ok(
    shown && Math.abs(shown.value - j.original.value) < 1e-4,
    `${shown?.value} vs ${j.original.value}`,
  );
  assert.deepEqual(j.settings.capLayers, [2, 3]);
  assert.equal(j.settings.sampling.seed, 1);
  const [uncapped, capped] = j.replies;
  assert.equal(uncapped?.variant, 'uncapped');
  assert.equal(capped?.variant, 'capped');
  assert.ok(uncapped && capped && uncapped.text !== capped.text, 'capping changed nothing');
  assert.ok(capped.value > uncapped.value, `capped ${capped.value} <= uncapped ${uncapped.value}`);
  assert.ok(
    capped.tokens.length > 0 && capped.tokens.map((t) => t.text).join('') === capped.text,
    'per-token values cover the reply',
  );

  // --cap and --no-cap generate one variant each, and the same seed repeats each variant exactly.
  const onlyCapped = JSON.parse(
    demo('rerun', SAMPLE, '--turn', '8', ...SEEDED, '--cap', '--format', 'json').stdout,
  ) as RerunJson;
  const onlyUncapped = JSON.parse(
    demo('rerun', SAMPLE, '--turn', '8', ...SEEDED, '--no-cap', '--format', 'json').stdout,
  ) as RerunJson;
  assert.deepEqual(
    onlyCapped.replies.map((x) => [x.variant, x.text]),
    [['capped', capped.text]],
  );
  assert.deepEqual(
    onlyUncapped.replies.map((x) => [x.variant, x.text]),
    [['uncapped', uncapped.text]],
  );
});

test('--seed samples reproducibly with the documented temperature and top-p', () => {
  const run = (seed: string): RerunJson => {
    const r = demo(
      'rerun',
      SAMPLE,
      '--turn',
      '6',
      '--seed',
      seed,
      '--max-tokens',
      '40',
      '--cap',
      '--format',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as RerunJson;
  };
  const a = run('11');
  const b = run('11');
  assert.deepEqual(a.settings.sampling, { kind: 'sample', temperature: 0.8, topK: 0, topP: 0.95, seed: 11 });
  assert.equal(a.replies[0]?.text, b.replies[0]?.text, 'same seed, different text');
  assert.ok((a.replies[0]?.generatedTokens ?? 0) <= 40);
});

test('rerun refuses turns it cannot regenerate, with exit 2 and the assistant turns listed', () => {
  const cases: [string[], RegExp][] = [
    [
      ['--turn', '3'],
      /turn 3 is a user turn; only assistant turns can be re-run \(assistant turns: 2, 4, 6, 8\)/,
    ],
    [['--turn', '0'], /turn 0 is a system turn/],
    [['--turn', '9'], /there is no turn 9; the conversation has turns 0-8/],
    [['--turn', '-1'], /--turn needs a whole number of at least 0/],
    [['--turn', 'x'], /--turn needs a number/],
    [[], /--turn is required/],
    [['--turn', '8', '--conversation', '2'], /there is no conversation 2; the file has 1/],
    [['--turn', '8', '--temperature', '0.5'], /--temperature and --top-p need --seed/],
    [['--turn', '8', '--format', 'yaml'], /--format must be text or json/],
  ];
  for (const [args, message] of cases) {
    const r = demo('rerun', SAMPLE, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('ab with the same prompt twice gives identical trajectories that never part', () => {
  const r = demo('ab', SAMPLE, '--system-a', NEUTRAL, '--system-b', NEUTRAL, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const [c] = JSON.parse(r.stdout) as AbJson[];
  assert.ok(c);
  assert.ok(c.turns.length >= 8);
  assert.ok(c.turns.every((t) => t.difference === 0 && t.a === t.b));
  assert.equal(c.partsAt, null);
});

test('ab: a pirate system prompt reads the same replies as less Assistant-like, and the parting turn follows the threshold', () => {
  const promptFile = join(dir, 'pirate.txt');
  writeFileSync(promptFile, `${PIRATE}\n`);
  const ab = ['ab', SAMPLE, '--system-a', NEUTRAL, '--system-b', `@${promptFile}`, '--part-threshold', '0.1'];
  const json = demo(...ab, '--format', 'json');
  assert.equal(json.code, 0, json.stderr);
  const [c] = JSON.parse(json.stdout) as AbJson[];
  assert.ok(c);
  const assistant = c.turns.filter((t) => t.role === 'assistant');
  assert.deepEqual(
    assistant.map((t) => t.turn),
    [2, 4, 6, 8],
  );
  const first = assistant[0];
  assert.ok(first && first.b < first.a, `turn 2: B ${first?.b} is not below A ${first?.a}`);
  for (const t of c.turns) assert.ok(Math.abs(t.difference - (t.b - t.a)) < 1e-9);
  const expected = assistant.find((t) => Math.abs(t.difference) > 0.1)?.turn ?? null;
  assert.notEqual(expected, null, 'the prompts should part at a 0.1 threshold');
  assert.equal(c.partsAt, expected);

  const table = demo(...ab);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`^B: .*pirate\\.txt \\("You are a pirate captain`, 'm'));
  assert.match(table.stdout, new RegExp(`^ +${expected}  .*◆ parts here$`, 'm'));
  assert.match(
    table.stdout,
    new RegExp(`trajectories part at turn ${expected}: \\|B − A\\| = \\d\\.\\d\\d > 0\\.1`),
  );

  const csv = demo(...ab, '--format', 'csv');
  const lines = csv.stdout.trim().split('\r\n');
  assert.equal(
    lines[0],
    'file,conversation,turn,role,value_a,value_b,difference,reading_a,reading_b,parts_here',
  );
  assert.equal(lines.length - 1, c.turns.length);
  assert.deepEqual(
    lines
      .slice(1)
      .filter((l) => l.endsWith(',true'))
      .map((l) => Number(l.split(',')[2])),
    [expected],
  );
});

test('ab gates apply to prompt B, and bad prompts are bad input', () => {
  const fail = demo('ab', SAMPLE, '--system-a', NEUTRAL, '--system-b', PIRATE, '--fail-below', '1e9');
  assert.equal(fail.code, 1);
  assert.match(
    fail.stderr,
    /gate failed: .*drifting-conversation\.json under prompt B: turn 2 is at .*below 1000000000/,
  );
  const pass = demo('ab', SAMPLE, '--system-a', NEUTRAL, '--system-b', PIRATE, '--fail-below', '-1e9');
  assert.equal(pass.code, 0, pass.stderr);
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '\n');
  const cases: [string[], RegExp][] = [
    [['--system-b', PIRATE], /--system-a is required/],
    [['--system-a', NEUTRAL, '--system-b', `@${empty}`], /--system-b is empty \(file .*empty\.txt\)/],
    [['--system-a', NEUTRAL, '--system-b-file', empty], /--system-b is empty \(file .*empty\.txt\)/],
    // A mistyped path is never scored as the prompt text; an existing file needs its @.
    [['--system-a', 'prompts/current.txt', '--system-b', PIRATE], /--system-a "prompts\/current\.txt" looks like a file path, and there is no such file; write --system-a @prompts\/current\.txt/],
    [['--system-a', NEUTRAL, '--system-b', empty], /--system-b ".*empty\.txt" looks like a file path; write --system-b @/],
    [['--system-a', NEUTRAL, '--system-b', `@${join(dir, 'nope.txt')}`], /nope\.txt: cannot read: ENOENT/],
    [['--system-a', NEUTRAL, '--system-b', PIRATE, '--system-b-file', empty], /give --system-b or --system-b-file, not both/],
    [
      ['--system-a', NEUTRAL, '--system-b', PIRATE, '--part-threshold', '-1'],
      /--part-threshold must not be negative/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = demo('ab', SAMPLE, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('on a terminal, rerun streams the new replies as they are generated, then lists the values', (t) => {
  // script(1) (util-linux) gives the CLI a pseudo-terminal as stdout.
  if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) {
    t.skip('script(1) is not installed, so there is no pseudo-terminal to run the CLI on');
    return;
  }
  const piped = JSON.parse(
    demo('rerun', SAMPLE, '--turn', '8', '--no-cap', '--format', 'json').stdout,
  ) as RerunJson;
  const command = [
    process.execPath,
    CLI,
    'rerun',
    SAMPLE,
    '--turn',
    '8',
    '--no-cap',
    '--model',
    'demo',
    '--cache-dir',
    cache,
    '--quiet',
  ]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.replace(/\r\n/g, '\n');
  const uncapped = piped.replies[0]?.text ?? '';
  assert.ok(uncapped.length > 0);
  assert.ok(out.includes(`\nuncapped  (generating…)\n  ${uncapped.replace(/\n/g, '\n  ')}\n`), out);
  assert.match(
    out,
    /\nvalues \(measured like "score"\):\noriginal {2}[+-]\d+\.\d\d.*\nuncapped {2}[+-]\d+\.\d\d/,
  );
});
