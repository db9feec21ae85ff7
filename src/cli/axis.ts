/** `persona-lens axis compute`: computes and validates an Assistant Axis for a model. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBattery } from '../core/battery';
import { axisReportMarkdown, axisReportSvg } from '../core/report/axisReport';
import { computeAxis, checkpointPath } from '../worker/axisCompute';
import { loadTarget, resolveModelRef } from '../worker/modelRef';
import { graphHash, resolveDtype, storedAxisPath } from '../worker/session';
import { createClient, defaultCacheDir, loadProgress, PACKAGE_ROOT } from './context';
import { ExitCode, UsageError } from './exitCodes';
import { Progress } from './progress';

export const AXIS_USAGE = `Usage: persona-lens axis compute --model M [options]

Computes the Assistant Axis of a model with the model itself: it answers the persona battery's
questions under default-Assistant and role system prompts, and the axis is the difference of
the mean activations. Interrupted runs resume from their checkpoint.

Options:
  --model M          demo, a Hugging Face model id, or a model folder (required)
  --quick            the small battery subset (12 roles x 10 questions plus validation)
  --out FILE         where to write the axis (default: the cache, where scoring finds it)
  --max-tokens N     tokens generated per reply (default 48)
  --seed S           recorded with the axis (generation is greedy)
  --dtype D          fp32, fp16, q8, ... (default: auto)
  --cache-dir DIR    downloads, graphs, axes and checkpoints (default: ~/.cache/persona-lens)
  --offline          never contact a model hub
  --quiet            no progress on stderr`;

/** Runs `axis compute`; resolves with the exit code. */
export async function runAxis(argv: string[], signal: AbortSignal): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'compute') throw new UsageError(`unknown axis command "${sub ?? ''}"\n\n${AXIS_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'max-tokens': { type: 'string', default: '48' },
      seed: { type: 'string', default: '0' },
      dtype: { type: 'string', default: 'auto' },
      'cache-dir': { type: 'string' },
      offline: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.model) throw new UsageError(`--model is required\n\n${AXIS_USAGE}`);
  const maxTokens = Number(values['max-tokens']);
  const seed = Number(values.seed);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError('--max-tokens needs a positive whole number');
  if (!Number.isInteger(seed)) throw new UsageError('--seed needs a whole number');
  const cacheDir = values['cache-dir'] ?? defaultCacheDir();
  const ref = resolveModelRef(values.model, PACKAGE_ROOT);
  const progress = new Progress(values.quiet);
  const client = createClient(false);
  try {
    let dtype = resolveDtype(values.dtype, ref.kind === 'hub' ? null : ref.dir);
    const info = await client.load(loadTarget(ref), { cacheDir, dtype, offline: values.offline, capLayers: [] }, loadProgress(progress), signal);
    dtype = resolveDtype(values.dtype, info.dir);
    const fileHash = await graphHash(info.dir, dtype, signal);
    const subset = values.quick ? 'quick' : 'full';
    const result = await computeAxis(
      client,
      info,
      {
        battery: loadBattery(),
        subset,
        maxTokens,
        seed,
        checkpointPath: checkpointPath(cacheDir, fileHash, dtype, subset),
        model: { id: ref.label, revision: null, fileHash, dtype },
        onProgress: (p) => {
          const eta = p.etaMs === null ? '' : `, about ${Math.ceil(p.etaMs / 1000)} s left`;
          progress.update(`${p.phase === 'generate' ? 'answering' : p.phase === 'floors' ? 'floors' : 'done'} ${p.done}/${p.total}${eta} (${p.detail})`, p.total ? p.done / p.total : null);
        },
      },
      signal,
    );
    progress.done();
    const out = values.out ?? storedAxisPath(cacheDir, fileHash, dtype);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result.axis, null, 1)}\n`);
    const stem = out.replace(/\.json$/, '');
    const plot = `${basename(stem)}.svg`;
    writeFileSync(join(dirname(out), plot), axisReportSvg(result.axis, result.personaMeans));
    writeFileSync(`${stem}.md`, axisReportMarkdown(result.axis, result.personaMeans, result.timings, plot));
    const monitor = result.axis.layers[result.axis.monitorLayer];
    process.stdout.write(
      `axis written to ${out} (report ${stem}.md)\n` +
        `${result.kept} of ${result.runs} replies kept; monitor layer ${result.axis.monitorLayer}, capping ${result.axis.cappingLayers.join(',')}; ` +
        `held-out AUC ${monitor?.auc?.toFixed(3) ?? 'n/a'}, |cos PC1| ${monitor?.pc1Cosine?.toFixed(3) ?? 'n/a'} at the monitor layer; ${(result.timings.total ?? 0) / 1000} s\n`,
    );
    return ExitCode.ok;
  } finally {
    progress.done();
    await client.dispose();
  }
}
