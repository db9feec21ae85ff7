// The host bundles (extension, CLI) carry no worker-thread code: the model runtime and the ONNX protobuf
// reader live only in out/worker.js. The lint rule keeps src/extension, src/cli and src/engine from
// importing src/worker; this checks what esbuild actually pulls in, which also catches a shared module
// that starts importing worker-only packages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const WORKER_ONLY = [/node_modules\/onnx-proto\//, /node_modules\/@huggingface\/transformers\//, /(^|\/)src\/worker\//];

async function bundledInputs(entry: string): Promise<string[]> {
  const { nodeBundle } = (await import(pathToFileURL(join(process.cwd(), 'esbuild.mjs')).href)) as { nodeBundle: esbuild.BuildOptions };
  const result = await esbuild.build({
    ...nodeBundle,
    entryPoints: [entry],
    write: false,
    metafile: true,
    outdir: 'out-test/host-bundle-check',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

for (const entry of ['src/extension/extension.ts', 'src/cli/main.ts']) {
  test(`${entry} bundles no worker-thread code`, async () => {
    const inputs = await bundledInputs(entry);
    assert.ok(inputs.some((i) => i.startsWith('src/engine/')), 'the host reaches the engine through src/engine');
    const leaks = inputs.filter((i) => WORKER_ONLY.some((re) => re.test(i)));
    assert.deepEqual(leaks, []);
  });
}

test('the check catches a leak: the worker entry itself carries them', async () => {
  const inputs = await bundledInputs('src/worker/main.ts');
  assert.ok(inputs.some((i) => /node_modules\/onnx-proto\//.test(i)));
  assert.ok(inputs.some((i) => /node_modules\/@huggingface\/transformers\//.test(i)));
});
