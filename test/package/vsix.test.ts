// `npm run test:package`: packs every platform's VSIX (npm run package) and opens each zip, checking
// what was really written: its own onnxruntime binaries and nothing from other platforms, src or test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import yauzl from 'yauzl';
import { packageTool, vsixProblems } from '../support/vsixContents';

/** The file names in a zip, read from its central directory. */
function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: false, autoClose: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => names.push(e.fileName));
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
    });
  });
}

test('every VSIX holds its own native binaries and nothing it must not', async () => {
  const tool = await packageTool();
  const r = spawnSync(process.execPath, ['tools/package.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  assert.equal(r.status, 0, 'npm run package failed');
  for (const target of Object.keys(tool.TARGETS)) {
    const entries = await zipEntries(tool.vsixPath(target));
    assert.ok(entries.includes('extension.vsixmanifest'), `${target}: no manifest`);
    const files = entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
    assert.deepEqual(vsixProblems(tool, target, files), [], target);
    console.log(
      `${target}: ${files.length} files, ${(statSync(tool.vsixPath(target)).size / 1e6).toFixed(1)} MB`,
    );
  }
});
