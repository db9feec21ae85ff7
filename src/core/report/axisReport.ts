/**
 * The validation report written next to a computed axis: Markdown with the per-layer metrics
 * and the personas ordered along the axis, plus an SVG plot of both (self-contained, no scripts).
 */
import type { AxisFile } from '../axis/axisFile';
import { calibrationOf } from '../axis/calibration';
import { assessAxis, AUC_GOOD, AUC_UNUSABLE, PC1_GOOD } from '../axis/verdict';
import { fromPercentileTable } from '../stats/descriptive';
import { formatValue } from './format';
import { escapeHtml } from './html';
import { describeDomain, formatShare } from './reading';

/** One persona's replies along the axis at the monitor layer: mean and spread of per-reply projections. */
export interface PersonaMean {
  readonly persona: string;
  readonly value: number;
  readonly n: number;
  readonly p10: number;
  readonly p25: number;
  readonly p75: number;
  readonly p90: number;
}

/** Markdown report; `plotFile` is the SVG's file name, linked from the report. */
export function axisReportMarkdown(axis: AxisFile, personaMeans: readonly PersonaMean[], timingsMs: Readonly<Record<string, number>>, plotFile: string): string {
  const m = axis.model;
  const rows = axis.layers.map((l) => {
    const mark = [l.layer === axis.monitorLayer ? 'monitor' : '', axis.cappingLayers.includes(l.layer) ? 'capping' : ''].filter(Boolean).join(', ');
    return `| ${l.layer} | ${num(l.auc, 3)} | ${num(l.pc1Cosine, 3)} | ${l.norm.toFixed(3)} | ${formatValue(fromPercentileTable(l.floors.response, 25))} | ${formatValue(fromPercentileTable(l.floors.token, 25))} | ${mark} |`;
  });
  const ordered = [...personaMeans].sort((a, b) => b.value - a.value);
  const top = ordered[0];
  const bottom = ordered[ordered.length - 1];
  return [
    `# Assistant Axis: ${m.id}`,
    '',
    `Model graph ${m.fileHash} (${m.dtype}), ${m.numLayers} layers x ${m.hiddenSize}. Battery ${axis.battery.hash.slice(0, 12)} (${axis.battery.subset}): ${axis.battery.roles} roles, ${axis.battery.questions} questions, ${axis.battery.responses} replies kept. Computed ${axis.createdAt}.`,
    '',
    `![per-layer metrics and personas along the axis](${plotFile})`,
    '',
    '## Per layer',
    '',
    'AUC: held-out default-Assistant replies vs held-out role replies, separated by their projection (1 = perfect).',
    '|cos(axis, PC1)|: PC1 of the role vectors and the default vector. τ25: 25th percentile of default-Assistant projections, per-response means and per-token values.',
    '',
    '| layer | AUC | \\|cos PC1\\| | norm | τ25 response | τ25 token | |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...zoneSection(axis),
    `## Personas along the axis (layer ${axis.monitorLayer})`,
    '',
    top && bottom ? `Assistant end: **${top.persona}** (${formatValue(top.value)}); far end: **${bottom.persona}** (${formatValue(bottom.value)}).` : '',
    '',
    'Per-reply projections (mean over each reply\'s tokens): mean, and the 10th / 25th / 75th / 90th percentiles.',
    '',
    '| persona | mean | p10 | p25 | p75 | p90 | replies |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...ordered.map((p) => `| ${p.persona} | ${formatValue(p.value)} | ${formatValue(p.p10)} | ${formatValue(p.p25)} | ${formatValue(p.p75)} | ${formatValue(p.p90)} | ${p.n} |`),
    '',
    '## Time',
    '',
    'generate: the model answering every run (summed over resumed runs); wall: this invocation.',
    '',
    ...Object.entries(timingsMs).map(([k, v]) => `- ${k}: ${(v / 1000).toFixed(1)} s`),
    '',
    ...verdictSection(axis),
  ].join('\n');
}

/** The closing verdict (src/core/axis/verdict.ts) with the thresholds it applies. */
function verdictSection(axis: AxisFile): string[] {
  const a = assessAxis(axis);
  return [
    '## Verdict',
    '',
    `**${a.verdict}** at the monitor layer ${a.layer}.${a.reasons.length > 0 ? ` ${a.reasons.map((r) => `${r[0]?.toUpperCase() ?? ''}${r.slice(1)}.`).join(' ')}` : ''}`,
    '',
    `Good: held-out AUC ≥ ${AUC_GOOD}, the default persona above every role, |cos PC1| ≥ ${PC1_GOOD}, reading zones drawn. ` +
      `Unusable: AUC below ${AUC_UNUSABLE}, the default persona not above most roles, or no zones. Weak: anything in between.`,
    '',
  ];
}

/** The reading zones per layer (src/core/axis/calibration.ts) with their error rates, and the domain check. */
function zoneSection(axis: AxisFile): string[] {
  const cals = axis.layers.map((l) => calibrationOf(axis, l.layer));
  const rate = (x: number | null): string => (x === null ? '—' : formatShare(x));
  const rows = cals.map((c) => {
    const z = c.zones;
    if (!z) return `| ${c.layer} | — | — | — | — | ${c.noZones ?? ''} |`;
    return `| ${c.layer} | ${formatValue(z.assistantFrom)} | ${z.roleTo === null ? '—' : formatValue(z.roleTo)} | ${rate(z.rates.roleInRole)} | ${rate(z.rates.defaultInRole)} | ${c.layer === axis.monitorLayer ? 'monitor' : ''} |`;
  });
  const first = cals[0];
  const domain = first ? describeDomain(first) : null;
  return [
    '## Reading zones',
    '',
    'Cut from held-out replies the axis was not built from. A turn at or above the assistant cut (5th percentile of default-Assistant replies) reads `assistant`; at or below the role cut (halfway between the median role reply and the assistant cut, never above the default replies’ 1st percentile) `role`, the only zone that raises the alarm; `drifting` in between. Detection: held-out role replies in the role zone; false alarms: default replies in it.',
    '',
    '| layer | assistant ≥ | role ≤ | detection | false alarms | |',
    '| ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...(first?.notes.length ? [...first.notes.map((n) => `Note: ${n}.`), ''] : []),
    domain ? `Domain: a turn is ${domain}.` : 'Domain: this axis file has no surprise distribution, so no turn is called out of domain.',
    '',
  ];
}

/** SVG with two panels: AUC and |cos PC1| per layer, and persona means along the axis. */
export function axisReportSvg(axis: AxisFile, personaMeans: readonly PersonaMean[]): string {
  const W = 900;
  const H = 360;
  const left = { x: 50, y: 30, w: 330, h: 280 };
  const n = axis.layers.length;
  const xAt = (i: number): number => left.x + (n === 1 ? left.w / 2 : (i / (n - 1)) * left.w);
  const yAt = (v: number): number => left.y + left.h - v * left.h;
  const line = (vals: (number | null)[], color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${vals
      .map((v, i) => (v === null ? '' : `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`))
      .filter(Boolean)
      .join(' ')}"/>`;
  const ordered = [...personaMeans].sort((a, b) => b.value - a.value);
  const right = { x: 520, y: 30, w: 350, h: 300 };
  const lo = Math.min(0, ...ordered.map((p) => p.p10));
  const hi = Math.max(0, ...ordered.map((p) => p.p90));
  const span = hi - lo || 1;
  const barH = Math.max(3, Math.min(16, right.h / Math.max(1, ordered.length)));
  const xv = (v: number): number => right.x + ((v - lo) / span) * right.w;
  const bars = ordered
    .map((p, i) => {
      const y = right.y + i * barH;
      const x0 = xv(Math.min(0, p.value));
      const color = p.persona === 'default' ? '#1f77b4' : '#ff7f0e';
      const label = barH >= 9 ? `<text x="${right.x - 4}" y="${(y + barH * 0.8).toFixed(1)}" font-size="${Math.min(11, barH)}" text-anchor="end">${escapeHtml(p.persona)}</text>` : '';
      const mid = (y + barH * 0.4).toFixed(1);
      const spread = `<line x1="${xv(p.p10).toFixed(1)}" y1="${mid}" x2="${xv(p.p90).toFixed(1)}" y2="${mid}" stroke="#333"/><line x1="${xv(p.p25).toFixed(1)}" y1="${mid}" x2="${xv(p.p75).toFixed(1)}" y2="${mid}" stroke="#333" stroke-width="3"/>`;
      return `<rect x="${x0.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.abs(xv(p.value) - xv(0)).toFixed(1)}" height="${(barH * 0.8).toFixed(1)}" fill="${color}" fill-opacity="0.7"/>${spread}${label}`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${left.x}" y="18" font-size="13">Per layer: AUC (blue), |cos(axis, PC1)| (green)</text>
<rect x="${left.x}" y="${left.y}" width="${left.w}" height="${left.h}" fill="none" stroke="#999"/>
${[0, 0.5, 1].map((v) => `<text x="${left.x - 6}" y="${yAt(v) + 4}" text-anchor="end">${v}</text>`).join('')}
${axis.layers.map((l, i) => `<text x="${xAt(i)}" y="${left.y + left.h + 14}" text-anchor="middle">${l.layer}</text>`).join('')}
${line(axis.layers.map((l) => l.auc), '#1f77b4')}
${line(axis.layers.map((l) => l.pc1Cosine), '#2ca02c')}
<text x="${right.x}" y="18" font-size="13">Personas along the axis, layer ${axis.monitorLayer} (mean; p25-p75, p10-p90)</text>
<line x1="${xv(0)}" y1="${right.y}" x2="${xv(0)}" y2="${right.y + right.h}" stroke="#999"/>
${bars}
</svg>
`;
}

function num(v: number | null, decimals: number): string {
  return v === null ? '—' : v.toFixed(decimals);
}

