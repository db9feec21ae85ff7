/**
 * Words for a turn's reading (zone, domain, alarm) and for the calibration it was read with, shared by
 * the editor, the panel, the CLI and the HTML report so a reading says the same thing everywhere.
 */
import type { Calibration, CutSource, ZoneCuts } from '../axis/calibration';
import type { ConversationScores, TurnScore } from '../scores';
import { formatValue } from './format';

/** The short label of a turn's reading: "assistant", "drifting", "▼ role", "out of domain", or "" when it has none. */
export function readingLabel(t: Pick<TurnScore, 'zone' | 'outOfDomain' | 'alarm'>): string {
  if (t.outOfDomain) return 'out of domain';
  if (t.zone === 'role') return '▼ role';
  const zone = t.zone ?? '';
  // A drop alarm on a turn that still reads assistant or drifting.
  return t.alarm ? `▼ ${zone ? `${zone}, ` : ''}large drop` : zone;
}

/** A share 0..1 as a percentage with at most one decimal: "5%", "0.4%". */
export function formatShare(x: number): string {
  const pct = x * 100;
  return `${pct >= 10 || Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Names a cut's source: "5th percentile of 45 held-out default-Assistant replies". */
export function describeSource(s: CutSource): string {
  const p = s.percentile === 50 ? 'median' : `${ordinal(s.percentile)} percentile`;
  return `${p} of ${s.n > 0 ? `${s.n} ` : ''}${s.population}`;
}

/** One line per zone cut with its source and error rate, for hovers, legends and reports. */
export function describeZones(z: ZoneCuts): { assistant: string; role: string | null } {
  const assistant = `assistant ≥ ${formatValue(z.assistantFrom)}: ${describeSource(z.assistantSource)} (${formatShare(z.rates.defaultNotAssistant)} of default replies read below it)`;
  if (z.roleTo === null || !z.roleSource) return { assistant, role: null };
  const rates = [
    z.rates.roleInRole === null ? null : `detects ${formatShare(z.rates.roleInRole)} of held-out role replies`,
    z.rates.defaultInRole === null ? null : `false alarms on ${formatShare(z.rates.defaultInRole)} of default replies`,
  ].filter(Boolean);
  const where =
    z.roleRule === 'midpoint' && z.roleMedian !== null
      ? `halfway between the ${describeSource(z.roleSource)} (${formatValue(z.roleMedian)}) and the assistant cut`
      : describeSource(z.roleSource);
  return { assistant, role: `role ≤ ${formatValue(z.roleTo)}: ${where} (${rates.join('; ')})` };
}

/** The domain limit in words, or null without a domain check. */
export function describeDomain(c: Calibration): string | null {
  const d = c.domain;
  if (!d) return null;
  return `out of domain above ${d.limit.toFixed(2)} nats/token (expected on the model's own replies: median ${d.ownMedian.toFixed(2)}, 99th percentile ${d.ownP99.toFixed(2)}, n ${d.n})`;
}

/** The lines under a conversation's heading in the CLI table: zones, domain, capping floor, notes. */
export function calibrationSummary(s: Pick<ConversationScores, 'calibration' | 'tau'>): string {
  const c = s.calibration;
  const lines: string[] = [];
  if (c.zones) {
    const z = describeZones(c.zones);
    lines.push(`zones: ${z.assistant}`);
    if (z.role) lines.push(`       ${z.role}`);
  } else lines.push(`zones: none — ${c.noZones ?? 'the axis has no populations'}`);
  const domain = describeDomain(c);
  if (domain) lines.push(`domain: ${domain}`);
  if (s.tau !== null) lines.push(`capping floor τ ${formatValue(s.tau)} (used when a turn is re-run with capping; not an alarm)`);
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function ordinal(n: number): string {
  const r100 = n % 100;
  if (r100 >= 11 && r100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** Short legend labels for the zone shading of a drift plot, each with its error rate. */
export function zoneLegend(z: ZoneCuts): { assistant: string; role: string | null } {
  const assistant = `assistant zone ≥ ${formatValue(z.assistantFrom)} (${formatShare(z.rates.defaultNotAssistant)} of default replies fall below)`;
  if (z.roleTo === null) return { assistant, role: null };
  const detect = z.rates.roleInRole === null ? '' : `catches ${formatShare(z.rates.roleInRole)} of role replies, `;
  const alarms = z.rates.defaultInRole === null ? '' : `${formatShare(z.rates.defaultInRole)} false alarms`;
  return { assistant, role: `role zone ≤ ${formatValue(z.roleTo)} (${detect}${alarms})` };
}

/** The zone shading of a drift plot: the cuts and their legend labels; null when the axis draws no zones. */
export interface ZoneBandData {
  readonly assistantFrom: number;
  readonly roleTo: number | null;
  readonly assistantLabel: string;
  readonly roleLabel: string | null;
}

/** The plot's zone shading for a calibration. */
export function zoneBands(c: Calibration): ZoneBandData | null {
  if (!c.zones) return null;
  const legend = zoneLegend(c.zones);
  return { assistantFrom: c.zones.assistantFrom, roleTo: c.zones.roleTo, assistantLabel: legend.assistant, roleLabel: legend.role };
}

/** How many of the assistant turns of some conversations are out of the model's domain. */
export function domainCount(all: readonly Pick<ConversationScores, 'turns'>[]): { outOfDomain: number; assistant: number } {
  const turns = all.flatMap((s) => s.turns.filter((t) => t.role === 'assistant'));
  return { outOfDomain: turns.filter((t) => t.outOfDomain).length, assistant: turns.length };
}

/** True when most assistant turns are out of the model's domain: the readings of this file mean little. */
export function mostlyOutOfDomain(all: readonly Pick<ConversationScores, 'turns'>[]): boolean {
  const n = domainCount(all);
  return n.assistant > 0 && n.outOfDomain * 2 > n.assistant;
}

/** One line for a plot's header: no zones, most turns out of domain, or an older axis; null when all is well. */
export function readingNote(all: readonly ConversationScores[]): string | null {
  const first = all[0];
  if (!first) return null;
  const n = domainCount(all);
  if (mostlyOutOfDomain(all)) return `${n.outOfDomain} of ${n.assistant} assistant turns are out of the model's domain: their values are noise`;
  if (!first.calibration.zones) return `no zones: ${first.calibration.noZones ?? 'the axis has no populations'}`;
  return first.calibration.notes[0] ?? null;
}
