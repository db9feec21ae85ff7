// @ts-check
// Per-token heat in the real VS Code (issue 29 item 4), the part bench/tokenHeat.ts cannot see: the
// 30-turn, ~22k-token transcript scored by the demo model in code-server (the e2e harness), then heat
// toggled on three times and the document edited three times; each redraw logs its compute and
// setDecorations ("apply") time, and the time from the command to shaded text on screen is taken
// here. Run by `npm run bench -- --only tokenHeat` when the e2e setup is installed
// (bash test/e2e/setup.sh); prints one JSON line on stdout.
//   node bench/tokenHeatEditor.mjs TRANSCRIPT.json
import { performance } from 'node:perf_hooks';
import { withSession } from '../test/e2e/harness.mjs';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/tokenHeatEditor.mjs TRANSCRIPT.json');
const name = 'long-chat.json';
const REDRAW = /Token heat: (\d+) ranges over (\d+) tokens in .* \(compute ([\d.]+) ms, apply ([\d.]+) ms\)/;

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

await withSession(
  {
    name: 'bench-token-heat',
    transcripts: [],
    files: { [name]: file },
    settings: {
      'persona-lens.model': 'demo',
      'persona-lens.panel.openOnAnalyze': false,
      'persona-lens.maxTokensPerConversation': 32768,
      // Edits are measured as heat follows them on the old scores, before a re-score replaces them.
      'persona-lens.analyze.debounceMs': 10_000,
    },
  },
  async (s) => {
    /** The redraw log lines so far. */
    const redraws = () => s.readLog().split('\n').filter((l) => REDRAW.test(l));
    /** Waits for the next redraw line after `before` of them. */
    const nextRedraw = async (/** @type {number} */ before) => {
      const line = await s.waitFor(async () => redraws()[before] ?? null, 'a token heat redraw', { timeout: 120_000 });
      const m = REDRAW.exec(line);
      if (!m) throw new Error(line);
      return { ranges: Number(m[1]), tokens: Number(m[2]), computeMs: Number(m[3]), applyMs: Number(m[4]) };
    };
    await s.openFile(name);
    const t0 = performance.now();
    await s.runCommand('Persona Lens: Analyze File');
    await s.waitForLogLine(`Analyzed ${name}`, 600_000);
    const analyzeMs = performance.now() - t0;
    /** @type {{ ranges: number; tokens: number; computeMs: number; applyMs: number; toScreenMs: number }[]} */
    const toggles = [];
    for (let i = 0; i < 3; i++) {
      const before = redraws().length;
      const t = performance.now();
      await s.runCommand('Persona Lens: Toggle Token Heat');
      const r = await nextRedraw(before);
      await s.waitFor(async () => ((await s.shadedRanges(name)).length > 0 ? true : null), 'shaded text on screen');
      toggles.push({ ...r, toScreenMs: performance.now() - t });
      await s.runCommand('Persona Lens: Toggle Token Heat');
      await s.waitFor(async () => ((await s.shadedRanges(name)).length === 0 ? true : null), 'heat cleared');
    }
    const on = redraws().length;
    await s.runCommand('Persona Lens: Toggle Token Heat');
    await nextRedraw(on);
    /** @type {{ ranges: number; tokens: number; computeMs: number; applyMs: number }[]} */
    const edits = [];
    for (let i = 0; i < 3; i++) {
      const before = redraws().length;
      // A space after the opening brace: the JSON stays valid and every turn moves by one character.
      await s.page.keyboard.press('Control+Home');
      await s.page.keyboard.press('End');
      await s.page.keyboard.insertText(' ');
      edits.push(await nextRedraw(before));
    }
    const out = {
      analyzeMs: Math.round(analyzeMs),
      ranges: toggles[0]?.ranges,
      tokens: toggles[0]?.tokens,
      toggle: {
        computeMsMedian: median(toggles.map((t) => t.computeMs)),
        applyMsMedian: median(toggles.map((t) => t.applyMs)),
        toScreenMsMedian: Math.round(median(toggles.map((t) => t.toScreenMs))),
      },
      edit: { computeMsMedian: median(edits.map((t) => t.computeMs)), applyMsMedian: median(edits.map((t) => t.applyMs)) },
      raw: { toggles, edits },
      note: 'toScreenMs includes opening the command palette and typing the command (about a second of UI driving)',
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  },
);
