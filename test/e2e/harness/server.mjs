// @ts-check
// The code-server side of an e2e session (recipe: ../shared/docs/testing.md §1-3, §5): a throwaway
// workspace, user data, extensions, XDG and TMP dirs; the extension symlinked in or installed from a
// VSIX; the server started in its own process group, polled until healthy, and stopped with all its
// children. Nothing here knows about the browser.
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
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TRANSCRIPTS_DIR } from '../../support/shared.mjs';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

const codeServerEntry = join(
  import.meta.dirname,
  '..',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

const HEALTH_TIMEOUT_MS = 30_000;
/** After SIGTERM, code-server's process group exits in 1–2 s; SIGKILL it if it has not after this. */
const KILL_GRACE_MS = 10_000;
const POLL_MS = 200;

/** VS Code settings written before start. `startupEditor: none` keeps the walkthrough from stealing focus (testing.md §3). */
const defaultUserSettings = {
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

/**
 * @typedef {object} ServerOptions
 * @property {string[]} [transcripts] Files from the shared persona_drift folder to copy into the temp workspace.
 * @property {string} [extensionPath] Extension folder (package.json + out/ + node_modules); default:
 *   $PERSONA_LENS_E2E_EXTENSION, else the repo root (the development extension).
 * @property {string} [vsix] Install this packaged .vsix with `code-server --install-extension` instead of
 *   symlinking a folder: tests what ships (extensionPath then only names the package.json to read).
 *   Default: $PERSONA_LENS_E2E_VSIX.
 * @property {Record<string, unknown>} [settings] VS Code user settings added to the harness defaults (e.g. `persona-lens.*`).
 * @property {Record<string, string>} [env] Extra environment for code-server (and so the extension host).
 * @property {Record<string, string>} [files] More workspace files: relative path in the workspace -> source file to copy.
 * @property {Record<string, unknown>} [workspaceSettings] Written to the workspace's .vscode/settings.json before start.
 * @property {boolean} [untrusted] Start in Restricted Mode: workspace trust on, the workspace not trusted
 *   and no trust prompt (by default the harness disables workspace trust, which trusts everything).
 */

/** One code-server with its own temp dirs; `prepare()`, then `start()`, then `stop()` and `dispose()`. */
export class CodeServer {
  /**
   * @param {ServerOptions} options
   * @param {(label: string) => void} mark records a step's time (artifacts' timings.json)
   */
  constructor(options, mark) {
    this.options = options;
    this.mark = mark;
    this.extensionPath = options.extensionPath ?? process.env.PERSONA_LENS_E2E_EXTENSION ?? repoRoot;
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
    /** code-server's own stdout and stderr. */
    this.serverLog = join(this.tmp, 'code-server.log');
    this.port = 0;
    /** @type {number | undefined} code-server's pid = its process group id */
    this.pgid = undefined;
    /** Publisher.name of the extension under test, read from its package.json. */
    this.extensionId = '';
  }

  /** Writes the workspace, user data and settings, and puts the extension (folder or VSIX) in place. */
  prepare() {
    if (!existsSync(codeServerEntry))
      throw new Error(`e2e: ${codeServerEntry} is missing; run \`bash test/e2e/setup.sh\``);
    this.prepareWorkspace();
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    for (const d of ['tmp', 'xdg-config', 'xdg-data', 'xdg-cache', 'extensions'])
      mkdirSync(join(this.tmp, d));
    const vsix = this.options.vsix ?? process.env.PERSONA_LENS_E2E_VSIX;
    if (vsix) this.installVsix(vsix);
    else this.linkExtension();
    /** The user settings as written; updateUserSettings() merges into them. */
    this.userSettings = {
      ...defaultUserSettings,
      ...(this.options.untrusted ? untrustedSettings : {}),
      ...this.options.settings,
    };
    writeFileSync(this.userSettingsFile, JSON.stringify(this.userSettings, null, 2));
    writeFileSync(this.logFile, '');
  }

  prepareWorkspace() {
    mkdirSync(this.workspace, { recursive: true });
    for (const file of this.options.transcripts ?? []) {
      const source = join(TRANSCRIPTS_DIR, file);
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

  linkExtension() {
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
        env: this.env(),
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

  /** Starts code-server on a free port and waits until /healthz answers. */
  async start() {
    this.port = await freePort();
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
    const child = spawn(process.execPath, args, {
      env: this.env(),
      detached: true,
      stdio: ['ignore', out, out],
    });
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

  /** The workbench URL with the temp workspace open. */
  workbenchUrl() {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`;
  }

  /** @returns {NodeJS.ProcessEnv} */
  env() {
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

  /**
   * Merges `settings` into the user settings file; VS Code applies the change live.
   * @param {Record<string, unknown>} settings
   */
  updateUserSettings(settings) {
    this.userSettings = { ...this.userSettings, ...settings };
    writeFileSync(this.userSettingsFile, JSON.stringify(this.userSettings, null, 2));
  }

  /** Everything the extension logged so far (PERSONA_LENS_LOG_FILE). */
  readLog() {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return ''; // removed by dispose()
    }
  }

  /**
   * The logs worth keeping with a test's artifacts: artifact file name -> source path.
   * @returns {[string, string][]}
   */
  logFiles() {
    /** @type {[string, string][]} */
    const files = [
      ['persona-lens.log', this.logFile],
      ['code-server.log', this.serverLog],
    ];
    for (const f of findFiles(join(this.userDataDir, 'logs'), (p) => p.endsWith('.log'))) {
      if (/remoteexthost|remoteagent|Persona Lens/.test(f))
        files.push([`vscode-${basename(f).replace(/\s+/g, '-')}`, f]);
    }
    return files.filter(([, path]) => existsSync(path));
  }

  /** Stops code-server's whole process group: SIGTERM, SIGKILL after 10 s. */
  async stop() {
    if (this.pgid !== undefined) await stopGroup(this.pgid);
  }

  /** Removes the temp dirs. */
  dispose() {
    rmSync(this.tmp, { recursive: true, force: true, maxRetries: 3 });
    liveTmpDirs.delete(this.tmp);
  }
}

/** code-server process groups still running; killed if the test process ends without stop() (crash, Ctrl+C, runner timeout). */
const liveGroups = new Set();
/** Temp dirs of servers not disposed yet; removed on exit too. */
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
