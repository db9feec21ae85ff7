import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { DataMessage } from './protocol';
import type { ChartColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

/** A point of the drift plot: x = turn index in the conversation, y = axis value. */
interface DriftPoint {
  x: number;
  y: number;
  conversation: number;
  preview: string;
  belowFloor: boolean;
}

export type PointClick = (conversation: number, turn: number) => void;

/** The per-turn drift plot: one line per conversation, the floor tau as a dashed line. */
export class DriftChart {
  private chart: Chart<'line', DriftPoint[]> | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPointClick: PointClick,
  ) {}

  render(data: DataMessage, colors: ChartColors): void {
    this.chart?.destroy();
    const datasets: ChartDataset<'line', DriftPoint[]>[] = data.conversations.map((c, i) => {
      const color = colors.series[i % colors.series.length] ?? colors.line;
      return {
        label: c.label,
        data: c.turns.map((t) => ({ x: t.turn, y: t.value, conversation: c.conversation, preview: t.preview, belowFloor: t.belowFloor })),
        borderColor: color,
        backgroundColor: color,
        pointBackgroundColor: c.turns.map((t) => (t.belowFloor ? colors.below : color)),
        pointRadius: 4,
        pointHoverRadius: 7,
        tension: 0.2,
      };
    });
    const xs = datasets.flatMap((d) => d.data.map((p) => p.x));
    if (data.tau !== null && xs.length > 0) {
      datasets.push({
        label: `floor τ = ${data.tau.toFixed(2)}`,
        data: [Math.min(...xs), Math.max(...xs)].map((x) => ({ x, y: data.tau!, conversation: -1, preview: '', belowFloor: false })),
        borderColor: colors.floor,
        borderDash: [6, 4],
        pointRadius: 0,
        pointHoverRadius: 0,
      });
    }
    this.chart = new Chart<'line', DriftPoint[]>(this.canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        color: colors.text,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'turn', color: colors.text }, ticks: { color: colors.text, precision: 0 }, grid: { color: colors.grid } },
          y: { title: { display: true, text: `axis value (layer ${data.monitorLayer})`, color: colors.text }, ticks: { color: colors.text }, grid: { color: colors.grid } },
        },
        plugins: {
          legend: { labels: { color: colors.text } },
          tooltip: {
            filter: (item) => (item.raw as DriftPoint).conversation >= 0,
            callbacks: {
              label: (item) => {
                const p = item.raw as DriftPoint;
                return `turn ${p.x}: ${p.y >= 0 ? '+' : ''}${p.y.toFixed(2)}${p.belowFloor ? ' (below floor)' : ''}`;
              },
              afterLabel: (item) => (item.raw as DriftPoint).preview,
            },
          },
        },
        onClick: (_event, elements) => {
          const el = elements[0];
          if (!el) return;
          const p = this.chart?.data.datasets[el.datasetIndex]?.data[el.index];
          if (p && p.conversation >= 0) this.onPointClick(p.conversation, p.x);
        },
      },
    });
  }

  /** Highlights one turn's point and shows its tooltip; false when it is not plotted. */
  select(conversation: number, turn: number): boolean {
    const chart = this.chart;
    if (!chart) return false;
    for (let d = 0; d < chart.data.datasets.length; d++) {
      const index = chart.data.datasets[d]?.data.findIndex((p) => p.conversation === conversation && p.x === turn) ?? -1;
      if (index >= 0) {
        const meta = chart.getDatasetMeta(d).data[index];
        chart.setActiveElements([{ datasetIndex: d, index }]);
        if (meta) chart.tooltip?.setActiveElements([{ datasetIndex: d, index }], { x: meta.x, y: meta.y });
        chart.update();
        return true;
      }
    }
    return false;
  }

  /** Number of plotted turn points (excluding the floor line); used by the page's status text. */
  pointCount(): number {
    return this.chart?.data.datasets.reduce((n, d) => n + d.data.filter((p) => p.conversation >= 0).length, 0) ?? 0;
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
