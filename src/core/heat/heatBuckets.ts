/**
 * The few shades of per-token heat, read from the axis's zone cuts (src/core/axis/calibration.ts):
 * a token shades like the zone its own projection falls in, with the drifting band split in two so a
 * reviewer sees a reply sliding toward the role zone before any token reaches it. A fixed, small
 * set: the editor draws one decoration type per shade, never one per token.
 */
import type { ZoneCuts } from '../axis/calibration';
import { formatValue } from '../report/format';

export const HEAT_BUCKETS = ['assistant', 'drifting', 'deepDrifting', 'role'] as const;
export type HeatBucket = (typeof HEAT_BUCKETS)[number];

/** The value where the drifting band splits: halfway between the role and assistant cuts. */
export function driftingMidpoint(cuts: ZoneCuts): number | null {
  return cuts.roleTo === null ? null : (cuts.roleTo + cuts.assistantFrom) / 2;
}

/** The shade of one token's projection; null for a value that is not a number. */
export function heatBucket(value: number, cuts: ZoneCuts): HeatBucket | null {
  if (!Number.isFinite(value)) return null;
  if (value >= cuts.assistantFrom) return 'assistant';
  if (cuts.roleTo !== null && value <= cuts.roleTo) return 'role';
  const mid = driftingMidpoint(cuts);
  return mid !== null && value < mid ? 'deepDrifting' : 'drifting';
}

/** What each shade means, in the cuts' numbers: the legend of the hover. */
export function heatLegend(cuts: ZoneCuts): { bucket: HeatBucket; label: string; range: string }[] {
  const mid = driftingMidpoint(cuts);
  const rows: { bucket: HeatBucket; label: string; range: string }[] = [
    { bucket: 'assistant', label: 'assistant', range: `≥ ${formatValue(cuts.assistantFrom)}` },
  ];
  if (cuts.roleTo === null || mid === null) {
    rows.push({ bucket: 'drifting', label: 'drifting', range: `< ${formatValue(cuts.assistantFrom)}` });
    return rows;
  }
  rows.push(
    { bucket: 'drifting', label: 'drifting', range: `${formatValue(mid)} … ${formatValue(cuts.assistantFrom)}` },
    { bucket: 'deepDrifting', label: 'drifting, near role', range: `${formatValue(cuts.roleTo)} … ${formatValue(mid)}` },
    { bucket: 'role', label: 'role', range: `≤ ${formatValue(cuts.roleTo)}` },
  );
  return rows;
}
