// `persona-lens rerun --sweep` on the demo model: the uncapped reply, then every floor x band cell; its
// uncapped cell and its axis-band cell at the session's own floor are the replies `rerun` gives
// (one measurement, same decoding); bad grids are usage errors.
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
  const r = spawnSync(process.execPath, [CLI, 'rerun', SAMPLE, '--turn', '8', '--model', 'demo', '--cache-dir', cache, '--quiet', '--max-tokens', '32', ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
interface Cell {
  percentile: number | null;
  band: string | null;
  text: string;
  value: number;
  layers: number[];
}

before(() => {
  cache = mkdtempSync(join(tmpdir(), 'pl-sweep-'));
});
after(() => rmSync(cache, { recursive: true, force: true }));

test('rerun --sweep: the uncapped reply and every cell; the uncapped and axis-p25 cells are the plain re-run\'s replies', () => {
  const r = rerun('--sweep', '--percentiles', '25,5', '--bands', 'axis,all', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cells: Cell[]; dose: { band: string; points: { percentile: number | null; value: number }[] }[] };
  assert.deepEqual(out.cells.map((c) => [c.band, c.percentile]), [[null, null], ['axis', 5], ['axis', 25], ['all', 5], ['all', 25]]);
  assert.deepEqual(out.cells[4]?.layers, [0, 1, 2, 3]);
  assert.deepEqual(out.dose.map((d) => [d.band, d.points.map((p) => p.percentile)]), [['axis', [null, 5, 25]], ['all', [null, 5, 25]]]);
  const plain = JSON.parse(rerun('--format', 'json').stdout) as { replies: { variant: string; text: string; value: number }[] };
  const byVariant = (v: string) => plain.replies.find((x) => x.variant === v);
  assert.equal(out.cells[0]?.text, byVariant('uncapped')?.text);
  assert.equal(out.cells[0]?.value, byVariant('uncapped')?.value);
  // The demo axis caps layers 2-3 at the 25th percentile of the response population by default.
  assert.equal(out.cells[2]?.text, byVariant('capped')?.text);
  assert.equal(out.cells[2]?.value, byVariant('capped')?.value);
});

test('rerun --sweep refuses bad grids and mixed options with exit 2', () => {
  for (const [args, message] of [
    [['--sweep', '--percentiles', '5,101'], /percentile "101" \(entry 2/],
    [['--sweep', '--bands', 'axis,deep'], /band "deep" \(entry 2/],
    [['--sweep', '--cap'], /--sweep runs its own grid/],
    [['--percentiles', '5'], /--percentiles and --bands need --sweep/],
  ] as const) {
    const r = rerun(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
