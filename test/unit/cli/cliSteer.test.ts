// `persona-lens rerun --steer` on the demo model: steering by 0 is the uncapped model exactly (the
// graph's steering input adds nothing), a strong push changes the reply, and layers without a capping
// node are refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'out', 'cli.js');
const SAMPLE = join(process.cwd(), 'samples', 'drifting-conversation.json');
let cache = '';

function rerun(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'rerun', SAMPLE, '--turn', '8', '--model', 'demo', '--cache-dir', cache, '--quiet', '--no-cap', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
interface Out {
  replies: { variant: string; text: string; value: number }[];
  settings: { steering: { alpha: number; layers: number[]; amounts: number[] } | null };
}

before(() => {
  cache = mkdtempSync(join(tmpdir(), 'pl-steer-'));
});
after(() => rmSync(cache, { recursive: true, force: true }));

test('rerun --steer 0 gives the uncapped reply exactly; a strong push changes it and the amounts are recorded', () => {
  const zero = rerun('--steer', '0', '--format', 'json');
  assert.equal(zero.code, 0, zero.stderr);
  const z = JSON.parse(zero.stdout) as Out;
  const [plain, steered] = [z.replies.find((r) => r.variant === 'uncapped'), z.replies.find((r) => r.variant === 'steered')];
  assert.ok(plain && steered);
  assert.equal(steered.text, plain.text);
  assert.equal(steered.value, plain.value);
  assert.deepEqual(z.settings.steering?.amounts.map((a) => Math.abs(a)), [0, 0]);

  const push = JSON.parse(rerun('--steer', '-12', '--format', 'json').stdout) as Out;
  const pushed = push.replies.find((r) => r.variant === 'steered');
  assert.ok(pushed);
  assert.notEqual(pushed.text, plain.text);
  assert.equal(push.settings.steering?.alpha, -12);
  assert.ok(push.settings.steering?.amounts.every((a) => a < 0), 'a negative alpha pushes away from the Assistant at every layer');
});

test('steering is refused on layers the model has no capping node at, and --steer-layers needs --steer', () => {
  const r = rerun('--steer', '2', '--steer-layers', '0');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /steering at layers 0: they have no capping node/);
  const s = rerun('--steer-layers', '2');
  assert.equal(s.code, 2);
  assert.match(s.stderr, /--steer-layers needs --steer A/);
});
