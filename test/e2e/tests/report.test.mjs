// @ts-check
// The HTML report of `persona-lens report` opened in headless Chromium (no code-server needed):
// the drift plots really render (Chart.js drew one point per assistant turn, non-blank pixels at
// those points), the per-token strips are there, the page makes no network request and logs no
// error or CSP violation, in light and in dark colour schemes. Screenshots: test-results/e2e/report/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, repoRoot, resultsDir, withSession } from '../harness.mjs';
import { TRANSCRIPTS_DIR } from '../../support/shared.mjs';

const cli = join(repoRoot, 'out', 'cli.js');
const artifacts = join(resultsDir, 'report');

test('the HTML report renders its plots, strips and tables offline, in light and dark', async () => {
  assert.ok(existsSync(cli), `${cli} is missing; run "npm run build" first`);
  const tmp = mkdtempSync(join(tmpdir(), 'pl-report-e2e-'));
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const out = join(tmp, 'report.html');
  const transcripts = readdirSync(TRANSCRIPTS_DIR).map((f) => join(TRANSCRIPTS_DIR, f));
  const files = [join(repoRoot, 'samples', 'drifting-conversation.json'), ...transcripts];
  // --max-tokens keeps the paper's long transcripts to their first turns (the demo model's context is 16k tokens; scoring all of it takes minutes).
  const r = spawnSync(
    process.execPath,
    [cli, 'report', '--model', 'demo', '--quiet', '--max-tokens', '2048', '-o', out, ...files],
    {
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  const data = JSON.parse(
    /<script type="application\/json" id="pl-report-data">([^<]*)<\/script>/.exec(html)?.[1] ?? 'null',
  );
  assert.equal(data.charts.length, files.length);

  const home = join(tmp, 'browser-home');
  const browser = await launchChromium(home);
  try {
    for (const scheme of /** @type {const} */ (['light', 'dark'])) {
      const context = await browser.newContext({
        viewport: { width: 1200, height: 900 },
        colorScheme: scheme,
      });
      const page = await context.newPage();
      /** @type {string[]} */
      const problems = [];
      /** @type {string[]} */
      const requests = [];
      // Errors, and CSP violations at any level; the test's own getImageData readbacks warn about willReadFrequently.
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text()))
          problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (q) => requests.push(q.url()));
      const url = pathToFileURL(out).href;
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });

      const report = await page.evaluate(() => {
        const canvases = [...document.querySelectorAll('canvas')];
        return {
          charts: document.body.dataset.charts,
          background: getComputedStyle(document.body).backgroundColor,
          conversations: [...document.querySelectorAll('section.pl-conv')].map((s, i) => {
            const canvas = /** @type {HTMLCanvasElement} */ (canvases[i]);
            const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
            const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let p = 3; p < img.length; p += 4) if ((img[p] ?? 0) > 0) painted++;
            const scale = canvas.width / canvas.getBoundingClientRect().width;
            /** @type {[number, number][]} */
            const pixels = JSON.parse(canvas.dataset.pixels ?? '[]');
            // Alpha around each drawn point (a 3x3 patch: the marker has radius 4 CSS px).
            const atPoints = pixels.map(([x, y]) => {
              const d = ctx.getImageData(Math.round(x * scale) - 1, Math.round(y * scale) - 1, 3, 3).data;
              let a = 0;
              for (let p = 3; p < d.length; p += 4) a = Math.max(a, d[p] ?? 0);
              return a;
            });
            return {
              points: Number(canvas.dataset.points),
              assistantRows: s.querySelectorAll('table.pl-table tbody tr').length,
              strips: s.querySelectorAll('.pl-turn .pl-strip').length,
              tokens: s.querySelectorAll('.pl-turn .pl-tok').length,
              painted,
              area: canvas.width * canvas.height,
              atPoints,
            };
          }),
        };
      });
      await page.screenshot({ path: join(artifacts, `report-${scheme}.png`) });
      await page.locator('#pl-conv-0').screenshot({ path: join(artifacts, `conversation-${scheme}.png`) });
      assert.equal(report.charts, String(files.length));
      assert.equal(report.conversations.length, files.length);
      for (const [i, c] of report.conversations.entries()) {
        const expected = data.charts[i].points.length;
        assert.ok(expected > 0, `conversation ${i} has no assistant turn`);
        assert.equal(
          c.points,
          expected,
          `conversation ${i}: Chart.js drew ${c.points} points for ${expected} assistant turns`,
        );
        assert.equal(c.assistantRows, expected, `conversation ${i}: table rows`);
        assert.equal(c.strips, expected, `conversation ${i}: strips`);
        assert.ok(c.tokens >= expected, `conversation ${i}: ${c.tokens} token spans`);
        assert.ok(
          c.painted > c.area * 0.01,
          `conversation ${i}: only ${c.painted} of ${c.area} canvas pixels are painted`,
        );
        assert.ok(
          c.atPoints.every((a) => a > 0),
          `conversation ${i}: blank pixels where points were drawn: ${JSON.stringify(c.atPoints)}`,
        );
      }
      assert.deepEqual(requests, [url], `the report fetched something: ${requests.join(', ')}`);
      assert.deepEqual(problems, [], 'console errors or warnings');
      if (scheme === 'dark') assert.equal(report.background, 'rgb(31, 31, 31)', 'dark scheme background');
      else assert.equal(report.background, 'rgb(255, 255, 255)', 'light scheme background');
      await context.close();
    }
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('"Persona Lens: Export Report" writes the analysed transcript\'s report next to it', async () => {
  const transcript = 'philosophy.json';
  await withSession(
    {
      name: 'report-export',
      transcripts: [transcript],
      // A short cut keeps the analysis quick; the panel stays closed so focus stays in the editor.
      settings: { 'persona-lens.maxTokensPerConversation': 2048, 'persona-lens.panel.openOnAnalyze': false },
    },
    async (s) => {
      await s.openFile(transcript);
      await s.waitForLogLine('Persona Lens activated');
      await s.runCommand('Persona Lens: Analyze File');
      await s.waitForDecoration(/axis [+\-−]?\d/, 60_000);

      await s.runCommand('Persona Lens: Export Report', { opensQuickPick: true });
      const qi = s.page.locator('.quick-input-widget');
      await s.race(qi.locator('.monaco-list-row', { hasText: 'HTML report' }).first().click());
      const input = await s.saveDialog('philosophy.persona-lens.html');
      await s.screenshot('save-dialog');
      await input.press('Enter');
      const target = join(s.workspace, 'philosophy.persona-lens.html');
      await s.race(s.notification('exported philosophy.persona-lens.html').waitFor({ timeout: 30_000 }));
      await s.screenshot('exported');
      assert.ok(existsSync(target), `${target} was not written`);
      const html = readFileSync(target, 'utf8');
      const data = JSON.parse(
        /<script type="application\/json" id="pl-report-data">([^<]*)<\/script>/.exec(html)?.[1] ?? 'null',
      );
      assert.equal(data.charts.length, 1);
      assert.equal(data.charts[0].label, transcript);
      assert.ok(data.charts[0].points.length > 0, 'no assistant turn in the exported report');
      assert.equal(html.match(/<div class="pl-strip">/g)?.length, data.charts[0].points.length);
      assert.match(
        html,
        /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/,
      );
    },
  );
});
