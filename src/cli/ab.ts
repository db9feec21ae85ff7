/** `persona-lens ab FILE --system-a P --system-b P`: one conversation under two system prompts. */
import { parseArgs } from 'node:util';
import type { GateFailure } from '../core/gate';
import { firstWords, formatValue } from '../core/report/format';
import { calibrationSummary } from '../core/report/reading';
import { renderCsv, renderTable } from '../core/report/table';
import type { ConversationScores } from '../core/scores';
import type { Conversation } from '../core/transcript';
import { openSession } from '../engine/session';
import { compareRuns, DEFAULT_PART_THRESHOLD, withSystemPrompt, type AbComparison } from '../core/abCompare';
import { joinNegativeNumbers } from './args';
import { createClient, loadProgress } from './context';
import { ENGINE_OPTIONS, ENGINE_USAGE, integerOption, maxFileBytes, numberOption, sessionOptions } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { GATE_OPTIONS, gateExitCode, gateFailures, gateOptions, gateUsage } from './gates';
import { AB_PROBES_USAGE, runAbProbes } from './abProbes';
import { PROBE_OPTIONS } from './probeOptions';
import { Progress } from './progress';
import { PROMPT_OPTION_NOTE, readSystemPrompt } from './promptInput';
import { scoreNamed } from './scoring';
import { conversationName, readTranscripts } from './transcripts';
import { hasAssistantTurn } from '../core/transcript';

export const AB_USAGE = `Usage: persona-lens ab FILE --system-a PROMPT --system-b PROMPT [options]
       persona-lens ab --probes quick|full --system-a PROMPT --system-b PROMPT [options]

Scores every conversation of FILE twice, with its system prompt replaced by A and by B, and prints
each assistant turn's value under A and B and the difference B − A. The trajectories part at the
first assistant turn where |B − A| exceeds --part-threshold. Turn numbers are as "score" shows them.

${PROMPT_OPTION_NOTE}

Options:
  --system-a P       the reference prompt (e.g. the current one): its text or @FILE[#N] (required)
  --system-b P       the candidate prompt: its text or @FILE[#N] (required)
  --system-a-file F  read prompt A from file F[#N] (instead of --system-a)
  --system-b-file F  read prompt B from file F[#N] (instead of --system-b)
  --part-threshold D |B − A| in axis units above which the trajectories part (default ${DEFAULT_PART_THRESHOLD})
  --format F         table (default), json or csv
${gateUsage('an assistant turn under prompt B')}
  --max-tokens N     score at most N tokens per conversation (whole turns; default: the model's context)

${AB_PROBES_USAGE}

${ENGINE_USAGE}`;

interface AbResult {
  readonly file: string;
  readonly index: number;
  readonly count: number;
  readonly conversation: Conversation;
  readonly a: ConversationScores;
  readonly b: ConversationScores;
  readonly comparison: AbComparison;
  readonly failures: GateFailure[];
}

/** Runs the ab command; resolves with the exit code. */
export async function runAb(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    options: {
      ...ENGINE_OPTIONS,
      'system-a': { type: 'string' },
      'system-b': { type: 'string' },
      'system-a-file': { type: 'string' },
      'system-b-file': { type: 'string' },
      'part-threshold': { type: 'string' },
      ...GATE_OPTIONS,
      format: { type: 'string', default: 'table' },
      'max-tokens': { type: 'string' },
      probes: { type: 'string' },
      ...PROBE_OPTIONS,
      'fail-regression': { type: 'string' },
    },
  });
  if (values.probes !== undefined) {
    if (positionals.length > 0) throw new UsageError(`ab --probes takes no transcript file (got ${positionals.join(' ')})\n\n${AB_USAGE}`);
    const threshold = numberOption('part-threshold', values['part-threshold']) ?? DEFAULT_PART_THRESHOLD;
    if (threshold < 0) throw new UsageError(`--part-threshold must not be negative, got ${threshold}`);
    return runAbProbes(values, sessionOptions(values, integerOption('max-tokens', values['max-tokens'], 1)), threshold, AB_USAGE, signal);
  }
  for (const probeOnly of ['fail-regression', 'seed', 'reply-tokens'] as const) {
    if (values[probeOnly] !== undefined) throw new UsageError(`--${probeOnly} needs --probes (the probe mode runs prompts A and B on the probe set)`);
  }
  if (values['no-cache']) throw new UsageError('--no-cache needs --probes (only probe results are cached)');
  if (positionals.length !== 1)
    throw new UsageError(`ab takes one transcript file, got ${positionals.length}\n\n${AB_USAGE}`);
  const format = values.format;
  if (format !== 'table' && format !== 'json' && format !== 'csv')
    throw new UsageError(`--format must be table, json or csv, not "${format}"`);
  const maxBytes = maxFileBytes(values);
  const promptA = await readSystemPrompt('system-a', values['system-a'], values['system-a-file'], AB_USAGE, maxBytes);
  const promptB = await readSystemPrompt('system-b', values['system-b'], values['system-b-file'], AB_USAGE, maxBytes);
  const threshold = numberOption('part-threshold', values['part-threshold']) ?? DEFAULT_PART_THRESHOLD;
  if (threshold < 0) throw new UsageError(`--part-threshold must not be negative, got ${threshold}`);
  const gate = gateOptions(values);
  const options = sessionOptions(values, integerOption('max-tokens', values['max-tokens'], 1));
  const file = positionals[0] as string;
  const { inputs, errors } = await readTranscripts([file], maxBytes);
  const input = inputs[0];
  if (!input || errors > 0) return ExitCode.badInput;

  const progress = new Progress(values.quiet);
  const client = createClient(values.verbose);
  const results: AbResult[] = [];
  try {
    progress.update(`loading model ${values.model}`);
    const session = await openSession(client, options, loadProgress(progress), signal);
    const count = input.conversations.length;
    for (const [index, conversation] of input.conversations.entries()) {
      if (!hasAssistantTurn(conversation)) continue;
      const name = conversationName(file, index, count);
      progress.update(`scoring ${name} under prompt A`, index / count);
      const a = await scoreNamed(client, session, withSystemPrompt(conversation, promptA.text), `${name} under prompt A`, signal);
      progress.update(`scoring ${name} under prompt B`, (index + 0.5) / count);
      const b = await scoreNamed(client, session, withSystemPrompt(conversation, promptB.text), `${name} under prompt B`, signal);
      for (const [label, s] of [
        ['A', a],
        ['B', b],
      ] as const) {
        if (!s.truncated) continue;
        progress.clear();
        process.stderr.write(
          `${name}: warning: under prompt ${label} only turns 0-${s.truncated.firstTurnLeftOut - 1} fit in ${s.truncated.tokenLimit} tokens\n`,
        );
      }
      results.push({
        file,
        index,
        count,
        conversation,
        a,
        b,
        comparison: compareRuns(a, b, threshold),
        failures: gateFailures(b, gate),
      });
    }
  } finally {
    progress.done();
    await client.dispose();
  }

  process.stdout.write(render(results, format, promptA, promptB));
  const gated = results.map((r) => ({ name: `${conversationName(r.file, r.index, r.count)} under prompt B`, scores: r.b, failures: r.failures }));
  return gateExitCode(gated, ExitCode.ok);
}

type Prompt = { readonly text: string; readonly source: string };

/** How a prompt is named in the table: its file, or its first words. */
function promptLabel(p: Prompt): string {
  return p.source === 'text'
    ? JSON.stringify(firstWords(p.text, 50))
    : `${p.source} (${JSON.stringify(firstWords(p.text, 40))})`;
}

function render(
  results: readonly AbResult[],
  format: 'table' | 'json' | 'csv',
  promptA: Prompt,
  promptB: Prompt,
): string {
  if (format === 'json') {
    return `${JSON.stringify(
      results.map((r) => ({
        file: r.file,
        conversation: r.index,
        model: r.a.model,
        axis: r.a.axis,
        monitorLayer: r.a.monitorLayer,
        tau: r.a.tau,
        calibration: r.a.calibration,
        systemA: promptA,
        systemB: promptB,
        partThreshold: r.comparison.threshold,
        partsAt: r.comparison.partsAt?.turn ?? null,
        turns: r.comparison.turns,
        gateFailures: r.failures,
      })),
      null,
      2,
    )}\n`;
  }
  if (format === 'csv') {
    const rows = results.flatMap((r) =>
      r.comparison.turns.map((t) => [
        r.file,
        r.index,
        t.turn,
        t.role,
        t.a,
        t.b,
        t.difference,
        t.readingA,
        t.readingB,
        r.comparison.partsAt?.turn === t.turn,
      ]),
    );
    return renderCsv(
      [
        'file',
        'conversation',
        'turn',
        'role',
        'value_a',
        'value_b',
        'difference',
        'reading_a',
        'reading_b',
        'parts_here',
      ],
      rows,
    );
  }
  return results
    .map((r) => {
      const c = r.comparison;
      const head =
        `${conversationName(r.file, r.index, r.count)} — model ${r.a.model}, layer ${r.a.monitorLayer}\n${calibrationSummary(r.a)}\n` +
        `A: ${promptLabel(promptA)}\nB: ${promptLabel(promptB)}`;
      const rows = c.turns.filter((t) => t.role === 'assistant');
      const table = renderTable(rows, [
        { header: 'turn', cell: (t) => String(t.turn), align: 'right' },
        { header: 'first words', cell: (t) => firstWords(r.conversation.turns[t.turn]?.text ?? '', 40) },
        { header: 'A', cell: (t) => formatValue(t.a), align: 'right' },
        { header: 'zone A', cell: (t) => t.readingA },
        { header: 'B', cell: (t) => formatValue(t.b), align: 'right' },
        { header: 'zone B', cell: (t) => t.readingB },
        { header: 'B−A', cell: (t) => formatValue(t.difference), align: 'right' },
        { header: '', cell: (t) => (c.partsAt?.turn === t.turn ? '◆ parts here' : '') },
      ]);
      const verdict = c.partsAt
        ? `trajectories part at turn ${c.partsAt.turn}: |B − A| = ${Math.abs(c.partsAt.difference).toFixed(2)} > ${c.threshold}`
        : `trajectories do not part (|B − A| ≤ ${c.threshold}${c.largest ? `; largest ${Math.abs(c.largest.difference).toFixed(2)} at turn ${c.largest.turn}` : ''})`;
      return `${head}\n${table}\n${verdict}\n`;
    })
    .join('\n');
}
