/** The drift-gate options of `score` and `ab`, and how their results become an exit code. */
import { evaluateGate, GateUnusableError, scoredAssistantTurns, type GateFailure, type GateOptions } from '../core/gate';
import type { ConversationScores } from '../core/scores';
import { ExitCode, UsageError } from './exitCodes';
import { numberOption } from './engineOptions';

/** parseArgs definitions of the gate options; commands spread these into their own. */
export const GATE_OPTIONS = {
  'fail-zone': { type: 'string' },
  'fail-below': { type: 'string' },
  'fail-drop': { type: 'string' },
  'allow-unscored': { type: 'boolean', default: false },
} as const;

/** --help lines for GATE_OPTIONS; `whose` names the turns gated, e.g. "an assistant turn under prompt B". */
export function gateUsage(whose: string): string {
  return `  --fail-zone Z      exit 1 when ${whose} reads in zone Z: role, or drifting (drifting or role)
  --fail-below X     exit 1 when ${whose} is below X
  --fail-drop D      exit 1 when ${whose} falls more than D below the first assistant turn
  --allow-unscored   let assistant turns without a trustworthy value pass the gates (by default a turn
                     cut by the token limit, without content tokens or out of the model's domain fails them)`;
}

/** The parsed values of GATE_OPTIONS. */
export interface GateValues {
  readonly 'fail-zone'?: string | undefined;
  readonly 'fail-below'?: string | undefined;
  readonly 'fail-drop'?: string | undefined;
  readonly 'allow-unscored'?: boolean | undefined;
}

/** Gate options from the command line; checked before any model is loaded. */
export function gateOptions(values: GateValues): GateOptions {
  const failBelow = numberOption('fail-below', values['fail-below']);
  const failDrop = numberOption('fail-drop', values['fail-drop']);
  const zone = values['fail-zone'];
  if (zone !== undefined && zone !== 'role' && zone !== 'drifting') throw new UsageError(`--fail-zone must be role or drifting, not "${zone}"`);
  return {
    ...(failBelow !== undefined ? { failBelow } : {}),
    ...(failDrop !== undefined ? { failDrop } : {}),
    ...(zone !== undefined ? { failZone: zone } : {}),
    ...(values['allow-unscored'] ? { allowUnscored: true } : {}),
  };
}

/** Gate failures of one conversation; a gate this axis cannot evaluate is a usage problem (exit 2). */
export function gateFailures(scores: ConversationScores, gate: GateOptions): GateFailure[] {
  try {
    return evaluateGate(scores, gate);
  } catch (e) {
    if (e instanceof GateUnusableError) throw new UsageError(e.message);
    throw e;
  }
}

/** A gated conversation as the exit code sees it. */
export interface GatedItem {
  /** How stderr names the conversation, e.g. "chat.json #2" or "chat.json under prompt B". */
  readonly name: string;
  readonly scores: ConversationScores;
  readonly failures: readonly GateFailure[];
}

/**
 * Writes gate failures to stderr and returns the exit code: 2 when no assistant turn of any input got
 * a value (nothing was measured, so nothing can pass), 1 when a gate failed, else `otherwise`.
 */
export function gateExitCode(items: readonly GatedItem[], otherwise: ExitCode): ExitCode {
  if (items.every((i) => scoredAssistantTurns(i.scores) === 0)) {
    const unscored = items.flatMap((i) => i.scores.unscored.map((u) => `${i.name} turn ${u.turn} (${u.reason === 'beyond-token-limit' ? 'beyond the token limit' : 'no content tokens'})`));
    process.stderr.write(`persona-lens: no assistant turn could be scored${unscored.length > 0 ? `: ${unscored.join(', ')}` : ' (the input has no assistant turns)'}\n`);
    return ExitCode.badInput;
  }
  let failed = false;
  for (const i of items) {
    for (const f of i.failures) {
      process.stderr.write(`gate failed: ${i.name}: ${f.message}\n`);
      failed = true;
    }
  }
  return failed ? ExitCode.gateFailed : otherwise;
}
