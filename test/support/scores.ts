// Scores as the front-ends see them, built by hand for tests of formatting, export, gates and reports.
// Readings come from the real calibration code over a small synthetic axis, so zones are computed,
// not typed in.
import { AXIS_FORMAT, AXIS_VERSION, encodeVector, type AxisFile, type Population } from '../../src/core/axis/axisFile';
import { calibrationOf, readReply, type Calibration } from '../../src/core/axis/calibration';
import { percentileTable } from '../../src/core/stats/descriptive';
import { withDeltas, type ConversationScores, type TurnScore, type UnscoredTurn } from '../../src/core/scores';

/** A population whose percentiles run evenly from lo to hi (101 values). */
export function evenPopulation(lo: number, hi: number, n = 101): Population {
  return { n, table: percentileTable(Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100)) };
}

/**
 * A one-layer axis file with held-out populations: default replies evenly over [1.5, 2.5] (p5 = 1.55),
 * role replies over [-0.5, 0.5] (median 0), own-reply surprise over [0.2, 1.0] (p99 0.992).
 */
export function syntheticAxis(over: Partial<AxisFile> = {}): AxisFile {
  return {
    format: AXIS_FORMAT,
    version: AXIS_VERSION,
    model: { id: 'test', revision: null, fileHash: 'sha256:00', dtype: 'fp32', numLayers: 1, hiddenSize: 2 },
    battery: { hash: 'h', subset: 'quick', roles: 2, questions: 2, responses: 10 },
    createdAt: '2026-12-01T00:00:00Z',
    monitorLayer: 0,
    cappingLayers: [0],
    defaults: { floorPopulation: 'response', percentile: 25 },
    layers: [
      {
        layer: 0,
        unit: encodeVector([1, 0]),
        norm: 1,
        floors: { response: evenPopulation(1.6, 2.4).table, token: evenPopulation(0, 3).table },
        pc1Cosine: 0.9,
        auc: 0.99,
        populations: { default: evenPopulation(1.5, 2.5), role: evenPopulation(-0.5, 0.5) },
      },
    ],
    surprise: evenPopulation(0.2, 1.0),
    validation: {},
    ...over,
  };
}

/** The synthetic axis's calibration at layer 0. */
export function testCalibration(): Calibration {
  return calibrationOf(syntheticAxis(), 0);
}

/** Turn scores for values (assistant turns at odd indices unless `roles` says otherwise), read under `calibration`. */
export function turnScores(
  values: readonly number[],
  o: { roles?: readonly TurnScore['role'][]; surprise?: readonly (number | null)[]; calibration?: Calibration } = {},
): TurnScore[] {
  const calibration = o.calibration ?? testCalibration();
  return withDeltas(
    values.map((value, i) => {
      const role = o.roles?.[i] ?? 'assistant';
      const surprise = o.surprise?.[i] ?? null;
      const reading = role === 'assistant' ? readReply(value, surprise, calibration) : { zone: null, outOfDomain: false };
      return {
        turn: o.roles ? i : 2 * i + 1,
        role,
        value,
        ...reading,
        surprise,
        alarm: reading.zone === 'role',
        minToken: value,
        maxToken: value,
        tokenCount: 3,
        layerValues: [value],
        tokens: [],
      };
    }),
  );
}

/** A conversation's scores around some turn scores. */
export function conversationScores(turns: TurnScore[], over: Partial<ConversationScores> & { unscored?: UnscoredTurn[] } = {}): ConversationScores {
  return {
    turns,
    unscored: [],
    monitorLayer: 0,
    tau: 1.8,
    calibration: testCalibration(),
    model: 'test',
    axis: 'test.axis.json',
    capping: null,
    truncated: null,
    ...over,
  };
}
