// @ts-check
// End-to-end harness: the extension inside a real VS Code (code-server 4.100.3, web workbench)
// driven by playwright-core and Debian's chromium. Recipe and measurements: ../shared/docs/testing.md.
// A Session is the workbench page object (harness/workbench.mjs) with its code-server behind it
// (harness/server.mjs) and its artifacts folder (harness/artifacts.mjs). Every wait polls an
// observable signal (DOM node, computed style, log line), never a fixed sleep, and races against
// fatal signals (activation error or CSP violation in the browser console, an `[error]` line in the
// extension's log) so a broken extension fails a test at once, not at a timeout.
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Artifacts } from './harness/artifacts.mjs';
import { CodeServer } from './harness/server.mjs';
import { POLL_MS, STEP_TIMEOUT_MS, Workbench } from './harness/workbench.mjs';

export { resultsDir } from './harness/artifacts.mjs';
export { repoRoot } from './harness/server.mjs';
export { launchChromium } from './harness/workbench.mjs';

/** @typedef {import('./harness/artifacts.mjs').ConsoleEntry} ConsoleEntry */
/** @typedef {import('./harness/workbench.mjs').EditorDecoration} EditorDecoration */

/** Chromium's CSP violation report in the console ("Refused to … because it violates the following Content Security Policy directive …"). */
const cspViolation = /violates the following Content Security Policy directive/i;

/**
 * @typedef {object} SessionOptions
 * @property {string} name Test name: names the screenshots and the artifacts folder under test-results/e2e/.
 * @property {boolean} [allowLogErrors] Do not fail at once when the extension logs an `[error]` line
 *   (for tests of error paths, which then wait on that line).
 * @property {{ width: number, height: number }} [viewport] Browser viewport (default 1400 x 900); a tall
 *   one lets Monaco, which renders only the lines in view, draw more of a file at once.
 */
/** @typedef {SessionOptions & import('./harness/server.mjs').ServerOptions} LaunchOptions */

/**
 * Creates a temp workspace, starts code-server with the extension symlinked into a fresh extensions
 * dir, opens the workbench in chromium and waits until the explorer shows the workspace.
 * @param {LaunchOptions} options
 * @returns {Promise<Session>}
 */
export async function launch(options) {
  const session = new Session(options);
  try {
    await session.start();
  } catch (err) {
    try {
      await session.fail(err);
    } finally {
      await session.close();
    }
  }
  return session;
}

/**
 * Runs `body` against a fresh session and always shuts it down. On failure it saves a screenshot
 * and names it in the error, so the test report points at the picture.
 * @param {LaunchOptions} options
 * @param {(s: Session) => Promise<void>} body
 */
export async function withSession(options, body) {
  const session = await launch(options);
  try {
    await body(session);
    session.assertHealthy();
  } catch (err) {
    await session.fail(err);
  } finally {
    await session.close();
  }
}

/** Fatal signals of one session: the first one rejects `promise`, which every wait races against. */
class FatalSignals {
  constructor() {
    /** @type {Error | undefined} first fatal signal (activation error, CSP violation, logged error) */
    this.error = undefined;
    /** @type {(err: Error) => void} */
    let reject = () => {};
    this.promise = /** @type {Promise<never>} */ (new Promise((_, r) => (reject = r)));
    this.promise.catch(() => {}); // observed through race(); never an unhandled rejection
    this.reject = reject;
  }

  /** @param {Error} err */
  set(err) {
    if (this.error) return;
    this.error = err;
    this.reject(err);
  }

  /**
   * @template T
   * @param {Promise<T>} p
   * @returns {Promise<T>}
   */
  race(p) {
    return Promise.race([p, this.promise]);
  }
}

/** One test's VS Code: the workbench page object plus the server, the log file and the artifacts. */
export class Session extends Workbench {
  /** @param {LaunchOptions} options */
  constructor(options) {
    const name = options.name.replace(/[^\w.-]+/g, '-');
    const signals = new FatalSignals();
    const artifacts = new Artifacts(name);
    super({ race: (p) => signals.race(p), mark: (label) => artifacts.mark(label) });
    this.name = name;
    this.options = options;
    this.signals = signals;
    this.artifacts = artifacts;
    this.server = new CodeServer(options, (label) => artifacts.mark(label));
    /** The temp workspace folder VS Code has open. */
    this.workspace = this.server.workspace;
    /** test-results/e2e/<test>/: screenshots and logs. */
    this.artifactsDir = artifacts.dir;
    /** @type {ConsoleEntry[]} */
    this.console = [];
    this.closed = false;
    /** @type {NodeJS.Timeout | undefined} */
    this.logWatch = undefined;
  }

  async start() {
    this.artifacts.reset();
    this.server.prepare();
    if (!this.options.allowLogErrors) {
      this.logWatch = setInterval(() => this.checkLogForErrors(), POLL_MS);
      this.logWatch.unref();
    }
    await this.server.start();
    await this.openWorkbench({
      home: join(this.server.tmp, 'browser-home'),
      url: this.server.workbenchUrl(),
      viewport: this.options.viewport,
      onConsole: (entry) => this.onConsole(entry),
    });
  }

  /** @param {ConsoleEntry} entry */
  onConsole(entry) {
    this.console.push(entry);
    if (this.signals.error) return;
    if (entry.text.includes(`Activating extension '${this.server.extensionId}' failed`)) {
      this.signals.set(new Error(`e2e: extension activation failed (browser console): ${entry.text}`));
    } else if (cspViolation.test(entry.text)) {
      this.signals.set(
        new Error(
          `e2e: Content Security Policy violation (browser console, ${entry.url.split('?')[0] || 'no url'}): ${entry.text}`,
        ),
      );
    }
  }

  /** An `[error]` line in the extension's log (format of src/extension/log.ts) fails the test at once, stack included. */
  checkLogForErrors() {
    if (this.signals.error) return;
    const lines = this.readLog().split('\n');
    const i = lines.findIndex((l) => /^\S+ \[error\] /.test(l));
    if (i < 0) return;
    const detail = [lines[i], ...lines.slice(i + 1, i + 6).filter((l) => /^\s/.test(l))].join('\n');
    this.signals.set(new Error(`e2e: the extension logged an error (PERSONA_LENS_LOG_FILE):\n${detail}`));
  }

  /** Throws the first fatal signal, if any; called after a test body passes. */
  assertHealthy() {
    if (this.signals.error) throw this.signals.error;
  }

  /**
   * Merges `settings` into the user settings file; VS Code applies the change live.
   * @param {Record<string, unknown>} settings
   */
  updateUserSettings(settings) {
    this.server.updateUserSettings(settings);
  }

  /** Everything the extension logged so far (PERSONA_LENS_LOG_FILE). */
  readLog() {
    return this.server.readLog();
  }

  /**
   * Polls `probe` until it returns a truthy value, and returns that value. On timeout, fails with
   * `what` and, when given, `detail()` (what was there instead).
   * @template T
   * @param {() => Promise<T>} probe
   * @param {string} what
   * @param {{ timeout?: number, detail?: () => Promise<string> }} [o]
   * @returns {Promise<NonNullable<T>>}
   */
  async waitFor(probe, what, o = {}) {
    const deadline = Date.now() + (o.timeout ?? STEP_TIMEOUT_MS);
    for (;;) {
      this.assertHealthy();
      const found = await probe();
      if (found) return /** @type {NonNullable<T>} */ (found);
      if (Date.now() > deadline) {
        throw new Error(`e2e: timed out waiting for ${what}${o.detail ? `; ${await o.detail()}` : ''}`);
      }
      await delay(POLL_MS);
    }
  }

  /**
   * Polls the extension's log file until a line matches; returns that line.
   * @param {RegExp | string} pattern
   * @param {number} [timeout]
   * @returns {Promise<string>}
   */
  async waitForLogLine(pattern, timeout = STEP_TIMEOUT_MS) {
    const test =
      typeof pattern === 'string'
        ? (/** @type {string} */ l) => l.includes(pattern)
        : (/** @type {string} */ l) => pattern.test(l);
    const deadline = Date.now() + timeout;
    for (;;) {
      this.assertHealthy();
      const line = this.readLog().split('\n').find(test);
      if (line !== undefined) {
        this.artifacts.mark(`log ${String(pattern)}`);
        return line;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `e2e: no line matching ${String(pattern)} in ${this.server.logFile} after ${timeout} ms; it holds:\n${this.readLog() || '(empty)'}`,
        );
      }
      await delay(POLL_MS);
    }
  }

  /**
   * Saves a screenshot under test-results/e2e/<test>/ and returns its path.
   * @param {string} label
   */
  screenshot(label) {
    return this.artifacts.screenshot(this.page, label);
  }

  /**
   * Adds a failure screenshot and the logs to the artifacts and rethrows `err` with their paths.
   * @param {unknown} err
   * @returns {Promise<never>}
   */
  async fail(err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const notes = await this.artifacts.failureNotes({
      page: this.page,
      logFiles: () => this.server.logFiles(),
      log: () => this.readLog(),
      dialog: () => this.dialogText(),
      consoleEntries: this.console,
    });
    console.error(`e2e failure in ${this.name}:\n${notes.join('\n')}`);
    error.message += `\n${notes.join('\n')}`;
    throw error;
  }

  /** Closes the browser, then stops code-server's whole process group (SIGTERM, SIGKILL after 10 s), then removes the temp dirs. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.logWatch);
    if (!this.signals.error) this.artifacts.saveLogs(this.server.logFiles(), this.console);
    await this.closeBrowser();
    await this.server.stop();
    this.artifacts.mark('closed');
    try {
      this.artifacts.saveTimings();
    } catch {
      // artifacts are a convenience
    }
    this.server.dispose();
  }
}
