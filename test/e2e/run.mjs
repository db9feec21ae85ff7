// Runs the end-to-end tests (test/e2e/tests/*.test.mjs) with node's test runner, one file at a
// time: each test starts its own code-server and chromium, and the machine has 2 cores.
// Usage: node test/e2e/run.mjs [substring-filter ...]; exits non-zero on failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const testsDir = join(import.meta.dirname, 'tests');
const filter = process.argv.slice(2);
const tests = readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.mjs') && (filter.length === 0 || filter.some((s) => f.includes(s))))
  .map((f) => join(testsDir, f));
if (tests.length === 0) {
  console.error(`e2e: no test files in ${testsDir} match ${JSON.stringify(filter)}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...tests], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
