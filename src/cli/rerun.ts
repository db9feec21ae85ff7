/** `persona-lens rerun FILE --turn N`: regenerates one assistant turn without and with capping. */
import { parseArgs } from 'node:util';
import { readingLabel } from '../core/report/reading';
import { formatValue, printable } from '../core/report/format';
import { rerunProblem, type Conversation } from '../core/transcript';
import {
  RERUN_MAX_TOKENS,
  RERUN_TEMPERATURE,
  RERUN_TOP_P,
  rerunTurn,
  type GeneratedReply,
  type RerunVariant,
  type ScoredReply,
} from '../engine/rerun';
import type { Sampling } from '../protocol/messages';
import { openSession, type OpenSession } from '../engine/session';
import { parseLayerList } from '../core/layers';
import { joinNegativeNumbers } from './args';
import { runSweep, sweepGrid, SWEEP_USAGE } from './sweep';
import { createClient, loadProgress } from './context';
import { ENGINE_OPTIONS, ENGINE_USAGE, integerOption, maxFileBytes, numberOption, sessionOptions } from './engineOptions';
import { ExitCode, UsageError } from './exitCodes';
import { Progress } from './progress';
import { namedBadRequest } from './scoring';
import { readTranscripts } from './transcripts';

export const RERUN_USAGE = `Usage: persona-lens rerun FILE --turn N [options]

Regenerates assistant turn N from the conversation before it, without and with activation
capping (same decoding for both), and prints the original and the new replies with their values.
All values are measured the same way as by "score" (uncapped model, monitor layer).

Options:
  --turn N           the turn to regenerate, numbered as the "turn" column of "score" shows it
                     (its index in the conversation, 0 = first message); must be an assistant turn
  --conversation C   which conversation of a multi-conversation file (1 = first, default)
  --cap              only the capped reply (default: uncapped and capped)
  --no-cap           only the uncapped reply
  --steer A          also a reply steered along the axis: h += A units at each layer of the band
                     (one unit = the spread of the default Assistant's projections there,
                     (p84 - p16) / 2; A > 0 pushes toward the Assistant, A < 0 away from it)
  --steer-layers L   the layers to steer, comma-separated (default: the capping band; each must
                     have a capping node, i.e. be in the band the model was loaded with)
  --seed S           seeded sampling (temperature ${RERUN_TEMPERATURE}, top-p ${RERUN_TOP_P}, no top-k);
                     without it, greedy decoding
  --temperature T    sampling temperature with --seed (default ${RERUN_TEMPERATURE})
  --top-p P          nucleus sampling mass with --seed (default ${RERUN_TOP_P})
  --max-tokens K     tokens generated per reply (default ${RERUN_MAX_TOKENS})
  --format F         text (default) or json (includes per-token values)
${SWEEP_USAGE}
${ENGINE_USAGE}`;

/** The decoding options `rerun` and `continue` share (see samplingFrom). */
export const DECODING_OPTIONS = {
  seed: { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  'max-tokens': { type: 'string', default: String(RERUN_MAX_TOKENS) },
  format: { type: 'string', default: 'text' },
} as const;

/** The decoding --seed, --temperature and --top-p ask for. */
export function samplingFrom(values: {
  seed?: string | undefined;
  temperature?: string | undefined;
  'top-p'?: string | undefined;
}): Sampling {
  const seed = integerOption('seed', values.seed, Number.MIN_SAFE_INTEGER);
  const temperature = numberOption('temperature', values.temperature);
  const topP = numberOption('top-p', values['top-p']);
  if (seed === undefined) {
    if (temperature !== undefined || topP !== undefined)
      throw new UsageError('--temperature and --top-p need --seed (without it decoding is greedy)');
    return { kind: 'greedy' };
  }
  if (temperature !== undefined && temperature <= 0)
    throw new UsageError(`--temperature must be above 0, got ${temperature}`);
  if (topP !== undefined && (topP <= 0 || topP > 1))
    throw new UsageError(`--top-p must be within (0, 1], got ${topP}`);
  return {
    kind: 'sample',
    temperature: temperature ?? RERUN_TEMPERATURE,
    topK: 0,
    topP: topP ?? RERUN_TOP_P,
    seed,
  };
}

/** Checks that `turn` names an assistant turn of `c` (rerunProblem's message says which turns do). */
export function checkRerunTurn(c: Conversation, turn: number, where: string): void {
  const problem = rerunProblem(c, turn);
  if (problem === null) return;
  throw new UsageError(`${where}: ${problem}`);
}

/** Runs the rerun command; resolves with the exit code. */
export async function runRerun(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(argv),
    allowPositionals: true,
    allowNegative: true,
    options: {
      ...ENGINE_OPTIONS,
      turn: { type: 'string' },
      conversation: { type: 'string', default: '1' },
      cap: { type: 'boolean' },
      sweep: { type: 'boolean' },
      percentiles: { type: 'string' },
      bands: { type: 'string' },
      steer: { type: 'string' },
      'steer-layers': { type: 'string' },
      ...DECODING_OPTIONS,
    },
  });
  if (positionals.length !== 1)
    throw new UsageError(`rerun takes one transcript file, got ${positionals.length}\n\n${RERUN_USAGE}`);
  if (values.turn === undefined) throw new UsageError(`--turn is required\n\n${RERUN_USAGE}`);
  const turn = integerOption('turn', values.turn, 0) as number;
  const conversationNumber = integerOption('conversation', values.conversation, 1) as number;
  const maxTokens = integerOption('max-tokens', values['max-tokens'], 1, 4096) as number;
  const format = values.format;
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format must be text or json, not "${format}"`);
  const sampling = samplingFrom(values);
  // --cap: capped only; --no-cap: uncapped only; neither: both (uncapped first, as rerunTurn orders them).
  const steerAlpha = numberOption('steer', values.steer);
  if (values['steer-layers'] !== undefined && steerAlpha === undefined) throw new UsageError('--steer-layers needs --steer A');
  const steer = steerAlpha === undefined ? undefined : { alpha: steerAlpha, ...(values['steer-layers'] !== undefined ? { layers: parseLayerList(values['steer-layers']) } : {}) };
  const variants: RerunVariant[] = [
    ...(values.cap === undefined ? (['uncapped', 'capped'] as const) : values.cap ? (['capped'] as const) : (['uncapped'] as const)),
    ...(steer ? (['steered'] as const) : []),
  ];
  const options = sessionOptions(values);

  const file = positionals[0] as string;
  const { inputs, errors } = await readTranscripts([file], maxFileBytes(values));
  const input = inputs[0];
  if (!input || errors > 0) return ExitCode.badInput;
  const conversation = input.conversations[conversationNumber - 1];
  if (!conversation)
    throw new UsageError(
      `${file}: there is no conversation ${conversationNumber}; the file has ${input.conversations.length}`,
    );
  const where = input.conversations.length > 1 ? `${file} #${conversationNumber}` : file;
  checkRerunTurn(conversation, turn, where);
  if (values.sweep) {
    if (values.cap !== undefined || steer) throw new UsageError('--sweep runs its own grid; leave out --cap, --no-cap and --steer');
    const grid = sweepGrid(values.percentiles, values.bands);
    return runSweep({ where, file, conversation, conversationIndex: conversationNumber - 1, turn, grid, sampling, maxTokens, format, quiet: values.quiet, verbose: values.verbose, options }, signal);
  }
  if (values.percentiles !== undefined || values.bands !== undefined) throw new UsageError('--percentiles and --bands need --sweep');

  const progress = new Progress(values.quiet);
  const client = createClient(values.verbose);
  try {
    progress.update(`loading model ${values.model}`);
    const session = await openSession(client, options, loadProgress(progress), signal);
    const head = {
      file,
      conversation: conversationNumber - 1,
      model: session.ref.label,
      axis: session.axisPath,
    };
    // On a terminal the new replies appear token by token; piped output gets the finished sections only.
    const stream = format === 'text' && Boolean(process.stdout.isTTY);
    const write = (text: string): void => void process.stdout.write(text);
    if (stream) {
      progress.done();
      write(
        `${headerLines(where, turn, head.model, { sampling, maxTokens, spec: session.spec, monitorTau: session.monitorTau }).join('\n')}\n\n`,
      );
      write(`original\n${indent(conversation.turns[turn]?.text ?? '')}`);
    } else {
      progress.update(`scoring the original turn ${turn}`);
    }
    let generated = 0;
    const result = await namedBadRequest(where, () => rerunTurn(
      client,
      session,
      conversation,
      turn,
      {
        sampling,
        maxTokens,
        variants,
        ...(steer ? { steer } : {}),
        onVariant: (v) => {
          generated = 0;
          if (stream) write(`\n\n${v}  (generating…)\n  `);
          else progress.update(`generating the ${v} reply`, 0);
        },
        onToken: (v, t) => {
          generated++;
          if (stream) write(printable(t.text, Number.MAX_SAFE_INTEGER).replace(/\n/g, '\n  '));
          else progress.update(`generating the ${v} reply: ${generated} tokens`, generated / maxTokens);
        },
      },
      signal,
    ));
    progress.done();
    if (format === 'json') {
      write(`${JSON.stringify({ ...head, ...result }, null, 2)}\n`);
      return ExitCode.ok;
    }
    const note = (r: GeneratedReply): string =>
      `${r.generatedTokens} tokens, ${r.stopReason === 'eos' ? 'ended' : 'hit --max-tokens'}`;
    if (stream) {
      write(`\n\nvalues (measured like "score"):\n`);
      write(
        [
          valueLine('original', result.original),
          ...result.replies.map((r) => valueLine(r.variant, r, note(r))),
        ].join('\n') + '\n',
      );
      return ExitCode.ok;
    }
    const out = [
      ...headerLines(where, turn, head.model, {
        sampling,
        maxTokens,
        spec: session.spec,
        monitorTau: session.monitorTau,
      }),
      '',
      section('original', result.original),
      ...result.replies.map((r) => section(r.variant, r, note(r))),
    ];
    write(out.join('\n'));
    return ExitCode.ok;
  } finally {
    progress.done();
    await client.dispose();
  }
}

/** What the re-run was made with: turn, model, floor, decoding and capping band. */
function headerLines(
  where: string,
  turn: number,
  model: string,
  o: { sampling: Sampling; maxTokens: number; spec: OpenSession['spec']; monitorTau: number },
): string[] {
  const d = o.sampling;
  const decoding =
    d.kind === 'greedy'
      ? 'greedy decoding'
      : `sampling (seed ${d.seed}, temperature ${d.temperature}, top-p ${d.topP})`;
  const population = o.spec.population === 'response' ? 'per-response means' : 'per-token values';
  return [
    `${where} turn ${turn} — model ${model}, layer ${o.spec.monitorLayer} (capping floor there τ ${formatValue(o.monitorTau)})`,
    `${decoding}, at most ${o.maxTokens} tokens; capping at layers ${o.spec.capLayers.join(',')} (τ ${Array.from(o.spec.taus, (t) => formatValue(t)).join(', ')}; ${o.spec.percentile}th percentile of ${population})`,
  ];
}

/** A transcript's or a model's text, indented; control characters escaped so the text cannot drive the terminal. */
function indent(text: string): string {
  return text.trim() === '' ? '  (empty reply)' : printable(text, Number.MAX_SAFE_INTEGER).replace(/^/gm, '  ');
}

function valueLine(name: string, r: ScoredReply, note?: string): string {
  const value = Number.isFinite(r.value) ? formatValue(r.value) : 'n/a (no tokens)';
  const marks = [readingLabel({ ...r, alarm: r.zone === 'role' }), note ? `(${note})` : ''].filter(Boolean).join('  ');
  return `${name.padEnd(8)}  ${value}${marks ? `  ${marks}` : ''}`;
}

function section(name: string, r: ScoredReply, note?: string): string {
  return `${valueLine(name, r, note)}\n${indent(r.text)}\n`;
}

/** A generated reply's value line (with its length and why it stopped) and its text. */
export function replySection(name: string, r: GeneratedReply): string {
  return section(name, r, `${r.generatedTokens} tokens, ${r.stopReason === 'eos' ? 'ended' : 'hit --max-tokens'}`);
}
