// Quality at less compute (issue 25): the quick and the full axis plan on the demo model, each computed through
// the CLI as build.sh computes the committed axis (`axis compute --model demo --roles <trained roles>`, a fresh
// cache so nothing resumes), then compared per layer: cos(quick, full), held-out AUC of each (as its own axis
// report states it) and of the quick axis on the full plan's held-out replies (the same population the full
// axis is judged on), role order at the monitor layer and the verdict. The rule for a cheaper recipe:
// cos >= 0.95 and AUC within 0.02 of the full plan's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PERSONA, type ResponseActivations } from '../src/core/axis/axisBuilder';
import { decodeVector, parseAxisFile, type AxisFile } from '../src/core/axis/axisFile';
import { planAxisRuns, type AxisSubset } from '../src/core/axis/axisPlan';
import { dot } from '../src/core/axis/axisSpec';
import { assessAxis, personaMeansOf } from '../src/core/axis/verdict';
import { loadBattery } from '../src/core/battery';
import { auc } from '../src/core/stats/rank';
import { checkpointPath, type RunRecord } from '../src/engine/axisCompute';
import { ROOT } from './models';

export interface AxisQualityPlan {
  readonly subset: AxisSubset;
  readonly runs: number;
  readonly kept: number;
  readonly wallSeconds: number;
  /** The computation's own generate time (the axis file's validation.timingsMs.generate). */
  readonly generateSeconds: number;
  /** Held-out AUC per layer as the plan's own axis report states it (on the plan's own held-out replies). */
  readonly aucPerLayer: readonly (number | null)[];
  /** The plan's own held-out replies (default, role) the AUC above is taken on. */
  readonly heldOut: { readonly defaults: number; readonly roles: number };
  readonly pc1CosinePerLayer: readonly (number | null)[];
  /** Personas at the monitor layer, assistant end first. */
  readonly roleOrder: readonly string[];
  readonly verdict: string;
}

export interface AxisQualityResult {
  readonly model: 'demo';
  readonly roles: readonly string[];
  readonly monitorLayer: number;
  readonly full: AxisQualityPlan;
  readonly quick: AxisQualityPlan;
  readonly cosPerLayer: readonly number[];
  /** The quick axis's AUC on the full plan's held-out replies, per layer. */
  readonly quickAucOnFullHeldOut: readonly number[];
  /**
   * The rule, cos >= 0.95 at every layer and AUC within 0.02 of the full plan's: `met` judges both axes on
   * the same (full plan's) held-out replies; `metOnOwnReports` compares the AUCs the two axis reports state, each
   * on its own held-out set (the quick plan's is a subset: 4 of the 9 held-out questions).
   */
  readonly rule: { readonly minCos: number; readonly maxAucGap: number; readonly maxAucGapOwnReports: number; readonly met: boolean; readonly metOnOwnReports: boolean };
}

export function benchAxisQuality(cliPath: string): AxisQualityResult {
  const tmp = mkdtempSync(join(tmpdir(), 'persona-lens-axis-quality-'));
  try {
    const cacheDir = join(tmp, 'cache');
    const roles = (JSON.parse(readFileSync(join(ROOT, 'models', 'demo', 'eval', 'role.json'), 'utf8')) as { trainingRoles: string[] }).trainingRoles;
    const computed = new Map<AxisSubset, { axis: AxisFile; wallSeconds: number }>();
    // Full first: it pays the cold graph load (wall times include process start and load); the axis files
    // also record each computation's own generate time.
    for (const subset of ['full', 'quick'] as const) {
      const out = join(tmp, `${subset}.axis.json`);
      const args = [cliPath, 'axis', 'compute', '--model', 'demo', '--roles', roles.join(','), '--out', out, '--cache-dir', cacheDir, '--offline', '--allow-weak', '--quiet', ...(subset === 'quick' ? ['--quick'] : [])];
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const wallSeconds = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`axis compute (${subset}) exited ${r.status}: ${r.stderr}`);
      computed.set(subset, { axis: parseAxisFile(readFileSync(out, 'utf8'), out), wallSeconds });
      console.log(`  ${subset}: ${wallSeconds.toFixed(1)} s`);
    }
    const full = computed.get('full') as { axis: AxisFile; wallSeconds: number };
    const quick = computed.get('quick') as { axis: AxisFile; wallSeconds: number };
    const unit = (a: AxisFile, l: number): Float32Array => decodeVector((a.layers[l] as AxisFile['layers'][number]).unit);
    const layers = full.axis.layers.map((_, l) => l);
    const cosPerLayer = layers.map((l) => dot(unit(quick.axis, l), 0, unit(full.axis, l)));

    // The full plan's held-out replies, from its checkpoint (each run's per-layer reply means).
    const fullPlan = planAxisRuns(loadBattery(), 'full', roles);
    const records = readRecords(checkpointPath(cacheDir, full.axis.model.fileHash, full.axis.model.dtype, 'full'));
    const held: ResponseActivations[] = fullPlan.flatMap((run) => {
      const r = records.get(run.key);
      return run.heldOut && r && !r.dropped ? [{ persona: run.persona, questionId: run.questionId, heldOut: true, layerMeans: r.layerMeans.map(decodeVector) }] : [];
    });
    const heldDefaults = held.filter((a) => a.persona === DEFAULT_PERSONA);
    const heldRoles = held.filter((a) => a.persona !== DEFAULT_PERSONA);
    const quickAucOnFullHeldOut = layers.map((l) => {
      const project = (rs: readonly ResponseActivations[]): number[] => rs.map((a) => dot(a.layerMeans[l] as Float32Array, 0, unit(quick.axis, l)));
      return auc(project(heldDefaults), project(heldRoles));
    });

    const summary = (subset: AxisSubset, c: { axis: AxisFile; wallSeconds: number }): AxisQualityPlan => {
      const a = assessAxis(c.axis);
      const timings = c.axis.validation['timingsMs'] as Record<string, number> | undefined;
      return {
        subset,
        runs: planAxisRuns(loadBattery(), subset, roles).length,
        kept: c.axis.battery.responses,
        wallSeconds: round3(c.wallSeconds),
        generateSeconds: round3((timings?.['generate'] ?? NaN) / 1000),
        aucPerLayer: c.axis.layers.map((l) => (l.auc === null ? null : round3(l.auc))),
        heldOut: { defaults: c.axis.layers[c.axis.monitorLayer]?.populations?.default?.n ?? 0, roles: c.axis.layers[c.axis.monitorLayer]?.populations?.role?.n ?? 0 },
        pc1CosinePerLayer: c.axis.layers.map((l) => (l.pc1Cosine === null ? null : round3(l.pc1Cosine))),
        roleOrder: personaMeansOf(c.axis).map((p) => p.persona),
        verdict: a.reasons.length === 0 ? a.verdict : `${a.verdict}: ${a.reasons.join('; ')}`,
      };
    };
    const fullPlanSummary = summary('full', full);
    const quickPlanSummary = summary('quick', quick);
    const gap = (xs: readonly (number | null)[]): number => Math.max(...layers.map((l) => Math.abs((xs[l] ?? NaN) - (full.axis.layers[l]?.auc ?? NaN))));
    const minCos = Math.min(...cosPerLayer);
    const maxAucGap = gap(quickAucOnFullHeldOut);
    const maxAucGapOwnReports = gap(quick.axis.layers.map((l) => l.auc));
    return {
      model: 'demo',
      roles,
      monitorLayer: full.axis.monitorLayer,
      full: fullPlanSummary,
      quick: quickPlanSummary,
      cosPerLayer: cosPerLayer.map(round3),
      quickAucOnFullHeldOut: quickAucOnFullHeldOut.map(round3),
      // NaN (an AUC not measured) fails the rule, as it should.
      rule: {
        minCos: round3(minCos),
        maxAucGap: round3(maxAucGap),
        maxAucGapOwnReports: round3(maxAucGapOwnReports),
        met: minCos >= 0.95 && maxAucGap <= 0.02,
        metOnOwnReports: minCos >= 0.95 && maxAucGapOwnReports <= 0.02,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The finished runs of an axis checkpoint (JSON lines after a header line). */
function readRecords(path: string): Map<string, RunRecord> {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(1);
  return new Map(lines.map((line) => JSON.parse(line) as RunRecord).map((r) => [r.key, r]));
}

export function summarizeAxisQuality(q: AxisQualityResult): string[] {
  const fmt = (xs: readonly (number | null)[]): string => xs.map((x) => (x === null ? '-' : x.toFixed(3))).join(' ');
  return [
    `axis quality, demo model: full ${q.full.runs} runs in ${q.full.wallSeconds} s (generate ${q.full.generateSeconds} s), quick ${q.quick.runs} runs in ${q.quick.wallSeconds} s (generate ${q.quick.generateSeconds} s)`,
    `  cos(quick, full) per layer: ${fmt(q.cosPerLayer)}; AUC full ${fmt(q.full.aucPerLayer)} (held out ${q.full.heldOut.defaults} + ${q.full.heldOut.roles}), quick on the same replies ${fmt(q.quickAucOnFullHeldOut)}, quick on its own (${q.quick.heldOut.defaults} + ${q.quick.heldOut.roles}) ${fmt(q.quick.aucPerLayer)}`,
    `  role order full: ${q.full.roleOrder.join(' > ')}; quick: ${q.quick.roleOrder.join(' > ')}; verdict full ${q.full.verdict}; quick ${q.quick.verdict}`,
    `  rule (cos >= 0.95, AUC within 0.02): min cos ${q.rule.minCos}, max AUC gap on the same held-out replies ${q.rule.maxAucGap}: ${q.rule.met ? 'met' : 'NOT met'}; between the two reports' own AUCs ${q.rule.maxAucGapOwnReports}: ${q.rule.metOnOwnReports ? 'met' : 'NOT met'}`,
  ];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
