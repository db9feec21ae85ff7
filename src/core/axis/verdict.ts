/**
 * Whether an axis can be trusted, at its monitor layer (docs/axis-file.md, "Verdict"): from how well it
 * separates held-out default-Assistant replies from held-out role replies (AUC), whether the default
 * persona sits at the assistant end with the roles below it (role order), and whether it lines up with
 * the first principal component of the persona vectors (|cos PC1|), as the Assistant Axis does in the
 * paper. The thresholds are deliberately plain so a reader can check them against the report's table.
 */
import type { AxisFile } from './axisFile';
import { calibrationOf, type Calibration } from './calibration';

export type AxisVerdict = 'good' | 'weak' | 'unusable';

/** Below this held-out AUC the axis does not tell assistant from role-play replies well enough to read. */
export const AUC_UNUSABLE = 0.75;
/** Below this it separates them, but with more overlap than a reviewer should act on alone. */
export const AUC_GOOD = 0.9;
/** Below this |cos PC1| the axis is not the persona space's main direction: a weak axis, not a wrong one. */
export const PC1_GOOD = 0.5;

/** The verdict and the reasons behind every mark below `good` (empty when good). */
export interface AxisAssessment {
  readonly verdict: AxisVerdict;
  readonly layer: number;
  readonly reasons: readonly string[];
}

/** Persona means at the monitor layer as axis computation records them in `validation`; [] when absent or malformed. */
export function personaMeansOf(axis: AxisFile): { persona: string; value: number }[] {
  const raw = axis.validation['personaMeansAtMonitorLayer'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p: unknown) => {
    if (p === null || typeof p !== 'object') return [];
    const { persona, value } = p as Record<string, unknown>;
    return typeof persona === 'string' && typeof value === 'number' && Number.isFinite(value) ? [{ persona, value }] : [];
  });
}

/** The verdict on an axis at its monitor layer. */
export function assessAxis(axis: AxisFile): AxisAssessment {
  const layer = axis.monitorLayer;
  const l = axis.layers[layer];
  if (!l) return { verdict: 'unusable', layer, reasons: [`the monitor layer ${layer} is not in the file`] };
  const unusable: string[] = [];
  const weak: string[] = [];
  if (l.auc === null) weak.push('no held-out AUC was measured');
  else if (l.auc < AUC_UNUSABLE) unusable.push(`held-out AUC ${l.auc.toFixed(3)} is below ${AUC_UNUSABLE}`);
  else if (l.auc < AUC_GOOD) weak.push(`held-out AUC ${l.auc.toFixed(3)} is below ${AUC_GOOD}`);

  const means = personaMeansOf(axis);
  const own = means.find((p) => p.persona === 'default');
  const roles = means.filter((p) => p.persona !== 'default');
  if (!own || roles.length === 0) weak.push('the file records no persona means to check the role order');
  else {
    const above = roles.filter((r) => r.value >= own.value).map((r) => r.persona);
    if (above.length * 2 > roles.length) unusable.push(`the default persona is not above most roles (${above.length} of ${roles.length} roles at or above it)`);
    else if (above.length > 0) weak.push(`role${above.length > 1 ? 's' : ''} ${above.join(', ')} at or above the default persona`);
  }

  if (l.pc1Cosine === null) weak.push('|cos PC1| was not measured');
  else if (l.pc1Cosine < PC1_GOOD) weak.push(`|cos PC1| ${l.pc1Cosine.toFixed(3)} is below ${PC1_GOOD}`);

  const zones = calibrationOf(axis, layer);
  if (!zones.zones) unusable.push(zones.noZones ?? 'no reading zones can be drawn');

  if (unusable.length > 0) return { verdict: 'unusable', layer, reasons: [...unusable, ...weak] };
  return { verdict: weak.length > 0 ? 'weak' : 'good', layer, reasons: weak };
}

/** One line for reports, logs and the CLI: "good", or the verdict with its reasons. */
export function describeAssessment(a: AxisAssessment): string {
  return a.reasons.length === 0 ? `${a.verdict} at layer ${a.layer}` : `${a.verdict} at layer ${a.layer}: ${a.reasons.join('; ')}`;
}

/** The calibration at `layer`, with a note when the axis's verdict is below good (shown in hovers and score output). */
export function calibrationWithVerdict(axis: AxisFile, layer: number): Calibration {
  const c = calibrationOf(axis, layer);
  const a = assessAxis(axis);
  return a.verdict === 'good' ? c : { ...c, notes: [...c.notes, `the axis is ${describeAssessment(a)}`] };
}
