#!/usr/bin/env node
/** persona-lens: the Persona Lens engine without an editor (see README, "Command line"). */
import { AxisFileError } from '../core/axis/axisFile';
import { printable } from '../core/report/format';
import { EngineError, isCancellation } from '../protocol/errors';
import { UserFileError } from '../io/files';
import { ModelRefError } from '../engine/modelRef';
import { AxisMissingError } from '../engine/session';
import { ExitCode, UsageError } from './exitCodes';
import { AXIS_USAGE, runAxis } from './axis';
import { AB_USAGE, runAb } from './ab';
import { MODELS_USAGE, runModels } from './models';
import { PROBE_CMD_USAGE, runProbe } from './probe';
import { PROMPTS_USAGE, runPrompts } from './prompts';
import { REPORT_USAGE, runReport } from './report';
import { RERUN_USAGE, runRerun } from './rerun';
import { CONTINUE_USAGE, runContinue } from './continue';
import { runScore, SCORE_USAGE } from './score';
import { RerunError } from '../engine/rerun';
import { ContinuationError } from '../core/continuation';

const USAGE = `persona-lens — Assistant-Axis persona drift for chat transcripts

Commands:
  score FILE...   per-turn values for every conversation in every file
  ab FILE         the same conversation under two system prompts, turn by turn
  probe           stress-test a system prompt on the probe set (ab --probes: two prompts)
  prompts FILE... the system prompts found in source code and prompt files
  rerun FILE      regenerate one assistant turn without and with capping
  continue FILE   the next assistant turns without and with capping, side by side
  report FILE...  a self-contained HTML report (drift plots, per-token strips, tables)
  axis compute    compute and validate the Assistant Axis of a model
  models          the catalogue of small chat models to download, with cached axes

Run "persona-lens <command> --help" for a command's options.

${SCORE_USAGE}`;

const abort = new AbortController();

/**
 * A reader that goes away (`persona-lens score ... | head -1`) makes writes fail with EPIPE. That is
 * not the command's failure: the rest of the output is dropped and the command ends with its own
 * exit code (a gate still decides it), without a stack trace.
 */
function ignoreClosedReader(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? ExitCode.ok : ExitCode.badInput;
  }
  const commands: Record<string, { usage: string; run: (argv: string[], signal: AbortSignal) => Promise<number> }> = {
    score: { usage: SCORE_USAGE, run: runScore },
    ab: { usage: AB_USAGE, run: runAb },
    probe: { usage: PROBE_CMD_USAGE, run: runProbe },
    prompts: { usage: PROMPTS_USAGE, run: (argv) => runPrompts(argv) },
    rerun: { usage: RERUN_USAGE, run: runRerun },
    continue: { usage: CONTINUE_USAGE, run: runContinue },
    report: { usage: REPORT_USAGE, run: runReport },
    axis: { usage: AXIS_USAGE, run: runAxis },
    models: { usage: MODELS_USAGE, run: (argv) => runModels(argv) },
  };
  const c = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!c) throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${c.usage}\n`);
    return ExitCode.ok;
  }
  return c.run(rest, abort.signal);
}

/** A problem the user can fix (arguments, input files, model folder, axis): exit 2, not an engine failure. */
function isUserProblem(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  if ('code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) return true;
  if (e instanceof EngineError) return e.code === 'model-files' || e.code === 'bad-request';
  return (
    e instanceof UsageError ||
    e instanceof UserFileError ||
    e instanceof RerunError ||
    e instanceof ContinuationError ||
    e instanceof ModelRefError ||
    e instanceof AxisFileError ||
    e instanceof AxisMissingError
  );
}

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);
// Ctrl-C cancels the running request in the worker, in any phase (reading, hashing, downloading,
// scoring); a second Ctrl-C exits at once. Either way the exit code is 130 and no error is printed.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted; stopping…\n');
  abort.abort();
  process.once('SIGINT', () => process.exit(ExitCode.interrupted));
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = abort.signal.aborted ? ExitCode.interrupted : code;
  },
  (e: unknown) => {
    if (abort.signal.aborted || isCancellation(e)) {
      process.exitCode = ExitCode.interrupted;
    } else if (isUserProblem(e)) {
      process.stderr.write(`persona-lens: ${printable(e.message, 8000)}\n`);
      process.exitCode = ExitCode.badInput;
    } else {
      process.stderr.write(`persona-lens: ${printable(e instanceof Error ? e.message : String(e), 8000)}\n`);
      if (process.env.PERSONA_LENS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
      process.exitCode = ExitCode.engineFailure;
    }
  },
);
