// Builds one VSIX per platform onnxruntime-node ships native binaries for, each carrying only its own.
//   node tools/package.mjs                 every target: persona-lens-<target>.vsix in the project folder
//   node tools/package.mjs linux-x64 ...   only these targets
// vsce builds the production bundles (vscode:prepublish, about 2 s) and packs each target with a generated
// ignore file: .vscodeignore plus the other platforms' onnxruntime binaries. The unit test test/unit/packaging/
// lists each target's files through the same ignore file, and `npm run test:package` opens the VSIXes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(import.meta.dirname, '..');

/**
 * vsce target → onnxruntime-node's binary folder (bin/napi-v6/<os>/<arch>). onnxruntime-node 1.30 ships
 * no darwin/x64 binaries, so there is no darwin-x64 VSIX: on an Intel Mac the extension could not load.
 */
export const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

/** Where onnxruntime-node keeps its per-platform native binaries. */
export const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';

/** The VSIX file a target is packed into. */
export function vsixPath(target) {
  return join(root, `persona-lens-${target}.vsix`);
}

/** Writes the ignore file for one target (.vscodeignore plus every other platform's binaries) and returns its path. */
export function ignoreFileFor(target) {
  if (!(target in TARGETS))
    throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
  const others = Object.entries(TARGETS)
    .filter(([t]) => t !== target)
    .map(([, dir]) => `${ORT_BIN}/${dir}/**`);
  const text = `${readFileSync(join(root, '.vscodeignore'), 'utf8')}\n# Other platforms' native binaries (tools/package.mjs, target ${target})\n${others.join('\n')}\n`;
  const file = join(mkdtempSync(join(tmpdir(), 'persona-lens-vscodeignore-')), `${target}.vscodeignore`);
  writeFileSync(file, text);
  return file;
}

/** Runs a command in the project folder, exiting with its status if it fails. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Packs one VSIX per requested target. */
function main() {
  const wanted = process.argv.slice(2);
  const targets = wanted.length > 0 ? wanted : Object.keys(TARGETS);
  const unknown = targets.filter((t) => !(t in TARGETS));
  if (unknown.length > 0) {
    console.error(
      `unknown target ${unknown.join(', ')}; onnxruntime-node ships binaries for ${Object.keys(TARGETS).join(', ')}`,
    );
    process.exit(2);
  }
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  for (const target of targets) {
    run(process.execPath, [
      vsce,
      'package',
      '--no-update-package-json',
      '--no-rewrite-relative-links',
      // The project has no public repository URL yet; a made-up one would send users nowhere.
      '--allow-missing-repository',
      '--target',
      target,
      '--ignoreFile',
      ignoreFileFor(target),
      '-o',
      vsixPath(target),
    ]);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
