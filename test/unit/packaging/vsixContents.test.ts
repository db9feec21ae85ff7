// Each platform's VSIX lists its own onnxruntime binaries and nothing from other platforms, sources or
// tests: the file list vsce packs (its own listFiles, with tools/package.mjs's per-target ignore file).
// Needs `npm run build` (out/); `npm run test:package` packs the VSIXes themselves and opens them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFiles } from '@vscode/vsce';
import { packageTool, vsixProblems } from '../../support/vsixContents';

test('one target per platform onnxruntime-node ships binaries for; darwin-x64 has none', async () => {
  const tool = await packageTool();
  assert.deepEqual(Object.keys(tool.TARGETS).sort(), [
    'darwin-arm64',
    'linux-arm64',
    'linux-x64',
    'win32-arm64',
    'win32-x64',
  ]);
  assert.throws(() => tool.ignoreFileFor('darwin-x64'), /unknown target darwin-x64/);
});

test("each target's file list holds its own native binaries and nothing it must not", async () => {
  const tool = await packageTool();
  for (const target of Object.keys(tool.TARGETS)) {
    const files = await listFiles({ cwd: process.cwd(), ignoreFile: tool.ignoreFileFor(target) });
    assert.deepEqual(vsixProblems(tool, target, files), [], target);
  }
});

test('the checks catch a leak: the plain .vscodeignore lets every platform through', async () => {
  const tool = await packageTool();
  const files = await listFiles({ cwd: process.cwd() });
  const problems = vsixProblems(tool, 'linux-x64', [...files, 'src/core/index.ts']);
  assert.ok(
    problems.some((p) => p.startsWith("other platform's binary") && p.includes('/win32/x64/')),
    problems.join('\n'),
  );
  assert.ok(problems.includes('source or test folder: src/core/index.ts'), problems.join('\n'));
});
