// @ts-check
// What an e2e test leaves behind for a person to look at: test-results/e2e/<test>/ with numbered
// screenshots, copies of the extension, code-server and extension-host logs, the browser console,
// step timings, and, when the test fails, a failure screenshot and a summary added to the error.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './server.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {{ type: string, text: string, url: string }} ConsoleEntry */

/** Screenshots and logs of every run land here (git-ignored). */
export const resultsDir = join(repoRoot, 'test-results', 'e2e');

/** Harmless console errors of code-server (testing.md §4): the closed-source vsda module is not shipped. */
const knownNoise = /\/vsda\//;

/** The artifacts folder of one test, emptied when the test starts. */
export class Artifacts {
  /** @param {string} name the test's name, already safe as a file name */
  constructor(name) {
    this.dir = join(resultsDir, name);
    this.screenshotCount = 0;
    this.t0 = Date.now();
    /** @type {Record<string, number>} ms since launch at each step, saved as timings.json (for reports, never asserted) */
    this.timings = {};
  }

  /** Empties the folder left by the previous run. */
  reset() {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** @param {string} label */
  mark(label) {
    this.timings[label] = Date.now() - this.t0;
  }

  /**
   * Saves a screenshot of `page` as <NN>-<label>.png and returns its path.
   * @param {Page} page
   * @param {string} label
   */
  async screenshot(page, label) {
    const file = join(
      this.dir,
      `${String(++this.screenshotCount).padStart(2, '0')}-${label.replace(/[^\w.-]+/g, '-')}.png`,
    );
    await page.screenshot({ path: file });
    return file;
  }

  /**
   * Copies the given logs and writes the browser console and the timings.
   * @param {[string, string][]} logFiles artifact file name -> source path
   * @param {ConsoleEntry[]} consoleEntries
   */
  saveLogs(logFiles, consoleEntries) {
    try {
      mkdirSync(this.dir, { recursive: true });
      for (const [name, source] of logFiles) cpSync(source, join(this.dir, name));
      this.saveTimings();
      writeFileSync(
        join(this.dir, 'browser-console.log'),
        consoleEntries.map((c) => `[${c.type}] ${c.text}${c.url ? ` (${c.url})` : ''}`).join('\n'),
      );
    } catch (e) {
      console.error(`e2e: could not save logs: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  saveTimings() {
    writeFileSync(join(this.dir, 'timings.json'), `${JSON.stringify(this.timings, null, 2)}\n`);
  }

  /**
   * What a failure report says besides the error: the failure screenshot, where the logs are, the
   * extension's last log lines, a dialog on screen and the last console errors.
   * @param {{ page: Page | undefined, logFiles: () => [string, string][], log: () => string, dialog: () => Promise<string | undefined>, consoleEntries: ConsoleEntry[] }} state
   * @returns {Promise<string[]>}
   */
  async failureNotes({ page, logFiles, log, dialog, consoleEntries }) {
    const notes = [];
    if (page && !page.isClosed()) {
      try {
        notes.push(`screenshot: ${relative(process.cwd(), await this.screenshot(page, 'failure'))}`);
      } catch (e) {
        notes.push(`screenshot failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.saveLogs(logFiles(), consoleEntries);
    notes.push(`logs: ${relative(process.cwd(), this.dir)}/`);
    const logTail = log()
      .trimEnd()
      .split('\n')
      .filter((l) => /^\S+ \[/.test(l))
      .slice(-5);
    if (logTail.length)
      notes.push(`extension log (last lines):\n  ${logTail.map((l) => l.slice(0, 300)).join('\n  ')}`);
    const dialogText = await dialog();
    if (dialogText) notes.push(`dialog on screen: ${dialogText}`);
    const tailLines = consoleEntries
      .filter((c) => (c.type === 'error' || c.type === 'pageerror') && !knownNoise.test(c.text + c.url))
      .slice(-5);
    if (tailLines.length)
      notes.push(`last console errors:\n  ${tailLines.map((c) => c.text.split('\n')[0]).join('\n  ')}`);
    return notes;
  }
}
