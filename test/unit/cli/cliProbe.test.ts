// `persona-lens probe`, `ab --probes` and `prompts` as a user runs them (out/cli.js from
// `npm run build`) on the committed demo model: the stress test's table and JSON, prompts picked
// out of source files, gates and the regression gate with their exit codes, and usage errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'out', 'cli.js');
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'prompts');
const DEFAULT = 'You are a helpful assistant.';
const PIRATE = 'You are a swaggering pirate captain who talks of treasure, rum and the sea.';
let dir = '';
let cache = '';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const demo = (...args: string[]): ReturnType<typeof cli> => cli(...args, '--model', 'demo', '--cache-dir', cache, '--quiet');

interface StressJson {
  prompt: { text: string; source: string; static: boolean };
  settings: { probeSet: { size: string; version: number }; seed: number; maxTokens: number };
  summary: { probes: number; replies: number; assistantShare: number; left: number; worst: { text: string } | null };
  probes: { id: string; leftAt: number | null; replies: { reply: number; value: number; zone: string | null; text: string }[]; gateFailures?: unknown[] }[];
}

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  dir = mkdtempSync(join(tmpdir(), 'pl-cli-probe-'));
  cache = join(dir, 'cache');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('probe: one line per probe with its replies and where it leaves the zone, then the summary; json says the same', () => {
  const table = demo('probe', '--system', DEFAULT);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /probe set quick \(version 1, 5 probes\), seed 0, 128 tokens per reply/);
  assert.match(table.stdout, /^lonely-evenings\s+vulnerability\s+[+-]\d\.\d\d/m);
  assert.match(table.stdout, /assistant zone: \d+ of 20 replies/);
  assert.match(table.stdout, /worst reply: /);
  const r = demo('probe', '--system', DEFAULT, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as StressJson;
  assert.deepEqual(j.prompt, { text: DEFAULT, source: 'text', static: true });
  assert.equal(j.probes.length, 5);
  assert.equal(j.summary.replies, 20);
  for (const p of j.probes) {
    assert.equal(p.replies.length, 4);
    const cell = new RegExp(`^${p.id}\\s.*?${p.replies[0]?.value.toFixed(2).replace('+', '\\+')}`, 'm');
    assert.match(table.stdout, cell, 'the table shows the values the json gives');
  }
  const csv = demo('probe', '--system', DEFAULT, '--format', 'csv');
  assert.equal(csv.stdout.trim().split('\r\n').length, 21, 'a header and a row per reply');
});

test('probe --system-file reads a prompt out of code: FILE#N picks one, several without #N is a usage error listing them', () => {
  const pick = demo('probe', '--system-file', `${join(FIXTURES, 'openai-chat.ts')}#2`, '--format', 'json');
  assert.equal(pick.code, 0, pick.stderr);
  const j = JSON.parse(pick.stdout) as StressJson;
  assert.equal(j.prompt.text, 'Talk like a pirate.');
  assert.match(j.prompt.source, /openai-chat\.ts#2 \(.*openai-chat\.ts:14:38\)$/);
  const many = demo('probe', '--system-file', join(FIXTURES, 'openai-chat.ts'));
  assert.equal(many.code, 2);
  assert.match(many.stderr, /has 3 system prompts; pick one with .*openai-chat\.ts#N/);
  assert.match(many.stderr, /#3 .*dynamic|#3 .*role: "system"/);
  const whole = join(dir, 'tone.txt');
  writeFileSync(whole, `${PIRATE}\n`);
  const plain = demo('probe', '--system-file', whole, '--format', 'json');
  assert.equal((JSON.parse(plain.stdout) as StressJson).prompt.text, PIRATE, 'any other file is the prompt itself, without its last newline');
});

test('probe gates: --fail-zone role fails on a pirate prompt and names the probe; the default prompt passes a loose gate', () => {
  const pirate = demo('probe', '--system', PIRATE, '--fail-zone', 'role');
  assert.equal(pirate.code, 1, pirate.stderr);
  assert.match(pirate.stderr, /gate failed: probe lonely-evenings: turn 1 reads role/);
  const loose = demo('probe', '--system', DEFAULT, '--fail-below', '-100');
  assert.equal(loose.code, 0, loose.stderr);
});

test('ab --probes: both prompts on the same probes and seeds; the regression gate fails a prompt that drifts more', () => {
  const same = demo('ab', '--probes', 'quick', '--system-a', DEFAULT, '--system-b', DEFAULT, '--fail-regression', '0');
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /mean B − A over the replies: \+0\.000; trajectories part \(\|B − A\| > 0\.5\) on 0 of 5 probes/);
  const worse = demo('ab', '--probes', 'quick', '--system-a', DEFAULT, '--system-b', PIRATE, '--fail-regression', '0.3', '--format', 'json');
  assert.equal(worse.code, 1, worse.stderr);
  assert.match(worse.stderr, /gate failed: prompt B reads \d\.\d{3} below prompt A on average over the probe replies, more than 0\.3/);
  const j = JSON.parse(worse.stdout) as { meanDifference: number; parted: number; probes: { partsAtReply: number | null; replies: { difference: number }[] }[] };
  assert.ok(j.meanDifference < -0.3);
  assert.equal(j.probes.length, 5);
  assert.ok(j.probes.every((p) => p.replies.length === 4));
  // The A side came from the cache of the first probe test of DEFAULT: the same model, axis, prompt, probes and seed.
  const file = join(dir, 'b.system.txt');
  writeFileSync(file, `${PIRATE}\n`);
  const fromFile = demo('ab', '--probes', 'quick', '--system-a', DEFAULT, '--system-b', `@${file}`, '--format', 'json');
  assert.equal((JSON.parse(fromFile.stdout) as { meanDifference: number }).meanDifference, j.meanDifference, 'a prompt file gives the same test as its text');
});

test('usage errors exit 2 before a model loads', () => {
  const cases: [string[], RegExp][] = [
    [['probe'], /--system is required \(the prompt's text, or @FILE\)/],
    [['probe', '--system', 'x', '--system-file', 'y'], /give --system or --system-file, not both/],
    [['probe', '--system', 'prompts/current.txt'], /--system "prompts\/current\.txt" looks like a file path, and there is no such file; write --system @prompts\/current\.txt/],
    [['probe', '--system', join(FIXTURES, 'openai-chat.ts#2')], /looks like a file path; write --system @/],
    [['probe', '--system', DEFAULT, '--probes', 'huge'], /--probes must be quick or full/],
    [['probe', '--system', '  '], /--system is empty/],
    [['probe', '--system', DEFAULT, '--seed', '-1'], /--seed needs a whole number/],
    [['probe', '--system-file', join(FIXTURES, 'openai-chat.ts#9')], /has 3 system prompts/],
    [['probe', '--system-file', join(dir, 'missing.txt')], /missing\.txt/],
    [['probe', '--system', `@${join(dir, 'missing.txt')}`], /missing\.txt/],
    [['ab', '--probes', 'quick', 'chat.json', '--system-a', 'a', '--system-b', 'b'], /ab --probes takes no transcript file/],
    [['ab', join(FIXTURES, 'support.system.txt'), '--system-a', 'a', '--system-b', 'b', '--fail-regression', '1'], /--fail-regression needs --probes/],
    [['ab', join(FIXTURES, 'support.system.txt'), '--system-a', 'a', '--system-b', 'b', '--seed', '1'], /--seed needs --probes/],
  ];
  for (const [args, re] of cases) {
    const r = cli(...args, '--cache-dir', cache);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test('prompts lists what detection finds, numbered as FILE#N, with 1-based positions', () => {
  const r = cli('prompts', join(FIXTURES, 'openai-chat.ts'), join(FIXTURES, 'support.system.txt'), '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { id: string; start: { line: number; column: number }; static: boolean; text: string }[];
  assert.deepEqual(
    j.map((p) => [p.id.replace(FIXTURES, ''), p.start.line, p.start.column, p.static]),
    [
      ['/openai-chat.ts#1', 7, 25, true],
      ['/openai-chat.ts#2', 14, 38, true],
      ['/openai-chat.ts#3', 27, 35, false],
      ['/support.system.txt#1', 1, 1, true],
    ],
  );
  const table = cli('prompts', join(FIXTURES, 'langchain_agents.py'));
  assert.match(table.stdout, /langchain_agents\.py#3\s+16:47\s+system_prompt=\s+"Be concise, reply with one sentence\."/);
  const none = cli('prompts', join(process.cwd(), 'samples', 'drifting-conversation.json'));
  assert.equal(none.code, 0);
  assert.match(none.stdout, /no system prompts found/);
});
