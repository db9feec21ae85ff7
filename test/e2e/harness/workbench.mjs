// @ts-check
// The VS Code web workbench as a page object (testing.md §4): headless Debian chromium driven by
// playwright-core; quick open, the command palette, go to line, editor decorations (drawn as CSS
// pseudo-element content, not DOM text), hovers, colour themes, webview frames, notifications, the
// status bar, save dialogs and modal dialogs. Every wait goes through `race`, so a fatal signal the
// session sees (activation error, CSP violation, logged error) ends a wait at once.
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */
/** @typedef {import('playwright-core').Locator} Locator */
/** @typedef {import('./artifacts.mjs').ConsoleEntry} ConsoleEntry */

/**
 * @typedef {object} Guard What the page object needs from its session.
 * @property {<T>(p: Promise<T>) => Promise<T>} race awaits a promise unless a fatal signal comes first
 * @property {(label: string) => void} mark records a step's time
 */

/** Default wait for one UI step; a failing wait costs all of it, so keep it short. */
export const STEP_TIMEOUT_MS = 30_000;
/** First workbench load includes the extension host start; slow on a busy 2-core machine. */
const WORKBENCH_TIMEOUT_MS = 90_000;
export const POLL_MS = 200;

const chromiumPath = process.env.PERSONA_LENS_E2E_CHROMIUM ?? '/usr/bin/chromium';
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

/**
 * @typedef {object} EditorDecoration
 * @property {number} line one-based line number
 * @property {'::before' | '::after'} pseudo
 * @property {string} text the drawn text (CSS content without its quotes)
 * @property {string} fontStyle computed font-style ("italic" for stale values)
 * @property {string} color computed colour
 */

export class Workbench {
  /** @param {Guard} guard */
  constructor(guard) {
    this.guard = guard;
    /** @type {Browser | undefined} */
    this.browser = undefined;
    /** @type {Page} set by openWorkbench() */
    this.page = /** @type {any} */ (undefined);
  }

  /**
   * Awaits `p` unless a fatal signal comes first.
   * @template T
   * @param {Promise<T>} p
   * @returns {Promise<T>}
   */
  race(p) {
    return this.guard.race(p);
  }

  /**
   * Starts chromium (profile under `home`), opens `url` and waits until the explorer lists the workspace.
   * @param {{ home: string, url: string, viewport?: { width: number, height: number }, onConsole: (entry: ConsoleEntry) => void }} o
   */
  async openWorkbench({ home, url, viewport, onConsole }) {
    this.browser = await launchChromium(home);
    const context = await this.browser.newContext({ viewport: viewport ?? { width: 1400, height: 900 } });
    this.page = await context.newPage();
    this.page.setDefaultTimeout(STEP_TIMEOUT_MS);
    this.page.on('console', (msg) =>
      onConsole({ type: msg.type(), text: msg.text(), url: msg.location().url }),
    );
    this.page.on('pageerror', (err) =>
      onConsole({ type: 'pageerror', text: err.stack ?? err.message, url: '' }),
    );
    await this.race(this.page.goto(url));
    // The workbench is ready when the explorer lists the workspace.
    await this.race(
      this.page
        .locator('.explorer-folders-view .monaco-list-row')
        .first()
        .waitFor({ timeout: WORKBENCH_TIMEOUT_MS }),
    );
    this.guard.mark('workbench');
  }

  async closeBrowser() {
    await this.browser?.close().catch(() => {});
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
    this.guard.mark(`opened ${fileName}`);
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
    this.guard.mark(`ran ${title}`);
  }

  /**
   * Waits until VS Code's save dialog (in code-server the simple dialog: a quick input holding the
   * path) proposes a path ending in `/fileName`, and returns its input; press Enter on it to save.
   * The dialog fills its path in steps (folder first), so the proposal is awaited, not read once.
   * @param {string} fileName
   * @returns {Promise<Locator>}
   */
  async saveDialog(fileName) {
    const input = this.page.locator('.quick-input-widget input');
    await this.race(
      this.page
        .waitForFunction(
          (name) => {
            const el = document.querySelector('.quick-input-widget input');
            return el instanceof HTMLInputElement && el.value.endsWith(`/${name}`);
          },
          fileName,
          { polling: POLL_MS, timeout: STEP_TIMEOUT_MS },
        )
        .catch(async (/** @type {unknown} */ err) => {
          if (!(err instanceof Error) || err.name !== 'TimeoutError') throw err;
          const proposed = await input.inputValue({ timeout: 1000 }).catch(() => '(no dialog)');
          throw new Error(`e2e: the save dialog proposes ${proposed}, not …/${fileName}`);
        }),
    );
    return input;
  }

  /**
   * Notification toasts whose text contains `text`.
   * @param {string | RegExp} text
   */
  notification(text) {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /**
   * Status bar items whose text contains `text`.
   * @param {string | RegExp} text
   */
  statusBarItem(text) {
    return this.page.locator('.statusbar-item', { hasText: text });
  }

  /**
   * Editor tabs with unsaved changes (all, or those whose label contains `text`).
   * @param {string} [text]
   */
  dirtyTabs(text) {
    return this.page.locator('.tabs-container .tab.dirty', text === undefined ? {} : { hasText: text });
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
          if (!(err instanceof Error) || err.name !== 'TimeoutError') throw err;
          const seen = await this.decorationTexts().catch(() => []);
          throw new Error(
            `e2e: no editor decoration matching ${pattern} after ${timeout} ms; decoration texts on screen: ${seen.length ? seen.join(', ') : '(none)'}`,
          );
        }),
    );
    this.guard.mark(`decoration ${pattern}`);
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
   * Every background-shaded text range (decorations drawn in Monaco's overlay layer with a
   * background colour, e.g. token heat) in the editor of `fileName`, with its line: scrolls top to
   * bottom like `editorDecorations`. Only extension decorations (`ced-…` classes) count: selection,
   * current-line and bracket-match highlights are left out.
   * @param {string} fileName
   * @returns {Promise<{ line: number; left: number; width: number; background: string }[]>}
   */
  async shadedRanges(fileName) {
    const page = this.page;
    const editor = this.editor(fileName);
    await this.race(editor.waitFor());
    const box = await editor.boundingBox();
    if (!box) throw new Error(`e2e: the editor of ${fileName} has no box`);
    await page.mouse.move(box.x + 12, box.y + box.height / 2);
    await page.mouse.wheel(0, -1e7);
    /** @type {Map<string, { line: number; left: number; width: number; background: string }>} */
    const seen = new Map();
    let lastLine = -1;
    for (let step = 0; step < 1000; step++) {
      await nextFrames(page);
      const view = await editor.evaluate(readShadedView);
      for (const r of view.ranges) seen.set(`${r.line}:${r.left}:${r.width}`, r);
      if (view.lastLine === lastLine) break;
      lastLine = view.lastLine;
      await page.mouse.wheel(0, Math.max(100, box.height * 0.8));
    }
    await page.mouse.wheel(0, -1e7);
    await nextFrames(page);
    return [...seen.values()].sort((a, b) => a.line - b.line || a.left - b.left);
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
    this.guard.mark(`hover ${fileName}:${line}`);
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
    this.guard.mark(`theme ${theme}`);
  }

  /**
   * The content frame of the first webview panel (outer iframe.webview, inner iframe#active-frame).
   * @returns {FrameLocator}
   */
  webviewFrame() {
    return this.page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
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
}

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
 * Shaded overlay decorations in view (runs in the page): each `.cdr` element of the overlay layer
 * whose computed background is not transparent, with the line of its overlay row.
 * @param {Element} root the .monaco-editor element
 */
function readShadedView(root) {
  /** @type {Map<string, number>} */
  const lineAtTop = new Map();
  for (const div of root.querySelectorAll('.margin-view-overlays > div')) {
    const n = Number(div.querySelector('.line-numbers')?.textContent?.trim());
    if (div instanceof HTMLElement && Number.isInteger(n) && n > 0) lineAtTop.set(div.style.top, n);
  }
  /** @type {{ line: number; left: number; width: number; background: string }[]} */
  const ranges = [];
  for (const row of root.querySelectorAll('.view-overlays > div')) {
    if (!(row instanceof HTMLElement)) continue;
    const line = lineAtTop.get(row.style.top);
    if (line === undefined) continue;
    for (const el of row.querySelectorAll('.cdr')) {
      // Extension decorations only (class ced-…): not the editor's own bracket matches and the like.
      if (!(el instanceof HTMLElement) || ![...el.classList].some((c) => c.startsWith('ced-'))) continue;
      const background = getComputedStyle(el).backgroundColor;
      if (!background || background === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(background)) continue;
      ranges.push({ line, left: parseFloat(el.style.left), width: parseFloat(el.style.width), background });
    }
  }
  const lines = [...lineAtTop.values()];
  return { ranges, firstLine: Math.min(...lines), lastLine: Math.max(...lines) };
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

/** @param {string} s */
function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
