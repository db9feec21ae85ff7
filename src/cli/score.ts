/** `persona-lens score FILE...`: per-turn Assistant-Axis values for every conversation in every file. */
import { parseArgs } from 'node:util';
import type { GateFailure } from '../core/gate';
import { formatDelta, formatValue, firstWords, printable } from '../core/report/format';
import { calibrationSummary, readingLabel } from '../core/report/reading';
import { scoresCsv, scoresJson } from '../core/report/scoreExport';
import { renderTable } from '../core/report/table';
import { conversationRecord, problemLine, problemRecord, type ProblemRecord } from '../core/corpus/record';
import { joinNegativeNumbers } from './args';
import { CORPUS_INPUTS_USAGE, CORPUS_OPTIONS, CORPUS_USAGE, corpusOptions, jobSessionOptions } from './corpusOptions';
import { resolveCorpus } from './corpusPaths';
import { scoreCorpus } from './corpusScoring';
import { ENGINE_OPTIONS, ENGINE_USAGE, integerOption, maxFileBytes, sessionOptions } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { GATE_OPTIONS, gateExitCode, gateFailures, gateOptions, gateUsage } from './gates';
import { Progress } from './progress';
import type { ScoredConversation } from './scoring';
import { conversationName, readTranscripts } from './transcripts';

export const SCORE_USAGE = `Usage: persona-lens score FILE... [options]

${CORPUS_INPUTS_USAGE}

Turn numbers are the turns' indices in the conversation (0 = its first message).

Each assistant turn reads in a zone: assistant (within the range of the model's own default
replies), drifting, or role (closer to typical role-play than to that range); a turn the model cannot read (out of
its domain) gets no zone. The table's header says where the zones are cut.

Options:
  --format F         table (default), json, csv, or jsonl: one JSON record per line, written as each
                     conversation is scored ({"type":"conversation",...} with the fields of json, or
                     {"type":"error"|"warning"|"info", file, conversation, line, column, message})
${CORPUS_USAGE}
${gateUsage('an assistant turn')}
  --max-tokens N     score at most N tokens per conversation (whole turns; default: the model's context)
${ENGINE_USAGE}`;

interface GatedConversation extends ScoredConversation {
  readonly failures: GateFailure[];
}

/** Runs the score command; resolves with the exit code. */
export async function runScore(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    options: {
      ...ENGINE_OPTIONS,
      ...GATE_OPTIONS,
      ...CORPUS_OPTIONS,
      format: { type: 'string', default: 'table' },
      'max-tokens': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`no transcript file given\n\n${SCORE_USAGE}`);
  const format = values.format;
  if (format !== 'table' && format !== 'json' && format !== 'csv' && format !== 'jsonl')
    throw new UsageError(`--format must be table, json, csv or jsonl, not "${format}"`);
  const gate = gateOptions(values);
  const { jobs, shard } = corpusOptions(values);
  const options = jobSessionOptions(sessionOptions(values, integerOption('max-tokens', values['max-tokens'], 1)), jobs);
  const files = resolveCorpus(positionals, shard);
  if (files.length === 0) {
    // More shards than files: this shard has nothing to do, which is not a failure of the matrix.
    if (!values.quiet) process.stderr.write(`persona-lens: shard ${values.shard} of ${positionals.length} input(s) holds no file\n`);
    return ExitCode.ok;
  }

  // Parse every file first: bad input is reported before a model is loaded.
  const problems: ProblemRecord[] = [];
  const { inputs, errors: inputErrors } = await readTranscripts(files, maxFileBytes(values), problems);
  if (format === 'jsonl') for (const p of problems) process.stdout.write(problemRecord(p));
  if (inputs.length === 0) return ExitCode.badInput;

  const progress = new Progress(values.quiet);
  const results: GatedConversation[] = [];
  let failed = 0;
  try {
    await scoreCorpus({
      inputs,
      jobs,
      options,
      verbose: values.verbose,
      progress,
      signal,
      onOutcome: (o) => {
        if (!o.ok) {
          failed++;
          progress.clear();
          process.stderr.write(`${printable(problemLine(o.problem, o.count > 1))}\n`);
          if (format === 'jsonl') process.stdout.write(problemRecord(o.problem));
          return;
        }
        const r = { ...o.result, failures: gateFailures(o.result.scores, gate) };
        results.push(r);
        if (format === 'jsonl') process.stdout.write(conversationRecord(r.file, r.index, r.scores, r.failures));
      },
    });
  } finally {
    progress.done();
  }

  if (format !== 'jsonl') process.stdout.write(render(results, format));
  if (results.length === 0) return ExitCode.badInput;
  const gated = results.map((r) => ({ name: conversationName(r.file, r.index, r.count), scores: r.scores, failures: r.failures }));
  return gateExitCode(gated, inputErrors + failed > 0 ? ExitCode.badInput : ExitCode.ok);
}

function render(results: readonly GatedConversation[], format: 'table' | 'json' | 'csv'): string {
  const exported = results.map((r) => ({ file: r.file, conversation: r.index, scores: r.scores, gateFailures: r.failures }));
  if (format === 'json') return scoresJson(exported);
  if (format === 'csv') return scoresCsv(exported);
  return results
    .map((r) => {
      const head = `${r.file}${results.some((x) => x.file === r.file && x.index > 0) ? ` (conversation ${r.index + 1})` : ''} — model ${r.scores.model}, layer ${r.scores.monitorLayer}\n${calibrationSummary(r.scores)}`;
      const rows = r.scores.turns.filter((t) => t.role === 'assistant');
      const unscored = r.scores.unscored.map((u) => `turn ${u.turn}: ${u.reason === 'beyond-token-limit' ? 'beyond the token limit' : 'no content tokens'}, not scored`);
      const table = renderTable(rows, [
        { header: 'turn', cell: (t) => String(t.turn), align: 'right' },
        { header: 'role', cell: (t) => t.role },
        { header: 'first words', cell: (t) => firstWords(r.conversation.turns[t.turn]?.text ?? '', 44) },
        { header: 'value', cell: (t) => formatValue(t.value), align: 'right' },
        { header: 'delta', cell: (t) => formatDelta(t.delta).replace('Δ ', ''), align: 'right' },
        { header: 'zone', cell: (t) => readingLabel(t) },
      ]);
      return `${head}\n${table}\n${unscored.map((u) => `${u}\n`).join('')}`;
    })
    .join('\n');
}
