/**
 * The capping sweep's dose-response plot: the re-run reply's axis value against the capping floor
 * (off, then the swept percentiles in rising order), one line per band, each line starting at the
 * uncapped reply; points are coloured by the zone they read in, and the zone edges are dashed lines.
 */
import { Chart, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend } from 'chart.js';
import { baseOptions, themedAxis } from './chartOptions';
import type { SweepState, ZoneBands } from './protocol';
import { formatValue } from './shared';
import type { ChartColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

const BANDS = ['axis', 'wide', 'all'] as const;
const LABEL = { axis: 'axis band', wide: 'wide band', all: 'all layers' } as const;

interface DosePoint {
  x: number;
  y: number;
  zone: string | null;
}

export class DoseChart {
  private chart: Chart<'line', DosePoint[]> | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /** Draws the finished cells of `sweep`; `zones` are the edges the replies were read with. */
  render(sweep: SweepState, zones: ZoneBands | null, colors: ChartColors): void {
    this.destroy();
    const percentiles = [...new Set(sweep.cells.flatMap((c) => (c.percentile === null ? [] : [c.percentile])))].sort((a, b) => a - b);
    const labels = ['off', ...percentiles.map((p) => `p${p}`)];
    const base = sweep.cells.find((c) => c.band === null && c.status === 'done' && c.value !== null);
    const zoneColor = (zone: string | null, line: string): string =>
      zone === 'role' ? colors.below : zone === 'drifting' ? colors.floor : line;
    const series = BANDS.flatMap((band, i) => {
      const cells = sweep.cells.filter((c) => c.band === band);
      if (cells.length === 0) return [];
      const points: DosePoint[] = [
        ...(base ? [{ x: 0, y: base.value as number, zone: base.zone }] : []),
        ...cells
          .filter((c) => c.status === 'done' && c.value !== null && c.percentile !== null)
          .map((c) => ({ x: 1 + percentiles.indexOf(c.percentile as number), y: c.value as number, zone: c.zone }))
          .sort((a, b) => a.x - b.x),
      ];
      const line = colors.series[i % colors.series.length] ?? colors.line;
      return [
        {
          label: LABEL[band],
          data: points,
          borderColor: line,
          backgroundColor: line,
          pointBackgroundColor: points.map((p) => zoneColor(p.zone, line)),
          pointRadius: 4,
        },
      ];
    });
    this.canvas.dataset.series = String(series.length);
    this.canvas.dataset.points = String(series.reduce((n, s) => n + s.data.length, 0));
    const last = labels.length - 1;
    const edges = zones
      ? [
          { label: 'assistant zone edge', y: zones.assistantFrom, color: colors.rerun },
          ...(zones.roleTo === null ? [] : [{ label: 'role zone edge', y: zones.roleTo, color: colors.below }]),
        ].map((e) => ({
          label: e.label,
          data: [
            { x: 0, y: e.y, zone: null },
            { x: Math.max(1, last), y: e.y, zone: null },
          ],
          borderColor: e.color,
          backgroundColor: e.color,
          borderDash: [4, 3],
          pointRadius: 0,
          borderWidth: 1,
        }))
      : [];
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets: [...series, ...edges] },
      options: {
        ...baseOptions(colors),
        scales: {
          x: {
            type: 'linear',
            min: 0,
            max: Math.max(1, last),
            ...themedAxis('capping floor (percentile of the floor population)', colors, { stepSize: 1 }),
            ticks: { color: colors.text, stepSize: 1, callback: (v) => labels[Number(v)] ?? '' },
          },
          y: themedAxis('axis value of the re-run reply', colors),
        },
        plugins: {
          legend: { labels: { color: colors.text } },
          tooltip: {
            callbacks: {
              title: (items) => labels[Number(items[0]?.parsed.x)] ?? '',
              label: (item) => `${item.dataset.label ?? ''}: ${formatValue(item.parsed.y ?? NaN)}${(item.raw as DosePoint).zone ? ` (${(item.raw as DosePoint).zone})` : ''}`,
            },
          },
        },
      },
    });
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
