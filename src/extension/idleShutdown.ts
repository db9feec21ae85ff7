/**
 * Frees the model worker after a stretch without work: a loaded model holds hundreds of MB to
 * GBs of memory while the user is only reading. Work in flight (scoring, re-runs, axis
 * computation) holds the timer off; the next request restarts the worker lazily.
 * No vscode import, so the timing logic is unit-tested with node:test's mock timers.
 */

const MS_PER_MINUTE = 60_000;

export class IdleShutdown {
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param minutes idle time before `onIdle` runs; 0 = never.
   * @param onIdle called once per idle stretch, after the last piece of work ended.
   */
  constructor(
    private minutes: number,
    private readonly onIdle: () => void,
  ) {}

  /** Marks the start of a piece of work; call the returned function when it ends (extra calls are ignored). */
  begin(): () => void {
    this.active++;
    this.stop();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active--;
      if (this.active === 0) this.arm();
    };
  }

  /** Runs `work` between begin() and its end. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await work();
    } finally {
      end();
    }
  }

  /** Applies a new idle time; a running countdown restarts with it. */
  setMinutes(minutes: number): void {
    this.minutes = minutes;
    if (this.timer !== undefined) this.arm();
  }

  /** True while a countdown to `onIdle` runs. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.stop();
  }

  private arm(): void {
    this.stop();
    if (!(this.minutes > 0)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.active === 0) this.onIdle();
    }, this.minutes * MS_PER_MINUTE);
  }

  private stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
