// The HTML report builder (src/core/report/htmlReport.ts) on a parsed transcript with hostile text:
// everything from the transcript is escaped, the embedded data cannot end its script block, one
// chart data set per conversation with one point per assistant turn, one strip per assistant turn,
// and the CSP hashes match the inlined script and stylesheet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  buildHtmlReport,
  reportData,
  REPORT_DATA_ID,
  type ReportConversation,
} from '../../../src/core/report/htmlReport';
import { parse } from '../../../src/core/formats';
import { withDeltas, type ConversationScores, type TurnScore } from '../../../src/core/scores';
import { readReply } from '../../../src/core/axis/calibration';
import { conversationScores, testCalibration } from '../../support/scores';

const calibration = testCalibration();
import type { Conversation } from '../../../src/core/transcript';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');
const EVIL = '</script><script>alert(1)</script><img src=x onerror="alert(2)"> & \'quotes\'';

/** Scores shaped like the engine's: each assistant turn's tokens are its words, valued by position. */
function scoresFor(c: Conversation, values: readonly number[], tau: number | null): ConversationScores {
  let k = 0;
  const raw = c.turns.flatMap((t, i) => {
    const value = values[k++ % values.length] as number;
    const words = t.text.split(/(?<=\s)/);
    let at = 0;
    const tokens = words.map((w, j) => {
      const token = { text: w, start: at, end: at + w.length, value: value + (j % 3) - 1 };
      at += w.length;
      return token;
    });
    return [
      {
        turn: i,
        role: t.role,
        value,
        ...(t.role === 'assistant' ? readReply(value, null, calibration) : { zone: null, outOfDomain: false }),
        surprise: null,
        alarm: t.role === 'assistant' && readReply(value, null, calibration).zone === 'role',
        minToken: value - 1,
        maxToken: value + 1,
        tokenCount: tokens.length,
        layerValues: [value],
        tokens,
      },
    ];
  });
  const turns: TurnScore[] = withDeltas(raw);
  return conversationScores(turns, { monitorLayer: 2, tau, model: 'demo<&>', axis: 'demo/axis.json' });
}

function conversation(text: string): Conversation {
  const parsed = parse(text, 'chat.json');
  const c = parsed.conversations[0];
  assert.ok(c, 'the fixture parses');
  return c;
}

const first = conversation(
  JSON.stringify({
    messages: [
      { role: 'user', content: `Hi ${EVIL}` },
      { role: 'assistant', content: `Hello! ${EVIL}` },
      { role: 'user', content: 'Be a pirate.' },
      { role: 'assistant', content: 'Arr, matey!' },
    ],
  }),
);
const second = conversation(
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Why?' },
      { role: 'assistant', content: 'Because.' },
    ],
  }),
);

function build(
  conversations: ReportConversation[],
  script = 'document.body.dataset.ready = "true";',
): string {
  return buildHtmlReport({
    title: `Report <${EVIL}>`,
    conversations,
    script,
    css: 'body { color: red; }\n/*# sourceMappingURL=report.css.map */\n',
    sha256Base64: sha,
  });
}

const both: ReportConversation[] = [
  { label: `chat.json ${EVIL}`, conversation: first, scores: scoresFor(first, [0.5, 1.5, 0.5, 0.2], 1) },
  { label: 'other.json', conversation: second, scores: scoresFor(second, [2, 2.5, -0.5], null) },
];

test('transcript text, labels and titles are escaped everywhere', () => {
  const html = build(both);
  assert.doesNotMatch(html, /<img/);
  assert.doesNotMatch(html, /alert\(1\)<\/script>/);
  assert.doesNotMatch(html, /onerror="/);
  // Exactly the two script elements the builder writes: the data block and the page script.
  assert.equal(html.match(/<script\b/g)?.length, 2);
  assert.match(html, /<title>Report &lt;&lt;\/script&gt;/);
  assert.match(html, /<h2>chat\.json &lt;\/script&gt;&lt;script&gt;alert\(1\)/);
  assert.match(html, /model demo&lt;&amp;&gt;/);
  // Table and strips carry the text escaped.
  assert.match(html, /<td>Hello! &lt;\/script&gt;&lt;script&gt;alert\(1\)/);
  assert.match(html, /&lt;img <\/span>/);
});

test('one chart data set per conversation, one point per scored assistant turn', () => {
  const html = build(both);
  const block = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">([^<]*)</script>`).exec(
    html,
  );
  assert.ok(block, 'data block present and unbroken');
  const data = JSON.parse(block[1] as string) as ReturnType<typeof reportData>;
  assert.deepEqual(data, reportData(both), 'the page embeds exactly reportData()');
  assert.equal(data.charts.length, 2);
  assert.deepEqual(
    data.charts.map((c) => c.points.map((p) => p.turn)),
    [[1, 3], [2]],
  );
  const [a, b] = data.charts;
  assert.ok(a && b);
  assert.equal(a.tau, 1);
  assert.equal(b.tau, null);
  assert.deepEqual(
    a.points.map((p) => [p.value, p.delta, p.zone, p.alarm]),
    [
      [1.5, null, 'drifting', false],
      [0.2, 0.2 - 1.5, 'role', true],
    ],
  );
  assert.ok(a.points[0]?.preview.startsWith('Hello! </script>'), 'previews are plain text inside JSON');
  // Each chart has a canvas with the id the data names.
  for (const c of data.charts) assert.match(html, new RegExp(`<canvas id="${c.canvasId}"`));
});

test('each assistant turn gets a strip with all its tokens and a table row', () => {
  const html = build(both);
  assert.equal(html.match(/class="pl-strip"/g)?.length, 3);
  assert.equal(html.match(/<section class="pl-turn"/g)?.length, 3);
  for (const c of both) {
    const assistant = c.scores.turns.filter((t) => t.role === 'assistant');
    for (const t of assistant) {
      const strip =
        new RegExp(`id="pl-turn-\\d-${t.turn}"[^]*?<div class="pl-strip">([^]*?)</div>`).exec(html)?.[1] ??
        '';
      assert.equal(strip.match(/<span class="pl-tok/g)?.length, t.tokens.length, `turn ${t.turn} strip`);
    }
  }
  // Rows: one per assistant turn, alarmed (role-zone) ones marked.
  assert.equal(html.match(/<tr(?: class="pl-below")?><td class="num">/g)?.length, 3);
  const alarmed = both.flatMap((c) => c.scores.turns.filter((t) => t.role === 'assistant' && t.alarm));
  assert.ok(alarmed.length >= 1 && alarmed.length < 3, 'the fixture has alarmed and quiet turns');
  assert.equal(html.match(/<tr class="pl-below">/g)?.length, alarmed.length);
  // chat.json turn 3 (0.2) is in the role zone of the synthetic axis (at or below 0.775).
  assert.match(html, /<tr class="pl-below"><td class="num"><a href="#pl-turn-0-3">3<\/a><\/td><td>assistant<\/td><td>[^<]*<\/td><td class="num">\+0\.20<\/td><td class="num">[^<]*<\/td><td>▼ role<\/td>/);
});

test('the CSP allows only the inlined script and stylesheet, by hash, and they cannot close their own element', () => {
  const html = build(
    both,
    'const s = "</script>"; document.body.dataset.ready = "true";\n//# sourceMappingURL=report.js.map\n',
  );
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
  const script = /<script>([^]*?)<\/script>\n<\/body>/.exec(html)?.[1] ?? '';
  const style = /<style>([^]*?)<\/style>/.exec(html)?.[1] ?? '';
  assert.match(script, /const s = "<\\\/script>"/);
  assert.doesNotMatch(script, /sourceMappingURL/);
  assert.doesNotMatch(style, /sourceMappingURL/);
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes(`script-src 'sha256-${sha(script)}'`), csp);
  assert.ok(csp.includes(`style-src 'sha256-${sha(style)}'`), csp);
  const directives = csp.split('; ');
  assert.deepEqual(
    directives.filter((d) => /unsafe|https?:|\*/.test(d)),
    [],
    'nothing unsafe, remote or wildcard is let through',
  );
  assert.doesNotMatch(html.replace(/<script>[^]*?<\/script>/g, ''), / style=/, 'an inline style attribute the CSP would block');
});

test('projections recorded in the transcript travel with their points; missing ones are null', () => {
  const paper = conversation(
    JSON.stringify({
      system_prompt: 'You are helpful.',
      conversation: [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a2' },
      ],
      projections: [1.25, -0.5],
    }),
  );
  const [chart] = reportData([
    { label: 'paper.json', conversation: paper, scores: scoresFor(paper, [1], null) },
  ]).charts;
  assert.deepEqual(
    chart?.points.map((p) => p.recorded),
    [1.25, -0.5],
  );
  assert.deepEqual(
    reportData(both).charts[0]?.points.map((p) => p.recorded),
    [null, null],
  );
});
