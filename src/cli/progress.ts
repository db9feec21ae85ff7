/**
 * Progress on stderr: a redrawn bar on a terminal, plain lines otherwise (CI logs), so stdout
 * stays clean for table, JSON or CSV output.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLine = '';
  private lastPlain = 0;

  constructor(private readonly quiet: boolean) {}

  /** Reports a step; `fraction` in 0..1 draws a bar, null shows text only. */
  update(text: string, fraction: number | null = null): void {
    if (this.quiet) return;
    if (this.tty) {
      const width = 24;
      const bar = fraction === null ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${Math.round(fraction * 100)}% `;
      const line = `${bar}${text}`.slice(0, (process.stderr.columns || 100) - 1);
      process.stderr.write(`\r\x1b[2K${line}`);
      this.lastLine = line;
      return;
    }
    // Plain mode (CI logs): steps without a fraction always print; counted steps at most every 2 s and at the end.
    const now = Date.now();
    if (fraction !== null && fraction < 1 && now - this.lastPlain < 2000) return;
    if (text === this.lastLine) return;
    this.lastLine = text;
    this.lastPlain = now;
    process.stderr.write(`${fraction === null ? '' : `${Math.round(fraction * 100)}% `}${text}\n`);
  }

  /** Clears the bar line (terminal mode) before normal output. */
  done(): void {
    if (this.tty && this.lastLine) process.stderr.write('\r\x1b[2K');
    this.lastLine = '';
  }
}
