// Builds every entry point of Persona Lens with one esbuild call per target platform.
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, no sourcemaps (what the VSIX ships)
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Native or heavyweight packages stay in node_modules (shipped in the VSIX) instead of the bundle. */
const nodeExternals = ['vscode', 'onnxruntime-node', '@huggingface/transformers', 'sharp'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
    mainFields: ['module', 'main'],
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
    entryPoints: { 'webview/main': 'webview/main.ts', 'webview/prompt': 'webview/promptView.ts', 'webview/report': 'webview/report/main.ts' },
    outdir: 'out',
    loader: { '.ttf': 'file' },
  },
];

/**
 * The tree-sitter runtime and the grammars prompt detection parses with (src/core/prompts/parsers.ts),
 * next to the bundles that load them: out/tree-sitter/*.wasm (about 3.5 MB of the package's 22 MB).
 */
const GRAMMAR_FILES = ['tree-sitter.wasm', 'tree-sitter-typescript.wasm', 'tree-sitter-tsx.wasm', 'tree-sitter-javascript.wasm', 'tree-sitter-python.wasm'];
mkdirSync(join('out', 'tree-sitter'), { recursive: true });
for (const f of GRAMMAR_FILES) copyFileSync(join('node_modules', '@vscode', 'tree-sitter-wasm', 'wasm', f), join('out', 'tree-sitter', f));

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
