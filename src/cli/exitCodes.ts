/** Fixed exit codes so CI can gate on them (docs: README, "Command line"). */
export const enum ExitCode {
  ok = 0,
  gateFailed = 1,
  badInput = 2,
  engineFailure = 3,
  /** axis compute: the axis's verdict is unusable (written all the same, for its report). */
  axisUnusable = 4,
  interrupted = 130,
}

/** A usage or input problem: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
