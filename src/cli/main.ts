#!/usr/bin/env node
/** persona-lens: the Persona Lens engine without an editor (see README, "Command line"). */
import { AxisFileError } from '../core/axis/axisFile';
import { CancelledError } from '../worker/errors';
import { ModelRefError } from '../worker/modelRef';
import { AxisMissingError } from '../worker/session';
import { ExitCode, UsageError } from './exitCodes';
import { AXIS_USAGE, runAxis } from './axis';
import { runScore, SCORE_USAGE } from './score';

const USAGE = `persona-lens — Assistant-Axis persona drift for chat transcripts

Commands:
  score FILE...   per-turn values for every conversation in every file
  axis compute    compute and validate the Assistant Axis of a model

Run "persona-lens <command> --help" for a command's options.

${SCORE_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? ExitCode.ok : ExitCode.badInput;
  }
  const abort = new AbortController();
  // Ctrl-C cancels the running request in the worker; a second Ctrl-C exits at once.
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted; stopping…\n');
    abort.abort();
    process.once('SIGINT', () => process.exit(ExitCode.interrupted));
  });
  switch (command) {
    case 'score':
      if (rest.includes('--help')) {
        process.stdout.write(`${SCORE_USAGE}\n`);
        return ExitCode.ok;
      }
      return runScore(rest, abort.signal);
    case 'axis':
      if (rest.includes('--help')) {
        process.stdout.write(`${AXIS_USAGE}\n`);
        return ExitCode.ok;
      }
      return runAxis(rest, abort.signal);
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const usage = e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS');
    // A model name, axis file or missing axis the user can fix is bad input (2), not an engine failure (3).
    if (usage || e instanceof UsageError || e instanceof ModelRefError || e instanceof AxisFileError || e instanceof AxisMissingError) {
      process.stderr.write(`persona-lens: ${e.message}\n`);
      process.exitCode = ExitCode.badInput;
    } else if (e instanceof CancelledError) {
      process.exitCode = ExitCode.interrupted;
    } else {
      process.stderr.write(`persona-lens: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.PERSONA_LENS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
      process.exitCode = ExitCode.engineFailure;
    }
  },
);
