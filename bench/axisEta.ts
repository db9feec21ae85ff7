// Axis computation time (issue 25 target: quick <= 10 min and full <= 2 h at Qwen2.5-0.5B shape on 2 cores),
// measured under the real plan: a slice of the quick and of the full plan's runs (battery prompts, AXIS_MAX_TOKENS,
// AXIS_SAMPLING, batches of AXIS_BATCH) goes through runAxisBatch, the code computeAxis runs (EngineClient ->
// worker thread: generateBatch, then each reply's activations, from the decode pass or else a second forward),
// and a few of the plan's floor runs are scored as its floors phase scores them. Per-run and per-floor-run times are extrapolated to the whole plan.
// Alongside: the product's own estimate (speedProbe.measureSpeed -> axisEta.estimateAxisMs, the figure Select
// Model shows), measured on the same engine, so its honesty can be read off as estimate / measured.
// Random weights never end a reply early, so every reply runs to AXIS_MAX_TOKENS: an upper bound, as real
// replies of 48 tokens mostly run to the limit too.
import { loadavg } from 'node:os';
import { formatEta, spreadRuns } from '../src/core/axis/axisEta';
import { unitVector, type AxisSpec } from '../src/core/axis/axisSpec';
import { DEFAULT_PERSONA } from '../src/core/axis/axisBuilder';
import { AXIS_MAX_TOKENS, AXIS_SAMPLING, planAxisRuns, type AxisRun, type AxisSubset } from '../src/core/axis/axisPlan';
import { loadBattery } from '../src/core/battery';
import { AXIS_BATCH, prompt, runAxisBatch, type RunRecord } from '../src/engine/axisCompute';
import { EngineClient } from '../src/engine/client';
import { measureSpeed } from '../src/engine/speedProbe';
import { mulberry32 } from '../test/support/prng';
import { ensureModel, ROOT, type BenchModel } from './models';

export interface AxisEtaPlan {
  readonly subset: AxisSubset;
  /** Runs of the whole plan (generation + activations each) and its floor runs (one scoring pass each). */
  readonly totalRuns: number;
  readonly totalFloorRuns: number;
  /** The slice measured: runs spread evenly over the plan, decoded in batches as the plan decodes them. */
  readonly runsMeasured: number;
  readonly batchesMeasured: number;
  readonly generatedTokensMeasured: number;
  /** Runs measured whose activations came from the decode pass (the rest took a second forward). */
  readonly readFromDecode: number;
  readonly secondsPerRun: number;
  /** Of secondsPerRun: the run's share of its batch's decoding, and its own activations pass. */
  readonly decodeSecondsPerRun: number;
  readonly activationsSecondsPerRun: number;
  /** CPU seconds per run (all threads of the bench process) and the ETA were they the only work on the cores. */
  readonly cpuSecondsPerRun: number;
  readonly idleEtaMinutes: number;
  readonly floorRunsMeasured: number;
  readonly secondsPerFloorRun: number;
  /** totalRuns x secondsPerRun + totalFloorRuns x secondsPerFloorRun. */
  readonly etaMinutes: number;
  readonly targetMinutes: number | null;
  readonly met: boolean | null;
  /** The product's estimate (estimateAxisMs at the speed probe's rates) and its ratio to the measured ETA. */
  readonly productEtaMinutes: number;
  readonly productOverMeasured: number;
}

export interface AxisEtaModel {
  readonly model: string;
  readonly threads: number;
  readonly batch: number;
  readonly maxTokens: number;
  /** The speed probe's rates (one plan prompt encoded, a 12-token greedy reply decoded single-stream). */
  readonly probe: { readonly secondsPerRun: number; readonly secondsPerFloorRun: number; readonly runsTimed: number };
  readonly plans: readonly AxisEtaPlan[];
  readonly loadAverage: number[];
}

/** Targets of issue 25 at Qwen2.5-0.5B shape (minutes); other shapes have none. */
const TARGETS: Readonly<Record<string, Readonly<Record<AxisSubset, number>>>> = { 'qwen2.5-0.5b': { quick: 10, full: 120 } };

/** Floor runs scored per plan: the floors phase is a few dozen single passes, so a handful gives its rate. */
const FLOOR_SAMPLE = 4;

export async function benchAxisEta(models: readonly BenchModel[], workerPath: string, cacheDir: string, batches: number): Promise<AxisEtaModel[]> {
  const out: AxisEtaModel[] = [];
  for (const m of models) {
    const dir = ensureModel(m);
    const client = new EngineClient(workerPath);
    try {
      // The product's estimate first (it loads the model itself), then the model is loaded for the plan runs.
      const probe = await measureSpeed(client, { packageRoot: ROOT, cacheDir, model: dir, dtype: 'fp32', offline: true });
      console.log(`  ${m.name}: speed probe ${probe.times.secondsPerRun.toFixed(2)} s per run (${probe.runsTimed} timed), ${probe.times.secondsPerFloorRun.toFixed(2)} s per floor run; product ETA quick ${formatEta(probe.etaMs.quick)}, full ${formatEta(probe.etaMs.full)}`);
      const info = await client.load(dir, { cacheDir, dtype: 'fp32', offline: true, capLayers: [] });
      const battery = loadBattery();
      const plans: AxisEtaPlan[] = [];
      for (const subset of ['quick', 'full'] as const) {
        const plan = planAxisRuns(battery, subset);
        const slice = spreadRuns(plan, batches * AXIS_BATCH);
        const records: { run: AxisRun; record: RunRecord }[] = [];
        let tokens = 0;
        let decodeSeconds = 0;
        let readFromDecode = 0;
        // The first forward of a new batch shape pays one-time costs: a 2-row, 2-token batch takes them first.
        await runAxisBatch(client, info, slice.slice(0, 2), { maxTokens: 2, sampling: AXIS_SAMPLING, seed: 0 }, undefined, () => undefined);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let g = 0; g < slice.length; g += AXIS_BATCH) {
          const tb = performance.now();
          const done: number[] = [];
          await runAxisBatch(client, info, slice.slice(g, g + AXIS_BATCH), { maxTokens: AXIS_MAX_TOKENS, sampling: AXIS_SAMPLING, seed: 0 }, undefined, (run, record, gen) => {
            done.push(performance.now());
            records.push({ run, record });
            tokens += gen.tokens.tokenId.length;
            if (gen.replyMeans) readFromDecode++;
          });
          // Runs are finished one after another once the batch is decoded: the gaps between them are their
          // activations passes, and the decoding is what comes before the first, less one such pass.
          const n = done.length;
          const perFinish = n > 1 ? ((done[n - 1] as number) - (done[0] as number)) / (n - 1) : 0;
          const batchDecode = (done[0] as number) - tb - perFinish;
          decodeSeconds += batchDecode / 1000;
          console.log(`  ${m.name} ${subset}: batch ${g / AXIS_BATCH + 1} of ${batches} in ${((performance.now() - tb) / 1000).toFixed(1)} s (decoding ${(batchDecode / 1000).toFixed(1)} s, activations ${(perFinish / 1000).toFixed(2)} s per run)`);
        }
        const genSeconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        const floorRuns = plan.filter((r) => r.persona === DEFAULT_PERSONA && !r.heldOut);
        const floorSample = records.filter(({ run, record }) => run.persona === DEFAULT_PERSONA && !record.dropped).slice(0, FLOOR_SAMPLE);
        // Slices from the role end of the plan may hold no default run: then the floors are timed on any replies.
        const scored = floorSample.length > 0 ? floorSample : records.filter(({ record }) => !record.dropped).slice(0, FLOOR_SAMPLE);
        const spec = randomAxis(info.numLayers, info.hiddenSize, info.numLayers >> 1);
        const t1 = performance.now();
        for (const { run, record } of scored) await client.score([...prompt(run), { role: 'assistant', content: record.text }], { axis: spec });
        const floorSeconds = scored.length > 0 ? (performance.now() - t1) / 1000 / scored.length : 0;
        const secondsPerRun = genSeconds / slice.length;
        const etaMinutes = (plan.length * secondsPerRun + floorRuns.length * floorSeconds) / 60;
        // On a machine shared with other jobs wall time overstates the work: CPU seconds of this process (the
        // worker is a thread of it) over the engine's threads is what the runs would take with the cores to themselves.
        const cpuSecondsPerRun = cpuSeconds / slice.length;
        const idleEtaMinutes = (plan.length * cpuSecondsPerRun) / info.threads / 60 + (floorRuns.length * floorSeconds) / 60;
        const target = TARGETS[m.name]?.[subset] ?? null;
        const productEtaMinutes = probe.etaMs[subset] / 60000;
        plans.push({
          subset,
          totalRuns: plan.length,
          totalFloorRuns: floorRuns.length,
          runsMeasured: slice.length,
          batchesMeasured: Math.ceil(slice.length / AXIS_BATCH),
          generatedTokensMeasured: tokens,
          readFromDecode,
          secondsPerRun: round3(secondsPerRun),
          decodeSecondsPerRun: round3(decodeSeconds / slice.length),
          activationsSecondsPerRun: round3((genSeconds - decodeSeconds) / slice.length),
          cpuSecondsPerRun: round3(cpuSecondsPerRun),
          idleEtaMinutes: round1(idleEtaMinutes),
          floorRunsMeasured: scored.length,
          secondsPerFloorRun: round3(floorSeconds),
          etaMinutes: round1(etaMinutes),
          targetMinutes: target,
          met: target === null ? null : etaMinutes <= target,
          productEtaMinutes: round1(productEtaMinutes),
          productOverMeasured: round3(productEtaMinutes / etaMinutes),
        });
        const p = plans.at(-1) as AxisEtaPlan;
        console.log(`  ${m.name} ${subset}: ${p.runsMeasured} runs in ${genSeconds.toFixed(1)} s (${p.secondsPerRun} s/run: decode ${p.decodeSecondsPerRun}, activations ${p.activationsSecondsPerRun}; CPU ${p.cpuSecondsPerRun} s/run), ${p.totalRuns} runs + ${p.totalFloorRuns} floor runs -> ${p.etaMinutes} min (product estimate ${p.productEtaMinutes} min)`);
      }
      out.push({
        model: m.name,
        threads: info.threads,
        batch: AXIS_BATCH,
        maxTokens: AXIS_MAX_TOKENS,
        probe: { secondsPerRun: round3(probe.times.secondsPerRun), secondsPerFloorRun: round3(probe.times.secondsPerFloorRun), runsTimed: probe.runsTimed },
        plans,
        loadAverage: loadavg().map(round1),
      });
    } finally {
      await client.dispose();
    }
  }
  return out;
}

/** An axis of random unit directions: the floors phase's cost does not depend on the directions. */
function randomAxis(layers: number, hidden: number, monitorLayer: number): AxisSpec {
  const r = mulberry32(5);
  const vectors = Array.from({ length: layers }, () => unitVector(Float32Array.from({ length: hidden }, () => r() * 2 - 1)));
  return { hiddenSize: hidden, vectors, monitorLayer, capLayers: [], taus: new Float32Array(0) };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** One summary line per model and plan. */
export function summarizeAxisEta(rs: readonly AxisEtaModel[]): string[] {
  return rs.flatMap((r) =>
    r.plans.map(
      (p) =>
        `axis ETA ${r.model}, ${p.subset} plan (${r.threads} threads, batch ${r.batch}, ${r.maxTokens} tokens): ${p.etaMinutes} min measured (${p.runsMeasured} of ${p.totalRuns} runs at ${p.secondsPerRun} s/run + ${p.totalFloorRuns} floor runs at ${p.secondsPerFloorRun} s)${p.targetMinutes === null ? '' : `, target <= ${p.targetMinutes} min: ${p.met ? 'met' : 'NOT met'}`}; by CPU time on idle cores ${p.idleEtaMinutes} min; product estimate ${p.productEtaMinutes} min (${p.productOverMeasured}x)`,
    ),
  );
}
