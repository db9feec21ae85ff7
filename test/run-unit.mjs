// Runs the unit tests with node's test runner. Node 20 cannot strip types, so each
// test/unit/**/*.test.ts is bundled by esbuild into out-test/ first (packages stay external).
// `--dir test/robustness` runs another folder's tests the same way (npm run test:robustness).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const dirFlag = args.indexOf('--dir');
const unitDir = dirFlag >= 0 ? join(root, args[dirFlag + 1] ?? '') : join(root, 'test', 'unit');
if (dirFlag >= 0) args.splice(dirFlag, 2);
// One folder per run, so runs started side by side do not delete each other's bundles.
const outDir = join(root, 'out-test', String(process.pid));

/** @param {string} dir @returns {string[]} */
function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? findTests(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

const filter = args;
const tests = findTests(unitDir).filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: tests,
  outdir: outDir,
  outbase: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // The extension's modules run in plain Node against a small stand-in for the VS Code API.
  alias: { vscode: join(root, 'test', 'support', 'vscodeStub.ts') },
  sourcemap: 'inline',
  logLevel: 'warning',
});
const compiled = tests.map((t) => join(outDir, relative(root, t)).replace(/\.ts$/, '.js'));
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...compiled], {
  stdio: 'inherit',
  cwd: root,
});
rmSync(outDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
