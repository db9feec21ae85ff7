/** `persona-lens score FILE...`: per-turn Assistant-Axis values for every conversation in every file. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from '../core/formats';
import { evaluateGate, type GateFailure } from '../core/gate';
import { formatDelta, formatValue, firstWords } from '../core/report/format';
import { renderCsv, renderTable } from '../core/report/table';
import type { ConversationScores } from '../core/scores';
import { offsetToPosition } from '../core/textPosition';
import type { Conversation } from '../core/transcript';
import { parseLayerList } from '../core/layers';
import { openSession, scoreConversation } from '../worker/session';
import { createClient, defaultCacheDir, loadProgress, PACKAGE_ROOT } from './context';
import { joinNegativeNumbers } from './args';
import { ExitCode, UsageError } from './exitCodes';
import { Progress } from './progress';

export const SCORE_USAGE = `Usage: persona-lens score FILE... [options]

Options:
  --model M          demo (default), a Hugging Face model id, or a model folder
  --axis A           axis file (default: the axis stored for the model)
  --layer L          monitor layer (default: the axis's recommended layer)
  --dtype D          fp32, fp16, q8, q4, ... (default: auto)
  --format F         table (default), json or csv
  --fail-below X     exit 1 when an assistant turn's value is below X
  --fail-drop D      exit 1 when an assistant turn falls more than D below the first assistant turn
  --percentile P     floor percentile (default: the axis's, 25)
  --cap-layers L     capping band, e.g. 2-3 (default: the axis's)
  --max-tokens N     score at most N tokens per conversation (whole turns; default: the model's context)
  --cache-dir DIR    downloads, graphs and axes (default: ~/.cache/persona-lens)
  --offline          never contact a model hub
  --quiet            no progress on stderr
  --verbose          worker log lines on stderr`;

interface ScoredConversation {
  readonly file: string;
  readonly index: number;
  readonly conversation: Conversation;
  readonly scores: ConversationScores;
  readonly failures: GateFailure[];
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got "${value}"`);
  return n;
}

/** Runs the score command; resolves with the exit code. */
export async function runScore(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    options: {
      model: { type: 'string', default: 'demo' },
      axis: { type: 'string' },
      layer: { type: 'string' },
      dtype: { type: 'string', default: 'auto' },
      format: { type: 'string', default: 'table' },
      'fail-below': { type: 'string' },
      'fail-drop': { type: 'string' },
      percentile: { type: 'string' },
      'cap-layers': { type: 'string' },
      'cache-dir': { type: 'string' },
      'max-tokens': { type: 'string' },
      offline: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError(`no transcript file given\n\n${SCORE_USAGE}`);
  const format = values.format;
  if (format !== 'table' && format !== 'json' && format !== 'csv') throw new UsageError(`--format must be table, json or csv, not "${format}"`);
  const gate = { failBelow: numberOption('fail-below', values['fail-below']), failDrop: numberOption('fail-drop', values['fail-drop']) };
  const layer = numberOption('layer', values.layer);
  const percentile = numberOption('percentile', values.percentile);
  let capLayers: number[] | undefined;
  try {
    capLayers = values['cap-layers'] ? parseLayerList(values['cap-layers']) : undefined;
  } catch (e) {
    throw new UsageError(`--cap-layers: ${(e as Error).message}`);
  }

  // Parse every file first: bad input is reported before a model is loaded.
  const inputs: { file: string; conversations: readonly Conversation[] }[] = [];
  let inputErrors = 0;
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      inputErrors++;
      continue;
    }
    const parsed = parse(text, file);
    for (const d of parsed.diagnostics) {
      const p = offsetToPosition(text, d.range.start);
      process.stderr.write(`${file}:${p.line + 1}:${p.column + 1}: ${d.severity}: ${d.message}\n`);
      if (d.severity === 'error') inputErrors++;
    }
    const usable = parsed.conversations.filter((c) => c.turns.some((t) => t.role === 'assistant'));
    if (usable.length === 0) {
      process.stderr.write(`${file}: no conversation with an assistant turn found (format: ${parsed.format})\n`);
      inputErrors++;
      continue;
    }
    inputs.push({ file, conversations: parsed.conversations });
  }
  if (inputs.length === 0) return ExitCode.badInput;

  const progress = new Progress(values.quiet);
  const client = createClient(values.verbose);
  const results: ScoredConversation[] = [];
  try {
    progress.update(`loading model ${values.model}`);
    const session = await openSession(
      client,
      {
        packageRoot: PACKAGE_ROOT,
        cacheDir: values['cache-dir'] ?? defaultCacheDir(),
        model: values.model,
        dtype: values.dtype,
        ...(values.axis ? { axisFile: values.axis } : {}),
        offline: values.offline,
        ...(values['max-tokens'] ? { maxTokensPerConversation: numberOption('max-tokens', values['max-tokens']) } : {}),
        choices: { ...(layer !== undefined ? { monitorLayer: layer } : {}), ...(percentile !== undefined ? { percentile } : {}), ...(capLayers ? { capLayers } : {}) },
      },
      loadProgress(progress),
      signal,
    );
    const total = inputs.reduce((n, i) => n + i.conversations.length, 0);
    let done = 0;
    for (const { file, conversations } of inputs) {
      for (const [index, conversation] of conversations.entries()) {
        progress.update(`scoring ${file}${conversations.length > 1 ? ` #${index + 1}` : ''}`, done / total);
        if (conversation.turns.some((t) => t.role === 'assistant')) {
          const scores = await scoreConversation(client, session, conversation, signal);
          if (scores.truncated) {
            const t = scores.truncated;
            process.stderr.write(
              `${file}${conversations.length > 1 ? ` #${index + 1}` : ''}: warning: scored turns 0-${t.firstTurnLeftOut - 1} only; the conversation is ${t.fullTokens} tokens and the limit is ${t.tokenLimit}\n`,
            );
          }
          results.push({ file, index, conversation, scores, failures: evaluateGate(scores.turns, gate) });
        }
        done++;
      }
    }
  } finally {
    progress.done();
    await client.dispose();
  }

  process.stdout.write(render(results, format));
  const failed = results.filter((r) => r.failures.length > 0);
  for (const r of failed) for (const f of r.failures) process.stderr.write(`gate failed: ${r.file}${r.index > 0 ? ` #${r.index + 1}` : ''}: ${f.message}\n`);
  if (failed.length > 0) return ExitCode.gateFailed;
  return inputErrors > 0 ? ExitCode.badInput : ExitCode.ok;
}

function render(results: readonly ScoredConversation[], format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') {
    return (
      JSON.stringify(
        results.map((r) => ({
          file: r.file,
          conversation: r.index,
          model: r.scores.model,
          axis: r.scores.axis,
          monitorLayer: r.scores.monitorLayer,
          tau: r.scores.tau,
          // Per-token values stay out: they would dwarf the per-turn numbers CI gates read.
          turns: r.scores.turns.map(({ tokens: _tokens, ...t }) => ({ ...t, layerValues: [...t.layerValues] })),
          gateFailures: r.failures,
        })),
        null,
        2,
      ) + '\n'
    );
  }
  if (format === 'csv') {
    const rows = results.flatMap((r) =>
      r.scores.turns.map((t) => [r.file, r.index, t.turn, t.role, t.value, t.delta, t.belowFloor, t.tokenCount, r.scores.monitorLayer, r.scores.tau]),
    );
    return renderCsv(['file', 'conversation', 'turn', 'role', 'value', 'delta', 'below_floor', 'tokens', 'layer', 'tau'], rows);
  }
  return results
    .map((r) => {
      const head = `${r.file}${results.some((x) => x.file === r.file && x.index > 0) ? ` (conversation ${r.index + 1})` : ''} — model ${r.scores.model}, layer ${r.scores.monitorLayer}, floor τ ${r.scores.tau === null ? 'n/a' : formatValue(r.scores.tau)}`;
      const rows = r.scores.turns.filter((t) => t.role === 'assistant');
      const table = renderTable(rows, [
        { header: 'turn', cell: (t) => String(t.turn), align: 'right' },
        { header: 'role', cell: (t) => t.role },
        { header: 'first words', cell: (t) => firstWords(r.conversation.turns[t.turn]?.text ?? '', 44) },
        { header: 'value', cell: (t) => formatValue(t.value), align: 'right' },
        { header: 'delta', cell: (t) => formatDelta(t.delta).replace('Δ ', ''), align: 'right' },
        { header: '', cell: (t) => (t.belowFloor ? '▼ below floor' : '') },
      ]);
      return `${head}\n${table}\n`;
    })
    .join('\n');
}
