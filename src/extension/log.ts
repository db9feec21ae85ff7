import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { LOG_CHANNEL_NAME } from './ids';

/**
 * The "Persona Lens" log channel. When PERSONA_LENS_LOG_FILE names a file, every line is
 * mirrored there too, so end-to-end tests wait on log lines instead of sleeping
 * (the vitest extension's log.ts does the same).
 */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  private readonly mirror = process.env.PERSONA_LENS_LOG_FILE;

  info(message: string): void {
    this.channel.info(message);
    this.write('info', message);
  }

  warn(message: string): void {
    this.channel.warn(message);
    this.write('warn', message);
  }

  error(message: string, err?: unknown): void {
    const detail = err instanceof Error ? `${message}: ${err.stack ?? err.message}` : err ? `${message}: ${typeof err === 'string' ? err : JSON.stringify(err)}` : message;
    this.channel.error(detail);
    this.write('error', detail);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private write(level: string, message: string): void {
    if (!this.mirror) return;
    try {
      appendFileSync(this.mirror, `${new Date().toISOString()} [${level}] ${message}\n`);
    } catch {
      // A broken mirror must never break the extension; the channel still has the line.
    }
  }
}
