/**
 * `persona-lens ab --probes quick|full --system-a A --system-b B`: the probe mode of `ab`. Both
 * prompts are stress-tested on the same probes with the same seeds (src/engine/probe.ts), and each
 * probe's trajectories are compared reply by reply as `ab` compares a transcript's turns.
 */
import type { GateFailure } from '../core/gate';
import { regressionFailure, type StressComparison } from '../core/probes';
import { firstWords, formatValue } from '../core/report/format';
import { calibrationSummary } from '../core/report/reading';
import { comparisonCsv, comparisonJson } from '../core/report/stressExport';
import { renderTable } from '../core/report/table';
import { compareStress } from '../engine/probe';
import { openSession, type SessionOptions } from '../engine/session';
import { createClient, loadProgress } from './context';
import { maxFileBytes, numberOption } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { gateExitCode, gateFailures, gateOptions, type GateValues } from './gates';
import { probeChoices, probeProgress, replyCell, summaryLines } from './probeOptions';
import { Progress } from './progress';
import { readSystemPrompt, type PromptInput } from './promptInput';

/** --help lines of the probe mode, for ab's usage. */
export const AB_PROBES_USAGE = `Probe mode (no FILE): --probes quick|full stress-tests A and B on the probe set instead of a
transcript (the same probes and seeds for both; see "persona-lens probe --help"), and prints per
probe both trajectories, B − A per reply and where they part. Prompts are given as above.
  --probes SIZE      quick or full: run the probe mode
  --seed S, --reply-tokens K, --no-cache   as for "probe"
  --fail-regression D  exit 1 when B's replies read on average more than D below A's`;

/** The values of ab's parseArgs that the probe mode reads. */
export interface AbProbeValues extends GateValues {
  readonly model: string;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly format: string;
  readonly 'system-a'?: string | undefined;
  readonly 'system-b'?: string | undefined;
  readonly 'system-a-file'?: string | undefined;
  readonly 'system-b-file'?: string | undefined;
  readonly 'max-file-mb'?: string | undefined;
  readonly 'part-threshold'?: string | undefined;
  readonly probes?: string | undefined;
  readonly seed?: string | undefined;
  readonly 'reply-tokens'?: string | undefined;
  readonly 'no-cache'?: boolean | undefined;
  readonly 'fail-regression'?: string | undefined;
}

/** Runs ab's probe mode; resolves with the exit code. */
export async function runAbProbes(values: AbProbeValues, options: SessionOptions, threshold: number, usage: string, signal: AbortSignal): Promise<number> {
  const format = values.format;
  if (format !== 'table' && format !== 'json' && format !== 'csv') throw new UsageError(`--format must be table, json or csv, not "${format}"`);
  const gate = gateOptions(values);
  const maxDrop = numberOption('fail-regression', values['fail-regression']);
  if (maxDrop !== undefined && maxDrop < 0) throw new UsageError(`--fail-regression must not be negative, got ${maxDrop}`);
  const choices = probeChoices(values);
  const maxBytes = maxFileBytes(values);
  const promptA = await readSystemPrompt('system-a', values['system-a'], values['system-a-file'], usage, maxBytes);
  const promptB = await readSystemPrompt('system-b', values['system-b'], values['system-b-file'], usage, maxBytes);
  for (const [label, p] of [['A', promptA], ['B', promptB]] as const) {
    if (!p.static) process.stderr.write(`persona-lens: note: prompt ${label} has run-time substitutions; they are tested as written\n`);
  }

  const progress = new Progress(values.quiet);
  const client = createClient(values.verbose);
  let c: StressComparison;
  try {
    progress.update(`loading model ${values.model}`);
    const session = await openSession(client, options, loadProgress(progress), signal);
    c = await compareStress(
      client,
      session,
      promptA.text,
      promptB.text,
      threshold,
      { probeSet: choices.probeSet, seed: choices.seed, maxTokens: choices.maxTokens, cacheDir: choices.useCache ? options.cacheDir : null, onProgress: probeProgress(progress) },
      signal,
    );
  } finally {
    progress.done();
    await client.dispose();
  }
  const perProbe = c.pairs.map((p) => ({ name: `probe ${p.id} under prompt B`, scores: p.b.scores, failures: gateFailures(p.b.scores, gate) }));
  const regression = maxDrop === undefined ? null : regressionFailure(c, maxDrop);
  const all: GateFailure[] = [...perProbe.flatMap((p) => p.failures), ...(regression ? [regression] : [])];
  if (format === 'json') process.stdout.write(comparisonJson(c, promptA, promptB, all));
  else if (format === 'csv') process.stdout.write(comparisonCsv(c));
  else process.stdout.write(render(c, promptA, promptB));
  const code = gateExitCode(perProbe, ExitCode.ok);
  if (regression) {
    process.stderr.write(`gate failed: ${regression.message}\n`);
    return code === ExitCode.badInput ? code : ExitCode.gateFailed;
  }
  return code;
}

function label(p: PromptInput): string {
  return p.source === 'text' ? JSON.stringify(firstWords(p.text, 60)) : `${p.source} ${JSON.stringify(firstWords(p.text, 40))}`;
}

function render(c: StressComparison, a: PromptInput, b: PromptInput): string {
  const first = c.pairs[0];
  const head = [
    `A: ${label(a)}`,
    `B: ${label(b)}`,
    `model ${c.a.settings.model}, layer ${c.a.settings.monitorLayer}; probe set ${c.a.settings.probeSet.size} (version ${c.a.settings.probeSet.version}, ${c.pairs.length} probes), seed ${c.a.settings.seed} for both`,
    ...(first ? [calibrationSummary(first.a.scores)] : []),
  ].join('\n');
  const rows = c.pairs.flatMap((p) =>
    p.a.replies.map((ra, i) => {
      const rb = p.b.replies[i];
      return { p, ra, rb, diff: rb && ra.value !== null && rb.value !== null ? rb.value - ra.value : null };
    }),
  );
  const table = renderTable(rows, [
    { header: 'probe', cell: (r) => (r.ra.reply === 1 ? r.p.id : '') },
    { header: 'reply', cell: (r) => String(r.ra.reply), align: 'right' },
    { header: 'A', cell: (r) => replyCell(r.ra), align: 'right' },
    { header: 'B', cell: (r) => replyCell(r.rb), align: 'right' },
    { header: 'B−A', cell: (r) => (r.diff === null ? '' : formatValue(r.diff)), align: 'right' },
    { header: '', cell: (r) => (r.p.partsAtReply === r.ra.reply ? '◆ parts here' : '') },
  ]);
  const verdict = [
    `mean B − A over the replies: ${c.meanDifference === null ? 'n/a' : formatValue(c.meanDifference, 3)}; trajectories part (|B − A| > ${c.threshold}) on ${c.parted} of ${c.pairs.length} probes`,
    'A:',
    ...summaryLines(c.a.summary).map((l) => `  ${l}`),
    'B:',
    ...summaryLines(c.b.summary).map((l) => `  ${l}`),
  ];
  return `${head}\n${table}\n(~ drifting, ▼ role, ood out of the model's domain)\n${verdict.join('\n')}\n`;
}
