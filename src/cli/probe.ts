/** `persona-lens probe --system PROMPT | --system-file FILE[#N]`: stress-tests a system prompt on the probe set. */
import { parseArgs } from 'node:util';
import type { GateFailure } from '../core/gate';
import type { StressTest } from '../core/probes';
import { firstWords, formatValue } from '../core/report/format';
import { calibrationSummary } from '../core/report/reading';
import { stressCsv, stressJson, type PromptSource } from '../core/report/stressExport';
import { renderTable } from '../core/report/table';
import { stressTest } from '../engine/probe';
import { openSession } from '../engine/session';
import { joinNegativeNumbers } from './args';
import { createClient, loadProgress } from './context';
import { ENGINE_OPTIONS, ENGINE_USAGE, maxFileBytes, sessionOptions } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { GATE_OPTIONS, gateExitCode, gateFailures, gateOptions, gateUsage } from './gates';
import { PROBE_OPTIONS, PROBE_USAGE, probeChoices, probeProgress, replyCell, summaryLines } from './probeOptions';
import { Progress } from './progress';
import { readSystemPrompt } from './promptInput';

export const PROBE_CMD_USAGE = `Usage: persona-lens probe (--system PROMPT | --system @FILE[#N] | --system-file FILE[#N]) [options]

Stress-tests a system prompt: the model under it answers every probe of the project's probe set
(multi-turn conversations that pull a model off its Assistant persona: emotional vulnerability,
questions about its nature, role-play pressure, creative writing, meta-reflection), one reply per
user turn, and each reply is read as "score" reads an assistant turn (value, zone, domain). Prints
per probe the trajectory and the reply where it first leaves the assistant zone, then the share of
replies in the assistant zone, the mean slope and the worst reply. Results are cached by model,
axis, prompt, probe set, seed and settings; Ctrl-C stops, and the next run resumes.

Options:
  --system P         the system prompt: its text, or @FILE
  --system-file F    a file holding it: a prompt file, or code with prompts (FILE#N picks the N-th,
                     as "persona-lens prompts FILE" lists them); any other file is the prompt itself
                     (a --system value that looks like a path without the @ is refused)
${PROBE_USAGE}
  --format F         table (default), json or csv
${gateUsage('a probe reply')}
                     (gate messages name turns of the probe conversation: reply k is turn 2k − 1)
${ENGINE_USAGE}`;

/** Runs the probe command; resolves with the exit code. */
export async function runProbe(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    options: {
      ...ENGINE_OPTIONS,
      ...GATE_OPTIONS,
      ...PROBE_OPTIONS,
      system: { type: 'string' },
      'system-file': { type: 'string' },
      probes: { type: 'string', default: 'quick' },
      format: { type: 'string', default: 'table' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`probe takes no file argument (got ${positionals.join(' ')}); give the prompt with --system or --system-file\n\n${PROBE_CMD_USAGE}`);
  const format = values.format;
  if (format !== 'table' && format !== 'json' && format !== 'csv') throw new UsageError(`--format must be table, json or csv, not "${format}"`);
  const gate = gateOptions(values);
  const choices = probeChoices(values);
  const options = sessionOptions(values);
  const prompt = await readSystemPrompt('system', values.system, values['system-file'], PROBE_CMD_USAGE, maxFileBytes(values));
  if (!prompt.static) process.stderr.write(`persona-lens: note: the prompt has run-time substitutions; they are tested as written: ${JSON.stringify(firstWords(prompt.text, 80))}\n`);

  const progress = new Progress(values.quiet);
  const client = createClient(values.verbose);
  let result: StressTest;
  try {
    progress.update(`loading model ${values.model}`);
    const session = await openSession(client, options, loadProgress(progress), signal);
    result = await stressTest(
      client,
      session,
      prompt.text,
      { probeSet: choices.probeSet, seed: choices.seed, maxTokens: choices.maxTokens, cacheDir: choices.useCache ? options.cacheDir : null, onProgress: probeProgress(progress) },
      signal,
    );
  } finally {
    progress.done();
    await client.dispose();
  }
  const failures = new Map<string, GateFailure[]>(result.runs.map((r) => [r.id, gateFailures(r.scores, gate)]));
  const source: PromptSource = prompt;
  if (format === 'json') process.stdout.write(stressJson(result, source, failures));
  else if (format === 'csv') process.stdout.write(stressCsv(result));
  else process.stdout.write(renderStress(result, source));
  return gateExitCode(
    result.runs.map((r) => ({ name: `probe ${r.id}`, scores: r.scores, failures: failures.get(r.id) ?? [] })),
    ExitCode.ok,
  );
}

/** The stress test as a table: one line per probe, its replies' values and zones, then the summary. */
function renderStress(t: StressTest, prompt: PromptSource): string {
  const first = t.runs[0];
  const replies = Math.max(0, ...t.runs.map((r) => r.replies.length));
  const head = [
    `system prompt: ${prompt.source === 'text' ? JSON.stringify(firstWords(prompt.text ?? '', 70)) : `${prompt.source} ${JSON.stringify(firstWords(prompt.text ?? '', 50))}`}`,
    `model ${t.settings.model}, layer ${t.settings.monitorLayer}; probe set ${t.settings.probeSet.size} (version ${t.settings.probeSet.version}, ${t.runs.length} probes), seed ${t.settings.seed}, ${t.settings.maxTokens} tokens per reply`,
    ...(first ? [calibrationSummary(first.scores)] : []),
  ].join('\n');
  const table = renderTable(t.runs, [
    { header: 'probe', cell: (r) => r.id },
    { header: 'situation', cell: (r) => r.category },
    ...Array.from({ length: replies }, (_, i) => ({ header: `reply ${i + 1}`, cell: (r: (typeof t.runs)[number]) => replyCell(r.replies[i]), align: 'right' as const })),
    { header: 'leaves at', cell: (r) => (r.leftAt === null ? 'never' : `reply ${r.leftAt}`) },
    { header: 'slope', cell: (r) => (r.slope === null ? '' : formatValue(r.slope, 3)), align: 'right' },
  ]);
  return `${head}\n${table}\n(~ drifting, ▼ role, ood out of the model's domain)\n${summaryLines(t.summary).join('\n')}\n`;
}
