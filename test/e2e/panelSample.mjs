// @ts-check
// What the drift-panel tests (tests/panel*.test.mjs) share: the sample transcript and where its
// assistant turns are, the re-run seed, and the steps that bring a session to an analysed panel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

/** @typedef {import('./harness.mjs').Session} Session */
/** @typedef {import('playwright-core').FrameLocator} FrameLocator */

export const sample = 'drifting-conversation.json';
export const sampleSource = join(repoRoot, 'samples', sample);
/**
 * The re-run's seed. On the current demo model, capping the last turn of the sample raises its value
 * above the original's under 18 of seeds 0..19 (median change +1.51; `node out/cli.js rerun
 * samples/drifting-conversation.json --turn 8 --seed S`), by more than +1 under 12 of them; seed 1 is
 * one where capping brings the assistant back (-0.23 -> +1.78: "Sure, I can help with that. I do not
 * have personal experiences, but I am glad to help. I am an AI assistant. ..."), so the tests show
 * the compare view with a real capping effect.
 */
export const SEED = 1;
/** Wide enough that the panel beside the editor shows the three compare columns readably. */
export const panelViewport = { width: 1800, height: 1000 };
/** The session settings of the panel tests: the demo model, re-runs with SEED. */
export const panelSettings = {
  'persona-lens.model': 'demo',
  'persona-lens.generation.seed': SEED,
  'persona-lens.generation.maxTokens': 128,
};

/**
 * The sample's text, its messages and its assistant turns. The system message is a turn of its own,
 * so a turn's index is its index in "messages".
 */
export function readSample() {
  const text = readFileSync(sampleSource, 'utf8');
  /** @type {{ role: string, content: string }[]} */
  const messages = JSON.parse(text).messages;
  const assistant = messages.flatMap((m, i) =>
    m.role === 'assistant' ? [{ turn: i, content: m.content }] : [],
  );
  const last = assistant.at(-1);
  assert.ok(last, 'the sample has an assistant turn');
  /** The one-based line of the sample on which `content` starts. */
  const lineOf = (/** @type {string} */ content) => text.slice(0, text.indexOf(content)).split('\n').length;
  return { text, messages, assistant, last, lineOf };
}

/**
 * An attribute of the first element matching `selector` in the panel ('' when absent).
 * @param {FrameLocator} panel
 * @param {string} selector
 * @param {string} name
 */
export async function attr(panel, selector, name) {
  return (await panel.locator(selector).first().getAttribute(name)) ?? '';
}

/**
 * Opens `file`, runs Analyze File and waits for its values in the editor and `points` points in the
 * drift panel, which the command opens beside the editor. Returns the panel's frame.
 * @param {Session} s
 * @param {string} file
 * @param {number} points assistant turns of the file
 */
export async function analyzeInPanel(s, file, points) {
  await s.openFile(file);
  await s.waitForLogLine('Persona Lens activated');
  await s.runCommand('Persona Lens: Analyze File');
  await s.waitForDecoration(/axis [+\-−]?\d/, 60_000);
  const panel = s.webviewFrame();
  await s.race(panel.locator(`body[data-ready="true"][data-points="${points}"]`).waitFor());
  return panel;
}

/**
 * Clicks a turn's point on the drift plot and waits until the panel has selected it.
 * @param {Session} s
 * @param {FrameLocator} panel
 * @param {number} turn
 */
export async function clickPoint(s, panel, turn) {
  const positions = JSON.parse(await attr(panel, 'canvas#drift-chart', 'data-point-positions'));
  const [x, y] = positions[`0:${turn}`];
  await panel.locator('canvas#drift-chart').click({ position: { x, y } });
  await s.race(panel.locator(`body[data-selected="0:${turn}"]`).waitFor());
}

/**
 * Selects the last assistant turn with the keyboard: the plot is focusable and End moves the selection there.
 * @param {Session} s
 * @param {FrameLocator} panel
 * @param {number} turn the last assistant turn
 */
export async function selectLastTurn(s, panel, turn) {
  await panel.locator('canvas#drift-chart').focus();
  await s.page.keyboard.press('End');
  await s.race(panel.locator(`body[data-selected="0:${turn}"]`).waitFor());
}

/**
 * Re-runs the selected turn with capping from the panel's button and waits for the compare view to finish.
 * @param {Session} s
 * @param {FrameLocator} panel
 */
export async function rerunSelected(s, panel) {
  await panel.locator('vscode-button#rerun:not([disabled])').click();
  await s.race(panel.locator('body[data-view="compare"]').waitFor());
  await s.race(panel.locator('#compare[data-phase="done"]').waitFor({ timeout: 120_000 }));
  await s.waitForLogLine(/Re-ran turn \d+ of .* ms: original/);
}

/**
 * The value a compare column shows for its reply.
 * @param {FrameLocator} panel
 * @param {'col-original' | 'col-uncapped' | 'col-capped'} column
 */
export async function columnValue(panel, column) {
  return Number(await attr(panel, `#${column}`, 'data-value'));
}
