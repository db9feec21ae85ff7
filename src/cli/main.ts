#!/usr/bin/env node
/** persona-lens: the Persona Lens engine without an editor (see README, "Command line"). */
import { AxisFileError } from '../core/axis/axisFile';
import { CancelledError } from '../worker/errors';
import { ModelRefError } from '../worker/modelRef';
import { AxisMissingError } from '../worker/session';
import { ExitCode, UsageError } from './exitCodes';
import { AXIS_USAGE, runAxis } from './axis';
import { AB_USAGE, runAb } from './ab';
import { PROBE_CMD_USAGE, runProbe } from './probe';
import { PROMPTS_USAGE, runPrompts } from './prompts';
import { REPORT_USAGE, runReport } from './report';
import { RERUN_USAGE, runRerun } from './rerun';
import { runScore, SCORE_USAGE } from './score';
import { RerunError } from '../worker/rerun';

const USAGE = `persona-lens — Assistant-Axis persona drift for chat transcripts

Commands:
  score FILE...   per-turn values for every conversation in every file
  ab FILE         the same conversation under two system prompts, turn by turn
  probe           stress-test a system prompt on the probe set (ab --probes: two prompts)
  prompts FILE... the system prompts found in source code and prompt files
  rerun FILE      regenerate one assistant turn without and with capping
  report FILE...  a self-contained HTML report (drift plots, per-token strips, tables)
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
  const commands: Record<string, { usage: string; run: (argv: string[], signal: AbortSignal) => Promise<number> }> = {
    score: { usage: SCORE_USAGE, run: runScore },
    ab: { usage: AB_USAGE, run: runAb },
    probe: { usage: PROBE_CMD_USAGE, run: runProbe },
    prompts: { usage: PROMPTS_USAGE, run: (argv) => runPrompts(argv) },
    rerun: { usage: RERUN_USAGE, run: runRerun },
    report: { usage: REPORT_USAGE, run: runReport },
    axis: { usage: AXIS_USAGE, run: runAxis },
  };
  const c = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!c) throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${c.usage}\n`);
    return ExitCode.ok;
  }
  return c.run(rest, abort.signal);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const usage = e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS');
    // A model name, axis file or missing axis the user can fix is bad input (2), not an engine failure (3).
    if (usage || e instanceof UsageError || e instanceof RerunError || e instanceof ModelRefError || e instanceof AxisFileError || e instanceof AxisMissingError) {
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
