/**
 * Progress on stderr: a redrawn bar on a terminal, plain lines otherwise (CI logs), so stdout
 * stays clean for table, JSON or CSV output.
 */

/** The part of a stream Progress writes to (process.stderr, or a collector in tests). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

/** Plain mode prints a counted step at most this often (ms), so a CI log gets a line every few seconds, not one per token. */
const PLAIN_INTERVAL_MS = 2000;
const BAR_WIDTH = 24;

export class Progress {
  private readonly tty: boolean;
  private lastLine = '';
  private lastPlain = 0;

  constructor(
    private readonly quiet: boolean,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Reports a step; `fraction` in 0..1 draws a bar, null shows text only. */
  update(text: string, fraction: number | null = null): void {
    if (this.quiet) return;
    const f = fraction === null ? null : Math.max(0, Math.min(1, fraction));
    if (this.tty) {
      const bar =
        f === null
          ? ''
          : `[${'#'.repeat(Math.round(f * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${Math.round(f * 100)}% `;
      const line = `${bar}${text}`.slice(0, (this.stream.columns || 100) - 1);
      this.stream.write(`\r\x1b[2K${line}`);
      this.lastLine = line;
      return;
    }
    // Plain mode: steps without a fraction always print; counted steps at most every PLAIN_INTERVAL_MS, and at the end.
    const now = this.now();
    if (f !== null && f < 1 && now - this.lastPlain < PLAIN_INTERVAL_MS) return;
    if (text === this.lastLine) return;
    this.lastLine = text;
    // Only counted steps start the interval: the first count after a phase line always shows.
    if (f !== null) this.lastPlain = now;
    this.stream.write(`${f === null ? '' : `${Math.round(f * 100)}% `}${text}\n`);
  }

  /** Clears the bar (terminal mode) so a message can be written to stderr; the next update redraws it. */
  clear(): void {
    if (this.tty && this.lastLine) this.stream.write('\r\x1b[2K');
    if (this.tty) this.lastLine = '';
  }

  /** Clears the bar line (terminal mode) before normal output. */
  done(): void {
    this.clear();
    this.lastLine = '';
  }
}
