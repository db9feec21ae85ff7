// Builds every entry point of Persona Lens with one esbuild call per target platform.
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, no sourcemaps (what the VSIX ships)
//   node esbuild.mjs --watch       rebuild on change
// The unit tests import `nodeBundle` to build the worker exactly as it ships.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * What stays in node_modules (shipped in the VSIX, per platform) instead of the bundle: onnxruntime-node
 * loads its native binding from its own folder, and onnxruntime-common holds the Tensor class and
 * backend registry that onnxruntime-node and transformers.js must share (one copy, or `instanceof
 * Tensor` fails inside onnxruntime). transformers.js itself is bundled into out/worker.js.
 */
const nodeExternals = ['vscode', 'onnxruntime-node', 'onnxruntime-common'];

/**
 * transformers.js imports sharp at load for image inputs. Persona Lens never reads images, and sharp's
 * native packages (@img/sharp-<os>-<arch>) are installed for the machine that ran `npm ci` only, so a
 * VSIX for another platform could not load transformers.js. The bundle gets a stand-in instead: a
 * function (transformers.js checks that sharp is truthy) that throws if an image is ever decoded.
 * @type {esbuild.Plugin}
 */
const noSharp = {
  name: 'no-sharp',
  setup(build) {
    build.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'no-sharp' }));
    build.onLoad({ filter: /.*/, namespace: 'no-sharp' }, () => ({
      contents:
        "module.exports = function sharp() { throw new Error('Persona Lens reads no images: sharp is not bundled'); };",
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  legalComments: 'none',
};

/**
 * How the Node entry points (extension host, worker thread, CLI) are bundled, without entry points and
 * output: shared with the unit tests, which build the worker from source the same way.
 * @type {esbuild.BuildOptions}
 */
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: nodeExternals,
  plugins: [noSharp],
  // transformers.js (ESM build) reads import.meta.url, which a CommonJS bundle lacks; it falls back to
  // __filename and __dirname, as its own CommonJS build does.
  logOverride: { 'empty-import-meta': 'silent' },
  // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    ...common,
    ...nodeBundle,
    entryPoints: {
      extension: 'src/extension/extension.ts',
      worker: 'src/worker/main.ts',
      cli: 'src/cli/main.ts',
      bench: 'bench/main.ts',
      'demo-proof': 'tools/demo-model/proof/main.ts',
    },
    outdir: 'out',
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    // webview/report: the HTML report's page script (+ report.css), inlined into each report by the CLI and the extension.
    entryPoints: { 'webview/main': 'webview/main.ts', 'webview/prompt': 'webview/promptView.ts', 'webview/continue': 'webview/continueView.ts', 'webview/report': 'webview/report/main.ts' },
    outdir: 'out',
    loader: { '.ttf': 'file' },
  },
];

/**
 * The tree-sitter runtime and the grammars prompt detection parses with (src/core/prompts/parsers.ts),
 * next to the bundles that load them: out/tree-sitter/*.wasm (about 3.5 MB of the package's 22 MB).
 */
const GRAMMAR_FILES = ['tree-sitter.wasm', 'tree-sitter-typescript.wasm', 'tree-sitter-tsx.wasm', 'tree-sitter-javascript.wasm', 'tree-sitter-python.wasm'];

/** Copies the grammars and runs every build (once, or watching). */
async function main() {
  mkdirSync(join('out', 'tree-sitter'), { recursive: true });
  for (const f of GRAMMAR_FILES) copyFileSync(join('node_modules', '@vscode', 'tree-sitter-wasm', 'wasm', f), join('out', 'tree-sitter', f));
  if (watch) {
    const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    await Promise.all(targets.map((t) => esbuild.build(t)));
  }
}

// Run as a script (`node esbuild.mjs`), not when imported.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
