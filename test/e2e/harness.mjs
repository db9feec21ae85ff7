// @ts-check
// End-to-end harness: the extension inside a real VS Code (code-server 4.100.3, web workbench)
// driven by playwright-core and Debian's chromium. Recipe and measurements: ../shared/docs/testing.md.
// Every wait polls an observable signal (DOM node, computed style, log line), never a fixed sleep,
// and races against fatal signals (activation error or CSP violation in the browser console, an
// `[error]` line in the extension's log) so a broken extension fails a test at once, not at a timeout.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium } from 'playwright-core';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */

export const repoRoot = join(import.meta.dirname, '..', '..');
/** Screenshots and logs of every run land here (git-ignored). */
export const resultsDir = join(repoRoot, 'test-results', 'e2e');
/** The paper's public transcripts, read-only and shared between checkouts (never copied into the repo). */
export const transcriptsDir = join(
  repoRoot,
  '..',
  'shared',
  'data',
  'assistant-axis',
  'transcripts',
  'persona_drift',
);

const codeServerEntry = join(import.meta.dirname, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.PERSONA_LENS_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Default wait for one UI step; a failing wait costs all of it, so keep it short. */
const STEP_TIMEOUT_MS = 30_000;
/** First workbench load includes the extension host start; slow on a busy 2-core machine. */
const WORKBENCH_TIMEOUT_MS = 90_000;
const HEALTH_TIMEOUT_MS = 30_000;
/** After SIGTERM, code-server's process group exits in 1–2 s; SIGKILL it if it has not after this. */
const KILL_GRACE_MS = 10_000;
const POLL_MS = 200;

/** VS Code settings written before start. `startupEditor: none` keeps the walkthrough from stealing focus (testing.md §3). */
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
};

/** Restricted Mode without the modal trust prompt: the workspace opens untrusted and stays so. */
const untrustedSettings = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Chromium's CSP violation report in the console ("Refused to … because it violates the following Content Security Policy directive …"). */
const cspViolation = /violates the following Content Security Policy directive/i;

/** Harmless console errors of code-server (testing.md §4): the closed-source vsda module is not shipped. */
const knownNoise = /\/vsda\//;

/**
 * @typedef {object} LaunchOptions
 * @property {string} name Test name: names the screenshots and the artifacts folder under test-results/e2e/.
 * @property {string[]} [transcripts] Files from the shared persona_drift folder to copy into the temp workspace.
 * @property {string} [extensionPath] Extension folder (package.json + out/ + node_modules); default:
 *   $PERSONA_LENS_E2E_EXTENSION, else the repo root (the development extension).
 * @property {string} [vsix] Install this packaged .vsix with `code-server --install-extension` instead of
 *   symlinking a folder: tests what ships (extensionPath then only names the package.json to read).
 *   Default: $PERSONA_LENS_E2E_VSIX.
 * @property {Record<string, unknown>} [settings] VS Code user settings added to the harness defaults (e.g. `persona-lens.*`).
 * @property {Record<string, string>} [env] Extra environment for code-server (and so the extension host).
 * @property {boolean} [allowLogErrors] Do not fail at once when the extension logs an `[error]` line
 *   (for tests of error paths, which then wait on that line).
 * @property {Record<string, string>} [files] More workspace files: relative path in the workspace -> source file to copy.
 * @property {Record<string, unknown>} [workspaceSettings] Written to the workspace's .vscode/settings.json before start.
 * @property {boolean} [untrusted] Start in Restricted Mode: workspace trust on, the workspace not trusted
 *   and no trust prompt (by default the harness disables workspace trust, which trusts everything).
 * @property {{ width: number, height: number }} [viewport] Browser viewport (default 1400 x 900); a tall
 *   one lets Monaco, which renders only the lines in view, draw more of a file at once.
 */

/** @typedef {{ type: string, text: string, url: string }} ConsoleEntry */

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

/**
 * Headless Debian chromium with the harness's flags; `home` holds its profile, because chromium
 * writes ~/.config/chromium (crash reports) unless HOME and the XDG dirs point elsewhere.
 * @param {string} home
 * @returns {Promise<Browser>}
 */
export function launchChromium(home) {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
    },
  });
}

export class Session {
  /** @param {LaunchOptions} options */
  constructor(options) {
    this.name = options.name.replace(/[^\w.-]+/g, '-');
    this.options = options;
    this.extensionPath = options.extensionPath ?? process.env.PERSONA_LENS_E2E_EXTENSION ?? repoRoot;
    this.artifactsDir = join(resultsDir, this.name);
    this.tmp = mkdtempSync(join(tmpdir(), 'persona-lens-e2e-'));
    liveTmpDirs.add(this.tmp);
    this.workspace = join(this.tmp, 'workspace');
    this.userDataDir = join(this.tmp, 'user-data');
    this.extensionsDir = join(this.tmp, 'extensions');
    /** The extension mirrors every log line here (PERSONA_LENS_LOG_FILE). */
    this.logFile = join(this.tmp, 'persona-lens.log');
    this.userSettingsFile = join(this.userDataDir, 'User', 'settings.json');
    /** @type {Record<string, unknown>} */
    this.userSettings = {};
    this.serverLog = join(this.tmp, 'code-server.log');
    /** @type {ConsoleEntry[]} */
    this.console = [];
    /** @type {Error | undefined} first fatal signal (activation error, CSP violation, logged error) */
    this.fatal = undefined;
    /** @type {(err: Error) => void} */
    let rejectFatal = () => {};
    /** Rejects on the first fatal signal; every wait races against it. */
    this.fatalPromise = /** @type {Promise<never>} */ (new Promise((_, reject) => (rejectFatal = reject)));
    this.fatalPromise.catch(() => {}); // observed through race(); never an unhandled rejection
    this.rejectFatal = rejectFatal;
    this.port = 0;
    /** @type {number | undefined} code-server's pid = its process group id */
    this.pgid = undefined;
    /** @type {Browser | undefined} */
    this.browser = undefined;
    /** @type {Page} */
    this.page = /** @type {any} */ (undefined);
    /** Publisher.name of the extension under test, read from its package.json at start. */
    this.extensionId = '';
    this.screenshotCount = 0;
    this.closed = false;
    /** @type {NodeJS.Timeout | undefined} */
    this.logWatch = undefined;
    this.t0 = Date.now();
    /** @type {Record<string, number>} ms since launch at each step, saved as timings.json (for reports, never asserted) */
    this.timings = {};
  }

  /** @param {string} label */
  mark(label) {
    this.timings[label] = Date.now() - this.t0;
  }

  async start() {
    if (!existsSync(codeServerEntry))
      throw new Error(`e2e: ${codeServerEntry} is missing; run \`bash test/e2e/setup.sh\``);
    rmSync(this.artifactsDir, { recursive: true, force: true });
    mkdirSync(this.artifactsDir, { recursive: true });
    this.prepareWorkspace();
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    for (const d of ['tmp', 'xdg-config', 'xdg-data', 'xdg-cache', 'extensions'])
      mkdirSync(join(this.tmp, d));
    const vsix = this.options.vsix ?? process.env.PERSONA_LENS_E2E_VSIX;
    if (vsix) this.installVsix(vsix);
    else this.prepareExtension();
    /** The user settings as written; updateUserSettings() merges into them. */
    this.userSettings = {
      ...userSettings,
      ...(this.options.untrusted ? untrustedSettings : {}),
      ...this.options.settings,
    };
    writeFileSync(this.userSettingsFile, JSON.stringify(this.userSettings, null, 2));
    writeFileSync(this.logFile, '');
    if (!this.options.allowLogErrors) {
      this.logWatch = setInterval(() => this.checkLogForErrors(), POLL_MS);
      this.logWatch.unref();
    }
    await this.startServer();
    await this.openWorkbench();
  }

  prepareWorkspace() {
    mkdirSync(this.workspace, { recursive: true });
    for (const file of this.options.transcripts ?? []) {
      const source = join(transcriptsDir, file);
      if (!existsSync(source))
        throw new Error(`e2e: transcript ${source} not found (the shared data folder sits next to the repo)`);
      // A copy keeps the shared folder read-only even if the extension misbehaved.
      cpSync(source, join(this.workspace, file));
    }
    for (const [file, source] of Object.entries(this.options.files ?? {})) {
      mkdirSync(dirname(join(this.workspace, file)), { recursive: true });
      cpSync(source, join(this.workspace, file));
    }
    if (this.options.workspaceSettings) {
      mkdirSync(join(this.workspace, '.vscode'), { recursive: true });
      writeFileSync(
        join(this.workspace, '.vscode', 'settings.json'),
        JSON.stringify(this.options.workspaceSettings, null, 2),
      );
    }
  }

  prepareExtension() {
    const pkg = readJson(join(this.extensionPath, 'package.json'));
    this.extensionId = `${pkg.publisher}.${pkg.name}`;
    const main = join(this.extensionPath, pkg.main ?? 'out/extension.js');
    if (!existsSync(main.endsWith('.js') ? main : `${main}.js`)) {
      throw new Error(`e2e: ${main} is missing; run \`npm run build\` first`);
    }
    // code-server picks up <publisher>.<name>-<version> folders in --extensions-dir at start (testing.md §2).
    symlinkSync(
      this.extensionPath,
      join(this.extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`),
      'dir',
    );
  }

  async startServer() {
    this.port = await freePort();
    const env = this.serverEnv();
    const out = createWriteStream(this.serverLog);
    await new Promise((resolve) => out.on('open', resolve));
    const args = [
      codeServerEntry,
      '--user-data-dir',
      this.userDataDir,
      '--extensions-dir',
      this.extensionsDir,
      '--bind-addr',
      `127.0.0.1:${this.port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(this.options.untrusted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      this.workspace,
    ];
    // detached: own process group, so shutdown reaches the extension host, file watcher and language servers too.
    const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', out, out] });
    if (child.pid === undefined) throw new Error('e2e: code-server did not start');
    this.pgid = child.pid;
    liveGroups.add(child.pid);
    /** @type {string | undefined} */
    let exited;
    child.on(
      'exit',
      (code, signal) =>
        (exited = `code-server exited early (code ${code}, signal ${signal}); see ${this.serverLog}`),
    );
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    for (;;) {
      if (exited) throw new Error(`e2e: ${exited}\n${tail(this.serverLog)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `e2e: code-server /healthz not ready after ${HEALTH_TIMEOUT_MS} ms\n${tail(this.serverLog)}`,
        );
      await delay(POLL_MS);
    }
    this.mark('healthz');
  }

  /** @param {string} vsix */
  installVsix(vsix) {
    const pkg = readJson(join(this.extensionPath, 'package.json'));
    this.extensionId = `${pkg.publisher}.${pkg.name}`;
    const common = [
      codeServerEntry,
      '--user-data-dir',
      this.userDataDir,
      '--extensions-dir',
      this.extensionsDir,
    ];
    const run = (/** @type {string[]} */ args) => {
      const r = spawnSync(process.execPath, [...common, ...args], {
        env: this.serverEnv(),
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (r.status !== 0)
        throw new Error(
          `e2e: code-server ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`,
        );
      return r.stdout;
    };
    run(['--install-extension', vsix]);
    const listed = run(['--list-extensions', '--show-versions']);
    if (!listed.includes(`${this.extensionId}@`))
      throw new Error(`e2e: ${vsix} installed, but --list-extensions shows:\n${listed}`);
    this.mark('vsix installed');
  }

  /** @returns {NodeJS.ProcessEnv} */
  serverEnv() {
    /** @type {NodeJS.ProcessEnv} */
    const env = {
      ...process.env,
      // VSCODE_CLI=1: do not run the user's interactive shell to read its environment.
      VSCODE_CLI: '1',
      // Per-run TMPDIR: code-server leaves vscode-{git,ipc}-*.sock files there.
      TMPDIR: join(this.tmp, 'tmp'),
      // Without these, even `code-server --version` writes ~/.config and ~/.local/share.
      XDG_CONFIG_HOME: join(this.tmp, 'xdg-config'),
      XDG_DATA_HOME: join(this.tmp, 'xdg-data'),
      XDG_CACHE_HOME: join(this.tmp, 'xdg-cache'),
      PERSONA_LENS_LOG_FILE: this.logFile,
      ...this.options.env,
    };
    // Either of these overrides --bind-addr.
    delete env.PORT;
    delete env.CODE_SERVER_HOST;
    return env;
  }

  async openWorkbench() {
    const home = join(this.tmp, 'browser-home');
    mkdirSync(home);
    this.browser = await launchChromium(home);
    const context = await this.browser.newContext({
      viewport: this.options.viewport ?? { width: 1400, height: 900 },
    });
    this.page = await context.newPage();
    this.page.setDefaultTimeout(STEP_TIMEOUT_MS);
    this.page.on('console', (msg) =>
      this.onConsole({ type: msg.type(), text: msg.text(), url: msg.location().url }),
    );
    this.page.on('pageerror', (err) =>
      this.onConsole({ type: 'pageerror', text: err.stack ?? err.message, url: '' }),
    );
    await this.race(
      this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`),
    );
    // The workbench is ready when the explorer lists the workspace.
    await this.race(
      this.page
        .locator('.explorer-folders-view .monaco-list-row')
        .first()
        .waitFor({ timeout: WORKBENCH_TIMEOUT_MS }),
    );
    this.mark('workbench');
  }

  /** @param {ConsoleEntry} entry */
  onConsole(entry) {
    this.console.push(entry);
    if (this.fatal) return;
    if (entry.text.includes(`Activating extension '${this.extensionId}' failed`)) {
      this.setFatal(new Error(`e2e: extension activation failed (browser console): ${entry.text}`));
    } else if (cspViolation.test(entry.text)) {
      this.setFatal(
        new Error(
          `e2e: Content Security Policy violation (browser console, ${entry.url.split('?')[0] || 'no url'}): ${entry.text}`,
        ),
      );
    }
  }

  /** An `[error]` line in the extension's log (format of src/extension/log.ts) fails the test at once, stack included. */
  checkLogForErrors() {
    if (this.fatal) return;
    const lines = this.readLog().split('\n');
    const i = lines.findIndex((l) => /^\S+ \[error\] /.test(l));
    if (i < 0) return;
    const detail = [lines[i], ...lines.slice(i + 1, i + 6).filter((l) => /^\s/.test(l))].join('\n');
    this.setFatal(new Error(`e2e: the extension logged an error (PERSONA_LENS_LOG_FILE):\n${detail}`));
  }

  /** @param {Error} err */
  setFatal(err) {
    this.fatal = err;
    this.rejectFatal(err);
  }

  /** Throws the first fatal signal, if any; called after a test body passes. */
  assertHealthy() {
    if (this.fatal) throw this.fatal;
  }

  /**
   * Awaits `p` unless a fatal signal comes first.
   * @template T
   * @param {Promise<T>} p
   * @returns {Promise<T>}
   */
  race(p) {
    return Promise.race([p, this.fatalPromise]);
  }

  /**
   * Opens a workspace file through Quick Open (Ctrl+P) and waits until its editor shows text.
   * @param {string} fileName
   */
  async openFile(fileName) {
    const page = this.page;
    const qi = page.locator('.quick-input-widget');
    await page.keyboard.press('Control+P');
    await this.race(qi.locator('input').waitFor({ state: 'visible' }));
    await page.keyboard.type(fileName);
    const row = qi.locator('.monaco-list-row', { hasText: fileName }).first();
    await this.race(row.waitFor());
    // Click the row: Enter opens whichever row is focused, which may still be a recent file while the list updates.
    await row.click();
    await this.race(page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor());
    await this.race(page.locator('.editor-instance .view-lines .view-line').first().waitFor());
    this.mark(`opened ${fileName}`);
  }

  /**
   * Runs a command from the command palette (F1) by its full title, e.g. "Persona Lens: Analyze File".
   * @param {string} title
   * @param {{ opensQuickPick?: boolean }} [options] the command shows its own quick pick (do not wait for the palette to close)
   */
  async runCommand(title, options = {}) {
    const page = this.page;
    const qi = page.locator('.quick-input-widget');
    const row = qi.locator('.monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    // The palette lists the commands known when it opens: right after start the extension host may
    // not have registered the extension's contributions yet, so reopen it until the command is there.
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      await page.keyboard.press('F1');
      await this.race(qi.locator('input').waitFor({ state: 'visible' }));
      await page.keyboard.type(title);
      const found = await this.race(
        row
          .first()
          .waitFor({ timeout: 3000 })
          .then(() => true)
          .catch((/** @type {unknown} */ err) => {
            if (err instanceof Error && err.name === 'TimeoutError' && Date.now() < deadline) return false;
            throw err;
          }),
      );
      if (found) break;
      await page.keyboard.press('Escape');
      await this.race(qi.waitFor({ state: 'hidden' }));
    }
    // Click the row: Enter would run the first row, which may be another command containing the title.
    await row.first().click();
    if (options.opensQuickPick) {
      // The palette's input is reused by the command's quick pick: wait until it no longer holds the title.
      await this.race(
        page.waitForFunction(
          (typed) => {
            const input = document.querySelector('.quick-input-widget input');
            return !(input instanceof HTMLInputElement) || input.value !== typed;
          },
          `>${title}`,
          { polling: POLL_MS },
        ),
      );
    } else {
      await this.race(qi.waitFor({ state: 'hidden' }));
    }
    this.mark(`ran ${title}`);
  }

  /**
   * Waits until some editor text span has a CSS ::before or ::after content matching `pattern` (decoration
   * `after.contentText` is drawn by a CSS rule, not DOM text: testing.md §4). Returns that content.
   * @param {RegExp} pattern
   * @param {number} [timeout]
   * @returns {Promise<string>}
   */
  async waitForDecoration(pattern, timeout = STEP_TIMEOUT_MS) {
    const handle = await this.race(
      this.page
        .waitForFunction(
          ({ source, flags }) => {
            const re = new RegExp(source, flags);
            for (const el of document.querySelectorAll('.monaco-editor .view-lines span')) {
              for (const pseudo of ['::before', '::after']) {
                const content = getComputedStyle(el, pseudo).content;
                if (content && content !== 'none' && re.test(content)) return content;
              }
            }
            return false;
          },
          { source: pattern.source, flags: pattern.flags },
          { timeout, polling: POLL_MS },
        )
        .catch(async (/** @type {unknown} */ err) => {
          if (this.fatal || !(err instanceof Error) || err.name !== 'TimeoutError') throw err;
          const seen = await this.decorationTexts().catch(() => []);
          throw new Error(
            `e2e: no editor decoration matching ${pattern} after ${timeout} ms; decoration texts on screen: ${seen.length ? seen.join(', ') : '(none)'}`,
          );
        }),
    );
    this.mark(`decoration ${pattern}`);
    return /** @type {string} */ (await handle.jsonValue());
  }

  /** Distinct CSS ::before/::after texts of the visible editor lines (decorations drawn now). */
  async decorationTexts() {
    return this.page.evaluate(() => {
      const texts = new Set();
      for (const el of document.querySelectorAll('.monaco-editor .view-lines span')) {
        for (const pseudo of ['::before', '::after']) {
          const c = getComputedStyle(el, pseudo).content;
          if (c && c !== 'none' && c !== 'normal' && c !== '""') texts.add(c);
        }
      }
      return [...texts];
    });
  }

  /**
   * The Monaco editor showing a document whose URI ends with `/fileName` (its `data-uri`).
   * @param {string} fileName
   */
  editor(fileName) {
    return this.page.locator(`.monaco-editor[data-uri$="/${fileName}"]`).first();
  }

  /**
   * Every decoration text drawn in the editor of `fileName`, with its line: scrolls the editor from
   * top to bottom, because Monaco renders only the lines in view. Word wrap must be off (one view
   * line per line). `before`/`after` texts are CSS pseudo-element content (testing.md §4).
   * @param {string} fileName
   * @returns {Promise<EditorDecoration[]>}
   */
  async editorDecorations(fileName) {
    const page = this.page;
    const editor = this.editor(fileName);
    await this.race(editor.waitFor());
    const box = await editor.boundingBox();
    if (!box) throw new Error(`e2e: the editor of ${fileName} has no box`);
    // Wheel over the line numbers: scrolls without opening hovers over the text.
    await page.mouse.move(box.x + 12, box.y + box.height / 2);
    await page.mouse.wheel(0, -1e7);
    /** @type {Map<string, EditorDecoration>} */
    const seen = new Map();
    let lastLine = -1;
    for (let step = 0; step < 1000; step++) {
      await nextFrames(page);
      const view = await editor.evaluate(readEditorView);
      for (const d of view.decorations) seen.set(`${d.line}:${d.pseudo}:${d.text}`, d);
      if (view.lastLine === lastLine) break;
      lastLine = view.lastLine;
      await page.mouse.wheel(0, Math.max(100, box.height * 0.8));
    }
    await page.mouse.wheel(0, -1e7);
    await nextFrames(page);
    return [...seen.values()].sort((a, b) => a.line - b.line);
  }

  /**
   * Decorations drawn now on one line of the editor of `fileName` (scroll it into view first).
   * @param {string} fileName
   * @param {number} line one-based
   */
  async lineDecorations(fileName, line) {
    const view = await this.editor(fileName).evaluate(readEditorView);
    return view.decorations.filter((d) => d.line === line);
  }

  /**
   * Brings a line to the middle of the editor with "Go to Line" (Ctrl+G), which moves the cursor there.
   * @param {number} line one-based
   */
  async goToLine(line) {
    const page = this.page;
    const qi = page.locator('.quick-input-widget');
    await page.keyboard.press('Control+G');
    await this.race(qi.locator('input').waitFor({ state: 'visible' }));
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await this.race(qi.waitFor({ state: 'hidden' }));
  }

  /**
   * The on-screen box of the text on a line that contains `needle` (a rendered token span),
   * clipped to the editor; the line must be in view.
   * @param {string} fileName
   * @param {number} line one-based
   * @param {string} needle
   */
  async textBox(fileName, line, needle) {
    const editor = this.editor(fileName);
    const box = await editor.evaluate(
      (root, { line, needle }) => {
        const top = [...root.querySelectorAll('.margin-view-overlays > div')].find(
          (d) => d.querySelector('.line-numbers')?.textContent?.trim() === String(line),
        );
        if (!(top instanceof HTMLElement)) return null;
        const viewLine = [...root.querySelectorAll('.view-lines > .view-line')].find(
          (v) => v instanceof HTMLElement && v.style.top === top.style.top,
        );
        const span = [...(viewLine?.querySelectorAll('span span') ?? [])].find((s) =>
          s.textContent?.replace(/\u00a0/g, ' ').includes(needle),
        );
        if (!span) return null;
        const r = span.getBoundingClientRect();
        const e = root.querySelector('.view-lines')?.parentElement?.getBoundingClientRect() ?? r;
        const left = Math.max(r.left, e.left);
        const right = Math.min(r.right, e.right - 20);
        return { x: left, y: r.top, width: Math.max(0, right - left), height: r.height };
      },
      { line, needle },
    );
    if (!box || box.width === 0)
      throw new Error(`e2e: no visible text "${needle}" on line ${line} of ${fileName}`);
    return box;
  }

  /**
   * Hovers the mouse over text on a line and returns the hover widget's text once it contains `expect`.
   * @param {string} fileName
   * @param {number} line one-based
   * @param {string} needle text on that line to hover
   * @param {RegExp} expect
   */
  async hover(fileName, line, needle, expect) {
    const box = await this.textBox(fileName, line, needle);
    await this.page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2);
    const widget = this.page.locator('.monaco-hover:not(.hidden)', { hasText: expect }).first();
    await this.race(widget.waitFor({ state: 'visible' }));
    this.mark(`hover ${fileName}:${line}`);
    return widget.innerText();
  }

  /**
   * Switches the colour theme through "Preferences: Color Theme" (the web workbench does not pick up
   * a changed settings file while running) and waits until the workbench wears it.
   * @param {string} theme the label in the theme picker, e.g. "Light Modern" (setting id "Default Light Modern")
   * @param {'light' | 'dark'} kind
   */
  async setColorTheme(theme, kind) {
    const page = this.page;
    const qi = page.locator('.quick-input-widget');
    await this.runCommand('Preferences: Color Theme', { opensQuickPick: true });
    await this.race(qi.locator('input').waitFor({ state: 'visible' }));
    await page.keyboard.type(theme);
    const row = qi
      .locator('.monaco-list-row', {
        has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(theme)}$`) }),
      })
      .first();
    await this.race(row.waitFor());
    await row.click();
    await this.race(qi.waitFor({ state: 'hidden' }));
    await this.race(
      page.locator(kind === 'light' ? '.monaco-workbench.vs' : '.monaco-workbench.vs-dark').waitFor(),
    );
    this.mark(`theme ${theme}`);
  }

  /**
   * Merges `settings` into the user settings file; VS Code applies the change live.
   * @param {Record<string, unknown>} settings
   */
  updateUserSettings(settings) {
    this.userSettings = { ...this.userSettings, ...settings };
    writeFileSync(this.userSettingsFile, JSON.stringify(this.userSettings, null, 2));
  }

  /**
   * The content frame of the first webview panel (outer iframe.webview, inner iframe#active-frame).
   * @returns {FrameLocator}
   */
  webviewFrame() {
    return this.page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
  }

  /** Everything the extension logged so far (PERSONA_LENS_LOG_FILE). */
  readLog() {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return ''; // removed by close()
    }
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
      await new Promise((r) => setTimeout(r, POLL_MS));
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
        this.mark(`log ${String(pattern)}`);
        return line;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `e2e: no line matching ${String(pattern)} in ${this.logFile} after ${timeout} ms; it holds:\n${this.readLog() || '(empty)'}`,
        );
      }
      await delay(POLL_MS);
    }
  }

  /**
   * Saves a screenshot under test-results/e2e/<test>/ and returns its path.
   * @param {string} label
   */
  async screenshot(label) {
    const file = join(
      this.artifactsDir,
      `${String(++this.screenshotCount).padStart(2, '0')}-${label.replace(/[^\w.-]+/g, '-')}.png`,
    );
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Adds a failure screenshot and the logs to the artifacts and rethrows `err` with their paths.
   * @param {unknown} err
   * @returns {Promise<never>}
   */
  async fail(err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const notes = [];
    if (this.page && !this.page.isClosed()) {
      try {
        notes.push(`screenshot: ${relative(process.cwd(), await this.screenshot('failure'))}`);
      } catch (e) {
        notes.push(`screenshot failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.saveLogs();
    notes.push(`logs: ${relative(process.cwd(), this.artifactsDir)}/`);
    const logTail = this.readLog()
      .trimEnd()
      .split('\n')
      .filter((l) => /^\S+ \[/.test(l))
      .slice(-5);
    if (logTail.length)
      notes.push(`extension log (last lines):\n  ${logTail.map((l) => l.slice(0, 300)).join('\n  ')}`);
    const dialog = await this.dialogText();
    if (dialog) notes.push(`dialog on screen: ${dialog}`);
    const tailLines = this.console
      .filter((c) => (c.type === 'error' || c.type === 'pageerror') && !knownNoise.test(c.text + c.url))
      .slice(-5);
    if (tailLines.length)
      notes.push(`last console errors:\n  ${tailLines.map((c) => c.text.split('\n')[0]).join('\n  ')}`);
    console.error(`e2e failure in ${this.name}:\n${notes.join('\n')}`);
    error.message += `\n${notes.join('\n')}`;
    throw error;
  }

  /** Text of a modal dialog (e.g. "command '…' not found"), if one is open. */
  async dialogText() {
    if (!this.page || this.page.isClosed()) return undefined;
    try {
      const box = this.page.locator('.monaco-dialog-box');
      return (await box.count())
        ? (await box.first().innerText({ timeout: 1000 })).replace(/\s+/g, ' ')
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Copies the extension log, code-server output, extension-host logs and browser console into the artifacts folder. */
  saveLogs() {
    try {
      mkdirSync(this.artifactsDir, { recursive: true });
      if (existsSync(this.logFile)) cpSync(this.logFile, join(this.artifactsDir, 'persona-lens.log'));
      if (existsSync(this.serverLog)) cpSync(this.serverLog, join(this.artifactsDir, 'code-server.log'));
      for (const f of findFiles(join(this.userDataDir, 'logs'), (p) => p.endsWith('.log'))) {
        if (/remoteexthost|remoteagent|Persona Lens/.test(f))
          cpSync(f, join(this.artifactsDir, `vscode-${basename(f).replace(/\s+/g, '-')}`));
      }
      writeFileSync(join(this.artifactsDir, 'timings.json'), `${JSON.stringify(this.timings, null, 2)}\n`);
      writeFileSync(
        join(this.artifactsDir, 'browser-console.log'),
        this.console.map((c) => `[${c.type}] ${c.text}${c.url ? ` (${c.url})` : ''}`).join('\n'),
      );
    } catch (e) {
      console.error(`e2e: could not save logs: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Closes the browser, then stops code-server's whole process group (SIGTERM, SIGKILL after 10 s), then removes the temp dirs. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.logWatch);
    if (!this.fatal) this.saveLogs();
    await this.browser?.close().catch(() => {});
    if (this.pgid !== undefined) await stopGroup(this.pgid);
    this.mark('closed');
    try {
      writeFileSync(join(this.artifactsDir, 'timings.json'), `${JSON.stringify(this.timings, null, 2)}\n`);
    } catch {
      // artifacts are a convenience
    }
    rmSync(this.tmp, { recursive: true, force: true, maxRetries: 3 });
    liveTmpDirs.delete(this.tmp);
  }
}

/**
 * @typedef {object} EditorDecoration
 * @property {number} line one-based line number
 * @property {'::before' | '::after'} pseudo
 * @property {string} text the drawn text (CSS content without its quotes)
 * @property {string} fontStyle computed font-style ("italic" for stale values)
 * @property {string} color computed colour
 */

/**
 * Runs in the page on a `.monaco-editor`: its rendered lines (line numbers from the margin, matched
 * to view lines by their `top`) and every decoration text drawn on them.
 * @param {Element} root
 * @returns {{ decorations: EditorDecoration[], firstLine: number, lastLine: number }}
 */
function readEditorView(root) {
  /** @type {Map<string, number>} */
  const lineAtTop = new Map();
  for (const div of root.querySelectorAll('.margin-view-overlays > div')) {
    const n = Number(div.querySelector('.line-numbers')?.textContent?.trim());
    if (div instanceof HTMLElement && Number.isInteger(n) && n > 0) lineAtTop.set(div.style.top, n);
  }
  /** @type {EditorDecoration[]} */
  const decorations = [];
  for (const viewLine of root.querySelectorAll('.view-lines > .view-line')) {
    if (!(viewLine instanceof HTMLElement)) continue;
    const line = lineAtTop.get(viewLine.style.top);
    if (line === undefined) continue;
    for (const el of viewLine.querySelectorAll('span')) {
      for (const pseudo of /** @type {const} */ (['::before', '::after'])) {
        const style = getComputedStyle(el, pseudo);
        const c = style.content;
        if (!c || c === 'none' || c === 'normal' || c === '""') continue;
        decorations.push({
          line,
          pseudo,
          text: c.replace(/^"|"$/g, '').replace(/\u00a0/g, ' '),
          fontStyle: style.fontStyle,
          color: style.color,
        });
      }
    }
  }
  const lines = [...lineAtTop.values()];
  return { decorations, firstLine: Math.min(...lines), lastLine: Math.max(...lines) };
}

/**
 * Resolves after the page painted twice (Monaco renders scroll and decoration changes on the next frame).
 * @param {Page} page
 */
function nextFrames(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(undefined)))),
  );
}

/** code-server process groups still running; killed if the test process ends without close() (crash, Ctrl+C, runner timeout). */
const liveGroups = new Set();
/** Temp dirs of sessions not closed yet; removed on exit too. */
const liveTmpDirs = new Set();
function killLiveGroups() {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  for (const dir of liveTmpDirs) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', killLiveGroups);
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(sig, () => {
    killLiveGroups();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

/** @param {number} pgid */
async function stopGroup(pgid) {
  if (!signalGroup(pgid, 'SIGTERM')) return liveGroups.delete(pgid);
  const deadline = Date.now() + KILL_GRACE_MS;
  while (signalGroup(pgid, 0)) {
    if (Date.now() > deadline) {
      signalGroup(pgid, 'SIGKILL');
      break;
    }
    await delay(100);
  }
  liveGroups.delete(pgid);
}

/**
 * @param {number} pgid
 * @param {NodeJS.Signals | 0} signal
 * @returns {boolean} false when no process of the group is left
 */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** @returns {Promise<number>} a port that was free on 127.0.0.1 a moment ago */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** @param {string} file @returns {any} */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** @param {string} file */
function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** @param {string} s */
function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * @param {string} dir
 * @param {(path: string) => boolean} keep
 * @returns {string[]}
 */
function findFiles(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? findFiles(p, keep) : keep(p) ? [p] : [];
  });
}
