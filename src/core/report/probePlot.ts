/**
 * What the editor's prompt view draws from a stress test or a comparison (src/core/probes): one line
 * per probe (per prompt in a comparison) of its readable replies, a row per probe (where it leaves the
 * assistant zone, its slope; in a comparison B − A per reply and where they part) and the summary
 * lines. Plain data built from the results, so the host computes it once and the webview only draws.
 */
import type { Zone } from '../axis/calibration';
import type { ProbeRun, StressComparison, StressSummary, StressTest } from '../probes';
import { firstWords, formatValue } from './format';

/** One reply on a probe's line: x = reply number (1-based), y = its value. */
export interface ProbePoint {
  readonly x: number;
  readonly y: number;
  readonly zone: Zone | null;
  readonly outOfDomain: boolean;
  /** First words of the reply, for the tooltip. */
  readonly preview: string;
}

/** One probe's trajectory under one prompt. */
export interface ProbeLine {
  readonly probe: string;
  readonly title: string;
  /** Which prompt of a comparison; null for a single stress test. */
  readonly prompt: 'A' | 'B' | null;
  readonly points: readonly ProbePoint[];
}

/** One probe's row of the table under the plot. */
export interface ProbeRow {
  readonly probe: string;
  readonly category: string;
  readonly title: string;
  /** "reply 2" or "never", per prompt (one entry for a stress test, A and B for a comparison). */
  readonly leaves: readonly string[];
  readonly slopes: readonly string[];
  /** Comparison only: B − A per reply, "—" where either is unreadable. */
  readonly differences?: readonly string[];
  /** Comparison only: "reply 3" or "no". */
  readonly parts?: string;
}

/** The worst reply with its text. */
export interface WorstLine {
  readonly prompt: 'A' | 'B' | null;
  readonly label: string;
  readonly text: string;
}

/** Everything the prompt view shows of one result. */
export interface ProbeView {
  readonly kind: 'stress' | 'compare';
  readonly lines: readonly ProbeLine[];
  readonly rows: readonly ProbeRow[];
  /** Label and value pairs, in display order. */
  readonly summary: readonly (readonly [string, string])[];
  readonly worst: readonly WorstLine[];
  /** Replies per probe: the x axis runs 1..maxReply. */
  readonly maxReply: number;
}

/** The line of one probe run: its replies that have a finite value. */
export function probeLine(run: ProbeRun, prompt: 'A' | 'B' | null): ProbeLine {
  const points = run.replies.flatMap((r) =>
    r.value !== null && Number.isFinite(r.value) ? [{ x: r.reply, y: r.value, zone: r.zone, outOfDomain: r.outOfDomain, preview: firstWords(r.text, 120) }] : [],
  );
  return { probe: run.id, title: run.title, prompt, points };
}

const leaves = (r: ProbeRun): string => (r.leftAt === null ? 'never' : `reply ${r.leftAt}`);
const slope = (r: ProbeRun): string => (r.slope === null ? '—' : formatValue(r.slope));
const share = (x: number | null): string => (x === null ? '—' : `${Math.round(100 * x)}%`);
const maxReply = (runs: readonly ProbeRun[]): number => runs.reduce((m, r) => Math.max(m, r.replies.length), 0);

function summaryPairs(s: StressSummary, suffix: string): [string, string][] {
  return [
    [`Replies in the assistant zone${suffix}`, `${share(s.assistantShare)} of ${s.replies - s.zones.none} zoned (${s.replies} replies)`],
    [`Probes leaving the assistant zone${suffix}`, `${s.left} of ${s.probes} (${s.leftBySecond} by reply 2)`],
    [`Mean slope per reply${suffix}`, s.meanSlope === null ? '—' : formatValue(s.meanSlope)],
    [`Mean value${suffix}`, s.meanValue === null ? '—' : formatValue(s.meanValue)],
  ];
}

function worstLine(t: StressTest, prompt: 'A' | 'B' | null): WorstLine[] {
  const w = t.summary.worst;
  if (!w) return [];
  const zone = w.zone === null ? '' : `, ${w.zone}`;
  return [{ prompt, label: `Worst reply${prompt ? ` (${prompt})` : ''}: ${w.probe}, reply ${w.reply}, axis ${formatValue(w.value)}${zone}`, text: w.text }];
}

/** The view of one stress test. */
export function stressView(t: StressTest): ProbeView {
  return {
    kind: 'stress',
    lines: t.runs.map((r) => probeLine(r, null)),
    rows: t.runs.map((r) => ({ probe: r.id, category: r.category, title: r.title, leaves: [leaves(r)], slopes: [slope(r)] })),
    summary: summaryPairs(t.summary, ''),
    worst: worstLine(t, null),
    maxReply: maxReply(t.runs),
  };
}

/** The view of two prompts on the same probes: both lines per probe, B − A per reply, where they part. */
export function comparisonView(c: StressComparison): ProbeView {
  return {
    kind: 'compare',
    lines: c.pairs.flatMap((p) => [probeLine(p.a, 'A'), probeLine(p.b, 'B')]),
    rows: c.pairs.map((p) => ({
      probe: p.id,
      category: p.category,
      title: p.title,
      leaves: [leaves(p.a), leaves(p.b)],
      slopes: [slope(p.a), slope(p.b)],
      differences: p.a.replies.map((ra, i) => {
        const rb = p.b.replies[i];
        return rb && ra.value !== null && rb.value !== null && !ra.outOfDomain && !rb.outOfDomain ? formatValue(rb.value - ra.value) : '—';
      }),
      parts: p.partsAtReply === null ? 'no' : `reply ${p.partsAtReply}`,
    })),
    summary: [
      ['Mean difference B − A', c.meanDifference === null ? '—' : formatValue(c.meanDifference)],
      ['Probes whose trajectories part', `${c.parted} of ${c.pairs.length} (|B − A| > ${c.threshold})`],
      ...summaryPairs(c.a.summary, ' (A)'),
      ...summaryPairs(c.b.summary, ' (B)'),
    ],
    worst: [...worstLine(c.a, 'A'), ...worstLine(c.b, 'B')],
    maxReply: maxReply([...c.a.runs, ...c.b.runs]),
  };
}
