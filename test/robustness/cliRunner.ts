// Runs the real CLI (out/cli.js from `npm run build`) in a child process and measures what a user
// would notice: exit code, output, wall time and peak memory (resident set, worker thread included,
// read by a preloaded module at exit). Optionally closes stdout at once (`| head -0`) or sends a
// signal when stderr shows a given phase.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(process.cwd(), 'out', 'cli.js');

/** Preloaded into the CLI: writes process.resourceUsage() to fd 3 when the process exits. */
const RSS_PROBE = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { try { writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })); } catch {} });",
)}`;

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Kill (SIGKILL) after this long: a hang is then reported, not waited out. */
  readonly killAfterMs: number;
  /** Close the read end of stdout at once, as `| head -0` does. */
  readonly closeStdout?: boolean;
  /** Send SIGINT once stderr matches (after interruptDelayMs). */
  readonly interruptWhen?: RegExp;
  readonly interruptDelayMs?: number;
}

export interface RunResult {
  /** Null when the process died of a signal or was killed for running too long. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident memory in MB; null when the process did not exit normally. */
  readonly maxRssMb: number | null;
  readonly killed: boolean;
  readonly interrupted: boolean;
}

/** Runs `node out/cli.js ...args` and resolves when it has exited. */
export function runCli(args: readonly string[], o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', RSS_PROBE, CLI, ...args], {
    cwd: o.cwd ?? process.cwd(),
    env: { ...process.env, PERSONA_LENS_DEBUG: '', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let probe = '';
  let killed = false;
  let interrupted = false;
  const out = child.stdio[1] as NodeJS.ReadableStream & { destroy(): void };
  const err = child.stdio[2] as NodeJS.ReadableStream;
  if (o.closeStdout) out.destroy();
  else out.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  err.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    if (o.interruptWhen && !interrupted && o.interruptWhen.test(stderr)) {
      interrupted = true;
      setTimeout(() => child.kill('SIGINT'), o.interruptDelayMs ?? 0);
    }
  });
  const fd3 = child.stdio[3] as NodeJS.ReadableStream;
  fd3.on('data', (d: Buffer) => (probe += d.toString('utf8')));
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, o.killAfterMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let maxRssMb: number | null;
      try {
        maxRssMb = (JSON.parse(probe) as { maxRssKb: number }).maxRssKb / 1024;
      } catch {
        maxRssMb = null;
      }
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, maxRssMb, killed, interrupted });
    });
  });
}
