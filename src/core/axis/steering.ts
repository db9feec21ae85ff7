/**
 * Additive steering along the Assistant Axis (the paper's steering experiments): h += alpha * s_L * v_L
 * at chosen layers, where s_L is one unit of the default Assistant's spread at layer L. Positive alpha
 * pushes toward the Assistant, negative away. The graph adds it through the capping nodes
 * (docs/instrumentation.md, "Steering"), so it acts on the layers the model was loaded with caps at.
 */
import { fromPercentileTable } from '../stats/descriptive';
import { AxisFileError, type AxisFile } from './axisFile';

/**
 * One unit of steering at a layer: the spread of the default Assistant's per-reply projections there,
 * (p84 - p16) / 2 of the axis's floor population (about one standard deviation for a normal spread;
 * robust to a few outlying replies).
 */
export function steeringUnit(axis: AxisFile, layer: number): number {
  const l = axis.layers[layer];
  if (!l) throw new AxisFileError(`layer ${layer} is outside 0..${axis.layers.length - 1}`);
  const t = l.floors.response;
  return (fromPercentileTable(t, 84) - fromPercentileTable(t, 16)) / 2;
}

/** What the engine adds at each layer for `alpha` units: { layers, amounts } in the residual's own units. */
export function steeringAmounts(axis: AxisFile, layers: readonly number[], alpha: number): { layers: number[]; amounts: number[] } {
  if (!Number.isFinite(alpha)) throw new RangeError(`steering strength must be a finite number, not ${alpha}`);
  return { layers: [...layers], amounts: layers.map((L) => alpha * steeringUnit(axis, L)) };
}
