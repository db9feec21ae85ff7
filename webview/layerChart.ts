import {
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
  type Plugin,
} from 'chart.js';
import type { Capping } from './protocol';
import { baseOptions, themedAxis } from './chartOptions';
import type { ChartColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

interface LayerPoint {
  x: number;
  y: number;
}

/** What the layer view draws for one turn. */
export interface LayerViewData {
  /** Mean projection per zero-based layer; null where unknown. */
  readonly values: readonly (number | null)[];
  readonly monitorLayer: number;
  readonly capping: Capping | null;
}

interface BandOptions {
  from: number;
  to: number;
  monitor: number;
  band: string;
  monitorColor: string;
}

/**
 * Shades the capping band (layers from..to, half a layer either side) and draws a dashed line at
 * the monitor layer, on the canvas: nothing inline in the DOM, so nothing for the CSP to refuse.
 */
const bandPlugin: Plugin<'line'> = {
  id: 'plLayerBand',
  beforeDatasetsDraw(chart, _args, options) {
    const o = options as unknown as BandOptions;
    const { ctx, chartArea, scales } = chart;
    const x = scales['x'];
    if (!x) return;
    ctx.save();
    if (o.from <= o.to) {
      const left = Math.max(chartArea.left, x.getPixelForValue(o.from - 0.5));
      const right = Math.min(chartArea.right, x.getPixelForValue(o.to + 0.5));
      ctx.globalAlpha = 0.15;
      ctx.fillStyle = o.band;
      ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
      ctx.globalAlpha = 1;
    }
    const mx = x.getPixelForValue(o.monitor);
    ctx.strokeStyle = o.monitorColor;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(mx, chartArea.top);
    ctx.lineTo(mx, chartArea.bottom);
    ctx.stroke();
    ctx.restore();
  },
};

/** The selected turn's value at every layer, with the monitor layer and the capping band marked. */
export class LayerChart {
  private chart: Chart<'line', LayerPoint[]> | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  render(data: LayerViewData, colors: ChartColors): void {
    this.chart?.destroy();
    const points = data.values.flatMap((y, x) => (y === null ? [] : [{ x, y }]));
    const capping = data.capping;
    const floors = capping
      ? capping.layers.flatMap((x, i) => (capping.floors[i] == null ? [] : [{ x, y: capping.floors[i] }]))
      : [];
    const bandFrom = capping && capping.layers.length ? Math.min(...capping.layers) : 1;
    const bandTo = capping && capping.layers.length ? Math.max(...capping.layers) : 0;
    this.chart = new Chart<'line', LayerPoint[]>(this.canvas, {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'turn value per layer',
            data: points,
            borderColor: colors.line,
            backgroundColor: colors.line,
            pointRadius: 3,
            tension: 0.1,
          },
          {
            label: 'capping floor τ',
            data: floors,
            borderColor: colors.band,
            backgroundColor: colors.band,
            borderDash: [6, 4],
            pointStyle: 'rectRot',
            pointRadius: 4,
            showLine: floors.length > 1,
          },
        ],
      },
      options: {
        ...baseOptions(colors),
        scales: {
          x: {
            type: 'linear',
            ...themedAxis(
              `layer (monitor ${data.monitorLayer}${capping?.layers.length ? `, capping ${bandFrom}–${bandTo}` : ''})`,
              colors,
              { precision: 0, stepSize: 1 },
            ),
          },
          y: themedAxis('axis value', colors),
        },
        plugins: {
          legend: { labels: { color: colors.text } },
          tooltip: {
            callbacks: {
              label: (item) =>
                `layer ${(item.raw as LayerPoint).x}: ${(item.raw as LayerPoint).y.toFixed(2)}`,
            },
          },
          // Chart.js types plugin options per registered plugin id; ours is local to this chart.
          ...({
            plLayerBand: {
              from: bandFrom,
              to: bandTo,
              monitor: data.monitorLayer,
              band: colors.band,
              monitorColor: colors.monitor,
            },
          } as object),
        },
      },
      plugins: [bandPlugin],
    });
    this.canvas.dataset.layers = String(points.length);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
