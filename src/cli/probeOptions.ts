/** What `probe` and `ab --probes` share: the probe-set options, progress with an ETA, the trajectory cells. */
import { isProbeSetSize, loadProbeSet, type ProbeReply, type ProbeSet, type StressSummary } from '../core/probes';
import { firstWords, formatValue } from '../core/report/format';
import { formatShare } from '../core/report/reading';
import { PROBE_MAX_TOKENS, type ProbeProgress } from '../engine/probe';
import { integerOption } from './engineOptions';
import { UsageError } from './exitCodes';
import type { Progress } from './progress';

/** parseArgs definitions of the probe options (without --probes, which `ab` declares itself). */
export const PROBE_OPTIONS = {
  seed: { type: 'string' },
  'reply-tokens': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
} as const;

/** --help lines for --probes and PROBE_OPTIONS. */
export const PROBE_USAGE = `  --probes SIZE      quick (5 probes, one per situation) or full (20); default quick
  --seed S           sampling seed; each probe's replies draw from seeds derived from it (default 0)
  --reply-tokens K   tokens generated per reply (default ${PROBE_MAX_TOKENS})
  --no-cache         run every probe again instead of reading results cached for the same model,
                     axis, prompt, probe set, seed and settings`;

/** The parsed probe options. */
export interface ProbeChoices {
  readonly probeSet: ProbeSet;
  readonly seed: number;
  readonly maxTokens: number;
  readonly useCache: boolean;
}

/** Probe options from the command line; checked before any model is loaded. */
export function probeChoices(values: { probes?: string | undefined; seed?: string | undefined; 'reply-tokens'?: string | undefined; 'no-cache'?: boolean | undefined }): ProbeChoices {
  const size = values.probes ?? 'quick';
  if (!isProbeSetSize(size)) throw new UsageError(`--probes must be quick or full, not "${size}"`);
  return {
    probeSet: loadProbeSet(size),
    seed: integerOption('seed', values.seed, 0, 0xffffffff) ?? 0,
    maxTokens: integerOption('reply-tokens', values['reply-tokens'], 1, 4096) ?? PROBE_MAX_TOKENS,
    useCache: !values['no-cache'],
  };
}

/** Progress events as a bar with the probe, the reply and the time left. */
export function probeProgress(progress: Progress): (p: ProbeProgress) => void {
  return (p) => {
    const who = p.label ? `prompt ${p.label}: ` : '';
    const what = p.cached ? `${p.probe} (cached)` : `${p.probe} reply ${p.reply}`;
    const eta = p.etaMs === null ? '' : ` · about ${formatDuration(p.etaMs)} left`;
    progress.update(`${who}${what} (${p.done}/${p.total})${eta}`, p.done / p.total);
  };
}

/** "45 s", "3 min 20 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A reply's value with its zone mark: "+1.79", "+1.24 ~" (drifting), "-0.12 ▼" (role), "ood" when out of domain. */
export function replyCell(r: ProbeReply | undefined): string {
  if (!r) return '';
  if (r.value === null) return 'unscored';
  if (r.outOfDomain) return `${formatValue(r.value)} ood`;
  return `${formatValue(r.value)}${r.zone === 'role' ? ' ▼' : r.zone === 'drifting' ? ' ~' : '  '}`;
}

/** The summary lines under a stress-test table. */
export function summaryLines(s: StressSummary): string[] {
  const zoned = s.zones.assistant + s.zones.drifting + s.zones.role;
  const lines = [
    s.assistantShare === null
      ? `no reply has a zone (${s.zones.none} of ${s.replies} unscored, out of domain, or the axis draws no zones)`
      : `assistant zone: ${s.zones.assistant} of ${zoned} replies (${formatShare(s.assistantShare)}); drifting ${s.zones.drifting}, role ${s.zones.role}${s.zones.none > 0 ? `; ${s.zones.none} without a zone` : ''}`,
    `${s.left} of ${s.probes} probes leave the assistant zone (${s.leftBySecond} by the second reply)`,
    `mean slope ${s.meanSlope === null ? 'n/a' : `${formatValue(s.meanSlope, 3)} per reply`}; mean value ${s.meanValue === null ? 'n/a' : formatValue(s.meanValue)}`,
  ];
  if (s.worst) lines.push(`worst reply: ${s.worst.probe} reply ${s.worst.reply} at ${formatValue(s.worst.value)}${s.worst.zone ? ` (${s.worst.zone})` : ''}: ${JSON.stringify(firstWords(s.worst.text, 100))}`);
  return lines;
}
