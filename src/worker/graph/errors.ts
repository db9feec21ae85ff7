/** A model graph that cannot be instrumented; the message names the file and the pattern that was not found. */
export class InstrumentationError extends Error {
  override readonly name = 'InstrumentationError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Cannot instrument ${file}: ${reason}`);
  }
}
