// What a platform's VSIX must and must not hold; shared by the listing unit test and `npm run test:package`.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of tools/package.mjs the tests use. */
export interface PackageTool {
  TARGETS: Record<string, string>;
  ORT_BIN: string;
  vsixPath(target: string): string;
  ignoreFileFor(target: string): string;
}

/** Loads tools/package.mjs, the script `npm run package` runs. */
export async function packageTool(): Promise<PackageTool> {
  return (await import(pathToFileURL(join(process.cwd(), 'tools', 'package.mjs')).href)) as PackageTool;
}

/** The native files onnxruntime-node loads on each platform: its binding and the runtime library it links. */
const NATIVE: Record<string, string[]> = {
  linux: ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  darwin: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'],
  win32: ['onnxruntime_binding.node', 'onnxruntime.dll'],
};

/** Files the extension cannot start without, in every VSIX. */
const REQUIRED = [
  'package.json',
  'out/extension.js',
  'out/worker.js',
  'out/cli.js',
  'media/icon.png',
  'CHANGELOG.md',
  'LICENSE',
];

/** Sources, tests, tooling and bundled-away packages: none may ship. */
const FORBIDDEN: { what: string; test: (f: string) => boolean }[] = [
  {
    what: 'source or test folder',
    test: (f) => /^(src|test|tools|webview|bench|docs|\.ci|\.github|out-test|test-results)\//.test(f),
  },
  { what: 'TypeScript source', test: (f) => f.endsWith('.ts') },
  { what: 'source map', test: (f) => f.endsWith('.map') },
  {
    what: 'bundled package (transformers.js, sharp)',
    test: (f) => /^node_modules\/(@huggingface|sharp|@img|onnxruntime-web)\//.test(f),
  },
  { what: 'install-only dependency', test: (f) => /^node_modules\/(adm-zip|global-agent)\//.test(f) },
  { what: 'packed VSIX', test: (f) => f.endsWith('.vsix') },
];

/**
 * Problems with one target's file list (paths relative to the extension folder): missing native or
 * required files, another platform's binaries, anything forbidden. Empty when the VSIX is right.
 */
export function vsixProblems(tool: PackageTool, target: string, files: readonly string[]): string[] {
  const dir = tool.TARGETS[target];
  if (dir === undefined) return [`unknown target ${target}`];
  const own = `${tool.ORT_BIN}/${dir}/`;
  // vsce renames these two in the zip.
  const renamed: Record<string, string> = { 'LICENSE.txt': 'LICENSE', 'changelog.md': 'CHANGELOG.md' };
  const have = new Set(files.map((f) => renamed[f] ?? f));
  const problems: string[] = [];
  for (const f of REQUIRED) if (!have.has(f)) problems.push(`missing ${f}`);
  for (const f of NATIVE[dir.split('/')[0] ?? ''] ?? ['(no native list for this OS)'])
    if (!have.has(own + f)) problems.push(`missing native ${own}${f}`);
  for (const f of files) {
    if (f.startsWith(`${tool.ORT_BIN}/`) && !f.startsWith(own)) problems.push(`other platform's binary ${f}`);
    for (const rule of FORBIDDEN) if (rule.test(f)) problems.push(`${rule.what}: ${f}`);
  }
  return problems;
}
