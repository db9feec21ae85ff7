/** `persona-lens axis compute`: computes and validates an Assistant Axis for a model. */
import { parseArgs } from 'node:util';
import { AXIS_MAX_TOKENS, AXIS_SAMPLING } from '../core/axis/axisPlan';
import { assessAxis, describeAssessment } from '../core/axis/verdict';
import { computeAndStoreAxis } from '../engine/axisCompute';
import { createClient, defaultCacheDir, loadProgress, PACKAGE_ROOT } from './context';
import { hubEndpoint, modelOptions, optionalThreads, THREADS_USAGE, threadsOption } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { Progress } from './progress';

export const AXIS_USAGE = `Usage: persona-lens axis compute --model M [options]

Computes the Assistant Axis of a model with the model itself: it answers the persona battery's
questions under default-Assistant and role system prompts, and the axis is the difference of
the mean activations. Interrupted runs resume from their checkpoint.

Options:
  --model M          demo, a Hugging Face model id, or a model folder (required)
  --quick            the small battery subset (12 roles x 10 questions plus validation)
  --roles A,B,...    only these battery roles (e.g. the personas a small model knows)
  --out FILE         where to write the axis (default: the cache, where scoring finds it);
                     its report and plot go beside it as FILE.md and FILE.svg (FILE without
                     .json or .axis.json), and existing ones are not overwritten without --force
  --force            overwrite an existing report and plot beside --out
  --allow-weak       exit 0 even when the axis's verdict is unusable (exit 4 otherwise; the
                     axis and its report are written either way; verdicts: docs/axis-file.md)
  --max-tokens N     tokens generated per reply (default ${AXIS_MAX_TOKENS})
  --temperature T    sampling temperature of the replies (default 0.7; 0 = greedy)
  --top-p P          nucleus sampling mass (default 0.9; the reference pipeline's settings)
  --seed S           sampling seed, recorded with the axis (default 0)
  --dtype D          fp32, fp16, q8, ... (default: auto)
  --cache-dir DIR    downloads, graphs, axes and checkpoints (default: ~/.cache/persona-lens)
  --offline          never contact a model hub (HF_ENDPOINT sets the hub, default https://huggingface.co)
  --download-timeout S  give up a download after S seconds without data (default 30)
${THREADS_USAGE}
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
      roles: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      'allow-weak': { type: 'boolean', default: false },
      'max-tokens': { type: 'string', default: String(AXIS_MAX_TOKENS) },
      temperature: { type: 'string', default: String(AXIS_SAMPLING.temperature) },
      'top-p': { type: 'string', default: String(AXIS_SAMPLING.topP) },
      seed: { type: 'string', default: '0' },
      dtype: { type: 'string', default: 'auto' },
      'cache-dir': { type: 'string' },
      offline: { type: 'boolean', default: false },
      'download-timeout': { type: 'string' },
      threads: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (values.model === undefined) throw new UsageError(`--model is required\n\n${AXIS_USAGE}`);
  const { model, dtype, stallTimeoutMs } = modelOptions({ model: values.model, dtype: values.dtype, 'download-timeout': values['download-timeout'] });
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out is empty');
  const remoteHost = hubEndpoint();
  const maxTokens = Number(values['max-tokens']);
  const seed = Number(values.seed);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError('--max-tokens needs a positive whole number');
  if (!Number.isInteger(seed)) throw new UsageError('--seed needs a whole number');
  const temperature = Number(values.temperature);
  const topP = Number(values['top-p']);
  if (!Number.isFinite(temperature) || temperature < 0) throw new UsageError('--temperature needs a number >= 0');
  if (!Number.isFinite(topP) || topP <= 0 || topP > 1) throw new UsageError('--top-p needs a number in (0, 1]');
  const progress = new Progress(values.quiet);
  const client = createClient(false);
  try {
    const stored = await computeAndStoreAxis(
      client,
      {
        packageRoot: PACKAGE_ROOT,
        cacheDir: values['cache-dir'] ?? defaultCacheDir(),
        model,
        dtype,
        offline: values.offline,
        download: { stallTimeoutMs, ...(remoteHost ? { remoteHost } : {}) },
        ...optionalThreads(threadsOption(values.threads)),
        subset: values.quick ? 'quick' : 'full',
        ...(values.roles ? { roles: values.roles.split(',').map((r) => r.trim()).filter(Boolean) } : {}),
        maxTokens,
        sampling: { temperature, topP },
        seed,
        ...(values.out !== undefined ? { out: values.out, force: values.force } : {}),
        onLoadProgress: loadProgress(progress),
        onProgress: (p) => {
          const eta = p.etaMs === null ? '' : `, about ${Math.ceil(p.etaMs / 1000)} s left`;
          const phase = p.phase === 'generate' ? 'answering' : p.phase === 'floors' ? 'floors' : 'done';
          progress.update(`${phase} ${p.done}/${p.total}${eta} (${p.detail})`, p.total ? p.done / p.total : null);
        },
      },
      signal,
    );
    progress.done();
    const { axis, kept, runs, timings, readFromDecode, generated } = stored.result;
    const monitor = axis.layers[axis.monitorLayer];
    const assessment = assessAxis(axis);
    process.stdout.write(
      `axis written to ${stored.path} (report ${stored.reportPath})\n` +
        `${kept} of ${runs} replies kept; monitor layer ${axis.monitorLayer}, capping ${axis.cappingLayers.join(',')}; ` +
        `held-out AUC ${monitor?.auc?.toFixed(3) ?? 'n/a'}, |cos PC1| ${monitor?.pc1Cosine?.toFixed(3) ?? 'n/a'} at the monitor layer; ${((timings.wall ?? 0) / 1000).toFixed(1)} s wall time` +
        `${generated > 0 ? ` (${readFromDecode} of ${generated} new replies read from their decode pass)` : ''}\n` +
        `verdict: ${describeAssessment(assessment)}\n`,
    );
    if (assessment.verdict === 'unusable' && !values['allow-weak']) {
      process.stderr.write('persona-lens: the axis is unusable (see its report); readings with it would mislead. --allow-weak accepts it (exit 0).\n');
      return ExitCode.axisUnusable;
    }
    return ExitCode.ok;
  } finally {
    progress.done();
    await client.dispose();
  }
}
