/** `persona-lens rerun FILE --turn N --sweep`: the turn re-run over a grid of capping floors x bands. */
import { doseSeries, parseBands, parsePercentiles, sweepPlan, type SweepBand } from '../core/interventions/sweepPlan';
import { formatValue, firstWords } from '../core/report/format';
import { readingLabel } from '../core/report/reading';
import { renderTable } from '../core/report/table';
import type { Conversation } from '../core/transcript';
import type { Sampling } from '../protocol/messages';
import { openSession, type SessionOptions } from '../engine/session';
import { sweepLayers, sweepTurn } from '../engine/sweep';
import { createClient, loadProgress } from './context';
import { ExitCode, UsageError } from './exitCodes';
import { Progress } from './progress';
import { namedBadRequest } from './scoring';

export const SWEEP_USAGE = `  --sweep            re-run the turn uncapped and then capped over a grid of floors x bands
                     (same decoding), and print each reply's value and zone and the
                     dose-response per band (--format json: every cell with its text)
  --percentiles P    the sweep's floors, percentiles of the floor population (default 5,25,50)
  --bands B          the sweep's bands: axis (the axis's capping band), wide (that band widened
                     by its length on each side), all (every layer); default axis,wide,all`;

/** The sweep's grid from --percentiles and --bands (a bad entry is a usage error naming it). */
export function sweepGrid(percentiles: string | undefined, bands: string | undefined): { percentiles?: number[]; bands?: SweepBand[] } {
  try {
    return {
      ...(percentiles !== undefined ? { percentiles: parsePercentiles(percentiles) } : {}),
      ...(bands !== undefined ? { bands: parseBands(bands) } : {}),
    };
  } catch (e) {
    throw new UsageError(`--percentiles / --bands: ${(e as Error).message}`);
  }
}

export async function runSweep(
  o: {
    readonly where: string;
    readonly file: string;
    readonly conversation: Conversation;
    readonly conversationIndex: number;
    readonly turn: number;
    readonly grid: { percentiles?: number[]; bands?: SweepBand[] };
    readonly sampling: Sampling;
    readonly maxTokens: number;
    readonly format: 'text' | 'json';
    readonly quiet: boolean;
    readonly verbose: boolean;
    readonly options: SessionOptions;
  },
  signal: AbortSignal,
): Promise<number> {
  const progress = new Progress(o.quiet);
  const client = createClient(o.verbose);
  try {
    progress.update(`loading model ${o.options.model}`);
    let session = await openSession(client, o.options, loadProgress(progress), signal);
    const plan = sweepPlan(session.axis, { ...o.grid, population: session.spec.population });
    const need = sweepLayers(plan);
    if (need.some((l) => !session.info.capLayers.includes(l))) {
      // Bands beyond the session's capping band need capping nodes there: reload with them (cached after the first time).
      const capLayers = [...new Set([...session.spec.capLayers, ...need])].sort((a, b) => a - b);
      progress.update('loading the model with capping nodes at every swept layer');
      session = await openSession(client, { ...o.options, choices: { ...o.options.choices, capLayers } }, loadProgress(progress), signal);
    }
    const result = await namedBadRequest(o.where, () =>
      sweepTurn(client, session, o.conversation, o.turn, plan, {
        sampling: o.sampling,
        maxTokens: o.maxTokens,
        onCells: (indexes, done, total) =>
          progress.update(`sweep: ${indexes.length} of ${total} replies decoding together (${done} done)`, done / total),
        onCellDone: (index, _reply, cached) =>
          progress.update(`sweep: reply ${index + 1} of ${plan.cells.length + 1} ${cached ? 'from the cache' : 'done'}`),
      }, signal),
    );
    progress.done();
    const dose = doseSeries(result.cells.map((c) => ({ percentile: c.percentile, band: c.band, text: c.text, value: c.value, zone: c.zone })));
    if (o.format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ file: o.file, conversation: o.conversationIndex, turn: o.turn, model: session.ref.label, axis: session.axisPath, population: plan.population, sampling: o.sampling, maxTokens: o.maxTokens, original: result.original, cells: result.cells, dose }, null, 2)}\n`,
      );
      return ExitCode.ok;
    }
    const rows = result.cells;
    const table = renderTable(rows, [
      { header: 'band', cell: (c) => c.band ?? 'uncapped' },
      { header: 'layers', cell: (c) => (c.layers.length ? `${c.layers[0]}-${c.layers.at(-1)}` : '') },
      { header: 'floor', cell: (c) => (c.percentile === null ? '' : `p${c.percentile}`), align: 'right' },
      { header: 'value', cell: (c) => (Number.isFinite(c.value) ? formatValue(c.value) : 'n/a'), align: 'right' },
      { header: 'zone', cell: (c) => readingLabel({ ...c, alarm: c.zone === 'role' }) },
      { header: 'checks', cell: (c) => c.problems.join('; ') },
      { header: 'first words', cell: (c) => firstWords(c.text, 48) },
    ]);
    const lines = dose.map((d) => `  ${d.band.padEnd(5)} ${d.points.map((p) => `${p.percentile === null ? 'off' : `p${p.percentile}`} ${formatValue(p.value)}`).join('  ')}`);
    process.stdout.write(
      `${o.where} turn ${o.turn} — model ${session.ref.label}, capping sweep over floors of the ${plan.population} population\noriginal ${formatValue(result.original.value)}  ${readingLabel({ ...result.original, alarm: result.original.zone === 'role' })}\n\n${table}\n\ndose-response (value by floor, per band):\n${lines.join('\n')}\n`,
    );
    return ExitCode.ok;
  } finally {
    progress.done();
    await client.dispose();
  }
}
