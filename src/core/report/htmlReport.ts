/**
 * The self-contained HTML report (`persona-lens report`, "Persona Lens: Export Report"): per
 * conversation, the drift plot (drawn in the page by the panel's Chart.js code, bundled as
 * out/webview/report.js and inlined here), the per-token strips of the assistant turns and the
 * per-turn table. Pure string building: no DOM, no file access; every transcript text is escaped.
 * The page loads nothing: its CSP allows only the inlined script and stylesheet, by hash.
 */
import type { ConversationScores, TurnScore } from '../scores';
import type { Conversation } from '../transcript';
import { firstWords, formatDelta, formatValue } from './format';
import { escapeHtml } from './html';
import { calibrationSummary, readingLabel, zoneBands, type ZoneBandData } from './reading';
import { stripScale, tokenStripHtml } from './tokenStrip';

/** One scored conversation of the report. */
export interface ReportConversation {
  /** Heading, e.g. "coding.json" or "chats.jsonl #3". */
  readonly label: string;
  readonly conversation: Conversation;
  readonly scores: ConversationScores;
}

export interface HtmlReportInput {
  readonly title: string;
  readonly conversations: readonly ReportConversation[];
  /** The browser bundle (out/webview/report.js). */
  readonly script: string;
  /** The stylesheet (out/webview/report.css: report styles plus media/tokenStrip.css). */
  readonly css: string;
  /** Base64 SHA-256 of a string, for the CSP hashes (node:crypto on the host side). */
  readonly sha256Base64: (text: string) => string;
  /** Shown in the header, e.g. "persona-lens 0.1.0, 2026-11-23 18:40 UTC". */
  readonly generator?: string;
}

/** One point of a report plot: an assistant turn. */
export interface ReportPoint {
  readonly turn: number;
  readonly value: number;
  readonly delta: number | null;
  readonly zone: TurnScore['zone'];
  readonly outOfDomain: boolean;
  readonly alarm: boolean;
  /** First words of the turn, plain text (the chart draws it with canvas text, never as HTML). */
  readonly preview: string;
  /** The projection recorded in the transcript file (the paper's "projections"), drawn on a second axis like the panel does. */
  readonly recorded: number | null;
}

/** The data one plot is drawn from; the page maps it onto the panel's DataMessage. */
export interface ReportChart {
  /** Id of the canvas element the plot goes into. */
  readonly canvasId: string;
  readonly label: string;
  readonly model: string;
  readonly axis: string;
  readonly monitorLayer: number;
  /** The capping floor at the monitor layer (not an alarm). */
  readonly tau: number | null;
  /** Zone shading with its legend; null when the axis draws no zones. */
  readonly zones: ZoneBandData | null;
  readonly points: readonly ReportPoint[];
}

/** The JSON embedded in the page (id REPORT_DATA_ID). */
export interface ReportData {
  readonly charts: readonly ReportChart[];
}

export const REPORT_DATA_ID = 'pl-report-data';
/** Characters of a turn's preview in tooltips (the panel protocol allows at most 200). */
const PREVIEW_CHARS = 80;

/** The plot data of every conversation, one chart per conversation with one point per scored assistant turn. */
export function reportData(conversations: readonly ReportConversation[]): ReportData {
  return {
    charts: conversations.map((c, i) => ({
      canvasId: `pl-chart-${i}`,
      label: c.label,
      model: c.scores.model,
      axis: c.scores.axis,
      monitorLayer: c.scores.monitorLayer,
      tau: c.scores.tau,
      zones: zoneBands(c.scores.calibration),
      points: assistantTurns(c.scores).map((t) => ({
        turn: t.turn,
        // JSON has no NaN; a turn without tokens is not scored, so values here are finite.
        value: t.value,
        delta: t.delta,
        zone: t.zone,
        outOfDomain: t.outOfDomain,
        alarm: t.alarm,
        preview: firstWords(c.conversation.turns[t.turn]?.text ?? '', PREVIEW_CHARS),
        recorded: finiteOrNull(c.conversation.turns[t.turn]?.recordedProjection),
      })),
    })),
  };
}

/** The whole report page. */
export function buildHtmlReport(input: HtmlReportInput): string {
  // Inline text cannot contain its own end tag; `<\/script` means the same inside JS strings and regexes.
  // Source-map comments are dropped: the maps are not in the report, and devtools would go looking for them.
  const script = input.script
    .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
    .replace(/<\/(script)/gi, '<\\/$1');
  const css = input.css.replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '').replace(/<\/(style)/gi, '<\\/$1');
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${input.sha256Base64(script)}'`,
    `style-src 'sha256-${input.sha256Base64(css)}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const data = JSON.stringify(reportData(input.conversations)).replace(/</g, '\\u003c');
  const models = [...new Set(input.conversations.map((c) => c.scores.model))].join(', ');
  const sections = input.conversations.map((c, i) => conversationSection(c, i)).join('\n');
  const nav =
    input.conversations.length > 1
      ? `<nav><ol>${input.conversations.map((c, i) => `<li><a href="#pl-conv-${i}">${escapeHtml(c.label)}</a></li>`).join('')}</ol></nav>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(input.title)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>${escapeHtml(input.title)}</h1>
<p class="pl-meta">${input.conversations.length} conversation${input.conversations.length === 1 ? '' : 's'} · model ${escapeHtml(models || 'n/a')}${input.generator ? ` · ${escapeHtml(input.generator)}` : ''}</p>
<p class="pl-meta">Values are Assistant-Axis projections at the monitor layer, averaged over each turn's tokens: higher is more Assistant-like. Each assistant turn reads in a zone cut from the axis's own held-out replies: <em>assistant</em> (within the range of the model's default replies), <em>drifting</em>, or <em>role</em> (▼, closer to typical role-play); a turn the model cannot read is <em>out of domain</em> and gets no zone.</p>
${nav}
</header>
<main>
${sections}
</main>
<script type="application/json" id="${REPORT_DATA_ID}">${data}</script>
<script>${script}</script>
</body>
</html>
`;
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

function assistantTurns(scores: ConversationScores): TurnScore[] {
  return scores.turns.filter((t) => t.role === 'assistant' && Number.isFinite(t.value));
}

function conversationSection(c: ReportConversation, i: number): string {
  const s = c.scores;
  const turns = assistantTurns(s);
  const lowest = turns.reduce<TurnScore | null>((m, t) => (m === null || t.value < m.value ? t : m), null);
  const count = (f: (t: TurnScore) => boolean): number => turns.filter(f).length;
  const facts = [
    `model ${s.model}`,
    `axis ${s.axis}`,
    `layer ${s.monitorLayer}`,
    `${turns.length} assistant turn${turns.length === 1 ? '' : 's'}`,
    ...(lowest ? [`lowest ${formatValue(lowest.value)} at turn ${lowest.turn}`] : []),
    `${count((t) => t.zone === 'role')} in the role zone`,
    `${count((t) => t.zone === 'drifting')} drifting`,
    ...(count((t) => t.outOfDomain) > 0 ? [`${count((t) => t.outOfDomain)} out of domain`] : []),
  ];
  const calibration = calibrationSummary(s)
    .split('\n')
    .map((line) => `<li>${escapeHtml(line.trim())}</li>`)
    .join('');
  const unscored = s.unscored.length
    ? `<p class="pl-warning">Not scored: ${s.unscored.map((u) => `turn ${u.turn} (${u.reason === 'beyond-token-limit' ? 'beyond the token limit' : 'no content tokens'})`).join(', ')}.</p>`
    : '';
  const cut = s.truncated
    ? `<p class="pl-warning">Only turns 0–${s.truncated.firstTurnLeftOut - 1} were scored: the conversation is ${s.truncated.fullTokens} tokens and the limit is ${s.truncated.tokenLimit}.</p>`
    : '';
  const rows = turns
    .map((t) => {
      const text = c.conversation.turns[t.turn]?.text ?? '';
      const cls = t.alarm ? ' class="pl-below"' : t.outOfDomain ? ' class="pl-ood"' : '';
      return `<tr${cls}><td class="num"><a href="#pl-turn-${i}-${t.turn}">${t.turn}</a></td><td>${t.role}</td><td>${escapeHtml(firstWords(text, 60))}</td><td class="num">${formatValue(t.value)}</td><td class="num">${escapeHtml(formatDelta(t.delta).replace('Δ ', ''))}</td><td>${escapeHtml(readingLabel(t))}</td></tr>`;
    })
    .join('\n');
  // One scale per conversation, so the shades of different turns compare.
  const centre = s.calibration.zones?.assistantFrom ?? s.tau;
  const scale = stripScale(
    turns.flatMap((t) => t.tokens.map((k) => k.value)),
    centre,
  );
  const strips = turns
    .map(
      (t) =>
        `<section class="pl-turn" id="pl-turn-${i}-${t.turn}" data-turn="${t.turn}"><h4>Turn ${t.turn} · ${formatValue(t.value)}${readingLabel(t) ? ` · ${escapeHtml(readingLabel(t))}` : ''} · ${t.tokenCount} tokens</h4>${tokenStripHtml(t.tokens, scale)}</section>`,
    )
    .join('\n');
  return `<section class="pl-conv" id="pl-conv-${i}" data-conversation="${i}" data-points="${turns.length}">
<h2>${escapeHtml(c.label)}</h2>
<p class="pl-meta">${facts.map(escapeHtml).join(' · ')}</p>
<ul class="pl-meta pl-calibration">${calibration}</ul>
${cut}${unscored}
<div class="pl-chart"><canvas id="pl-chart-${i}" role="img" aria-label="${escapeHtml(`Drift plot of ${c.label}: assistant-turn values by turn, over the shaded assistant and role zones`)}"></canvas></div>
<table class="pl-table">
<thead><tr><th class="num">turn</th><th>role</th><th>first words</th><th class="num">value</th><th class="num">delta</th><th>zone</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h3>Per-token values</h3>
<p class="pl-meta pl-legend">Each token is shaded by its projection: <span class="pl-tok pos w8">above</span> or <span class="pl-tok neg w8">below</span> ${centre === null ? 'the median' : s.calibration.zones ? `the assistant zone's edge ${formatValue(centre)}` : `the capping floor τ ${formatValue(centre)}`}; hover a token for its value.</p>
${strips}
</section>`;
}
