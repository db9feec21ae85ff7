// `persona-lens continue` as a user runs it (out/cli.js from `npm run build`) on the committed demo
// model: two columns that each keep their own replies, values measured like "score" (the continued
// transcript, scored again, gives the same numbers), determinism, and the refusal without a user turn.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'out', 'cli.js');
const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');
const USERS = ['--user', 'What is a good way to learn to cook?', '--user', 'Thanks. Any tips for baking bread?'];
let dir = '';
let cache = '';

function demo(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--model', 'demo', '--cache-dir', cache, '--quiet'], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Step {
  user: string | null;
  replies: { variant: string; text: string; value: number; zone: string | null; generatedTokens: number }[];
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-continue-'));
  cache = join(dir, 'cache');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('continue: one step per --user, an uncapped and a capped reply each, deterministic under greedy decoding', () => {
  const r = demo('continue', SAMPLE, ...USERS, '--max-tokens', '24', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { steps: Step[]; sampling: { kind: string } };
  assert.equal(out.sampling.kind, 'greedy');
  assert.deepEqual(out.steps.map((s) => s.user), [USERS[1], USERS[3]]);
  for (const s of out.steps) {
    assert.deepEqual(s.replies.map((x) => x.variant), ['uncapped', 'capped']);
    for (const x of s.replies) {
      assert.ok(x.generatedTokens > 0 && x.generatedTokens <= 24);
      assert.ok(Number.isFinite(x.value), `${x.variant} has a value`);
    }
  }
  const again = demo('continue', SAMPLE, ...USERS, '--max-tokens', '24', '--format', 'json');
  assert.equal(again.stdout, r.stdout);
});

test('continue --format transcript: each column keeps its own replies, and scoring the transcript gives the same values', () => {
  const json = JSON.parse(demo('continue', SAMPLE, ...USERS, '--max-tokens', '24', '--format', 'json').stdout) as { steps: Step[] };
  const r = demo('continue', SAMPLE, ...USERS, '--max-tokens', '24', '--format', 'transcript');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; metadata: { persona_lens: { column: string } } });
  assert.deepEqual(lines.map((l) => l.metadata.persona_lens.column), ['uncapped', 'capped']);
  const original = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { messages: unknown[] };
  for (const [k, line] of lines.entries()) {
    const added = line.messages.slice(original.messages.length);
    assert.deepEqual(added.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
    assert.equal(added[0]?.content, USERS[1]);
    assert.equal(added[1]?.content, json.steps[0]?.replies[k]?.text, 'step 2 was generated after this column\'s own step-1 reply');
    assert.equal(added[3]?.content, json.steps[1]?.replies[k]?.text);
  }
  const file = join(dir, 'continued.jsonl');
  writeFileSync(file, r.stdout);
  const scored = JSON.parse(demo('score', file, '--format', 'json').stdout) as { turns: { role: string; value: number }[] }[];
  assert.equal(scored.length, 2);
  for (const [k, conv] of scored.entries()) {
    const last = conv.turns.at(-1);
    assert.equal(last?.role, 'assistant');
    assert.ok(Math.abs((last?.value ?? NaN) - (json.steps[1]?.replies[k]?.value ?? NaN)) < 1e-4, `column ${k}: ${last?.value} vs ${json.steps[1]?.replies[k]?.value}`);
  }
});

test('continue refuses a conversation that ends with an assistant turn and no --user, with exit 2', () => {
  const r = demo('continue', SAMPLE);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ends with an assistant turn; give --user TEXT/);
  assert.equal(r.stdout, '');
});
