/**
 * The prompt view's plot: one line per probe (x = reply, y = axis value); in a comparison prompt A
 * solid and prompt B dashed in the probe's colour, so a probe's two trajectories read as a pair.
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';
import { baseOptions, themedAxis } from './chartOptions';
import type { ProbeViewData } from './promptProtocol';
import { formatValue } from './shared';
import type { ChartColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

interface Point {
  x: number;
  y: number;
  preview: string;
  reading: string;
}

/** Draws `view` on `canvas`, replacing the previous plot. */
export class ProbeChart {
  private chart: Chart<'line', Point[]> | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  draw(view: ProbeViewData, colors: ChartColors): void {
    this.chart?.destroy();
    const probes = [...new Set(view.lines.map((l) => l.probe))];
    // The quick set has five probes: the theme's four series colours plus orange and red keep them apart.
    const palette = [...colors.series, colors.floor, colors.below];
    const datasets: ChartDataset<'line', Point[]>[] = view.lines.map((l) => {
      const color = palette[probes.indexOf(l.probe) % palette.length] ?? colors.line;
      return {
        label: `${l.probe}${l.prompt ? ` (${l.prompt})` : ''}`,
        data: l.points.map((p) => ({ x: p.x, y: p.y, preview: p.preview, reading: p.outOfDomain ? 'out of domain' : (p.zone ?? '') })),
        borderColor: color,
        backgroundColor: color,
        borderDash: l.prompt === 'B' ? [6, 4] : [],
        pointStyle: l.prompt === 'B' ? 'rectRot' : 'circle',
        pointRadius: 3,
      };
    });
    this.chart = new Chart<'line', Point[]>(this.canvas, {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions(colors),
        scales: {
          x: { type: 'linear', min: 1, max: Math.max(view.maxReply, 2), ...themedAxis('Reply', colors, { stepSize: 1, precision: 0 }) },
          y: { type: 'linear', ...themedAxis('Assistant-Axis value', colors) },
        },
        plugins: {
          legend: { labels: { color: colors.text, boxHeight: 2 } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const p = item.raw as Point;
                return `${item.dataset.label ?? ''}: ${formatValue(p.y)}${p.reading ? ` · ${p.reading}` : ''} · ${p.preview}`;
              },
            },
          },
        },
      },
    });
    this.canvas.dataset.lines = String(datasets.length);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
