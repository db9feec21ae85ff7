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
  type Plugin,
} from 'chart.js';
import type { DataMessage, PlotTurn, ZoneBands } from './protocol';
import { readingLabel } from './shared';
import { baseOptions, themedAxis } from './chartOptions';
import type { ChartColors } from './theme';
import type { TurnRef } from './viewState';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Tooltip,
  Legend,
  Filler,
);

type PointKind = 'turn' | 'zone' | 'recorded' | 'rerun';

/** A point of the drift plot: x = turn index in the conversation, y = axis value. */
interface DriftPoint {
  x: number;
  y: number;
  kind: PointKind;
  conversation: number;
  preview: string;
  /** Reading words for the tooltip, e.g. "drifting", "▼ role", "out of domain". */
  reading: string;
  alarm: boolean;
  outOfDomain: boolean;
  /** For re-run points: the uncapped re-run's value, shown in the tooltip. */
  uncapped?: number | null;
}

export type PointClick = (conversation: number, turn: number) => void;

/** Turn points whose screen positions are published on the canvas (bounded: it is redone on every draw). */
const PUBLISHED_POSITIONS = 500;

/**
 * Publishes where the turn points are drawn, in CSS pixels of the canvas, as `data-point-positions`
 * ("conversation:turn" -> [x, y]), so end-to-end tests and assistive tooling can find a point.
 */
const positionsPlugin: Plugin<'line'> = {
  id: 'plPointPositions',
  afterDraw(chart) {
    const out: Record<string, [number, number]> = {};
    let n = 0;
    chart.data.datasets.forEach((d, di) => {
      const meta = chart.getDatasetMeta(di);
      (d.data as DriftPoint[]).forEach((p, i) => {
        const el = meta.data[i];
        if (p.kind === 'turn' && el && n++ < PUBLISHED_POSITIONS)
          out[`${p.conversation}:${p.x}`] = [Math.round(el.x), Math.round(el.y)];
      });
    });
    chart.canvas.dataset.pointPositions = JSON.stringify(out);
  },
};

const RADIUS = 4;
const SELECTED_RADIUS = 8;

function pointColor(t: PlotTurn, color: string, colors: ChartColors): string {
  if (t.outOfDomain) return colors.muted;
  return t.alarm ? colors.below : color;
}

/**
 * The zones as shaded regions: a line at each cut filled to the top (assistant) or the bottom (role)
 * of the plot, so the legend names each zone with its error rates and the shading is the zone itself.
 */
function zoneBands(z: ZoneBands, x0: number, x1: number, colors: ChartColors): ChartDataset<'line', DriftPoint[]>[] {
  const line = (y: number): DriftPoint[] =>
    [x0, x1].map((x) => ({ x, y, kind: 'zone', conversation: -1, preview: '', reading: '', alarm: false, outOfDomain: false }));
  const band = (label: string, y: number, fill: 'start' | 'end', shade: string): ChartDataset<'line', DriftPoint[]> => ({
    label,
    data: line(y),
    fill,
    backgroundColor: shade,
    borderColor: shade,
    borderWidth: 1,
    pointRadius: 0,
    pointHoverRadius: 0,
  });
  return [
    band(z.assistantLabel, z.assistantFrom, 'end', colors.assistantZone),
    ...(z.roleTo !== null && z.roleLabel !== null ? [band(z.roleLabel, z.roleTo, 'start', colors.roleZone)] : []),
  ];
}

/**
 * The per-turn drift plot: one line per conversation over the shaded assistant and role zones
 * (legend: each cut with its error rates), the transcript's recorded projections on a second axis
 * when it has them (another model's units), and one point per capped re-run. Alarmed turns are
 * red; turns out of the model's domain are grey.
 */
export class DriftChart {
  private chart: Chart<'line', DriftPoint[]> | null = null;
  private colors: ChartColors | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPointClick: PointClick,
  ) {}

  render(data: DataMessage, colors: ChartColors): void {
    this.chart?.destroy();
    this.colors = colors;
    const datasets: ChartDataset<'line', DriftPoint[]>[] = data.conversations.map((c, i) => {
      const color = colors.series[i % colors.series.length] ?? colors.line;
      return {
        label: c.label,
        data: c.turns.map((t) => ({
          x: t.turn,
          y: t.value,
          kind: 'turn',
          conversation: c.conversation,
          preview: t.preview,
          reading: readingLabel(t),
          alarm: t.alarm,
          outOfDomain: t.outOfDomain,
        })),
        borderColor: color,
        backgroundColor: color,
        pointBackgroundColor: c.turns.map((t) => pointColor(t, color, colors)),
        pointBorderColor: c.turns.map((t) => pointColor(t, color, colors)),
        pointRadius: RADIUS,
        pointHoverRadius: 7,
        tension: 0.2,
      };
    });
    const xs = datasets.flatMap((d) => d.data.map((p) => p.x));
    if (data.zones && xs.length > 0) datasets.push(...zoneBands(data.zones, Math.min(...xs), Math.max(...xs), colors));
    const recorded = data.conversations.flatMap((c) =>
      c.turns.flatMap((t) =>
        t.recorded === null
          ? []
          : [
              {
                x: t.turn,
                y: t.recorded,
                kind: 'recorded' as const,
                conversation: c.conversation,
                preview: t.preview,
                reading: '',
                alarm: false,
                outOfDomain: false,
              },
            ],
      ),
    );
    if (recorded.length > 0) {
      datasets.push({
        label: 'recorded in file (right axis)',
        data: recorded,
        yAxisID: 'y2',
        borderColor: colors.recorded,
        backgroundColor: colors.recorded,
        borderDash: [2, 3],
        pointStyle: 'rect',
        pointRadius: 3,
      });
    }
    if (data.reruns.length > 0) {
      datasets.push({
        label: 'capped re-run',
        data: data.reruns.flatMap((r) =>
          r.capped === null
            ? []
            : [
                {
                  x: r.turn,
                  y: r.capped,
                  kind: 'rerun' as const,
                  conversation: r.conversation,
                  preview: '',
                  reading: '',
                  alarm: false,
                  outOfDomain: false,
                  uncapped: r.uncapped,
                },
              ],
        ),
        borderColor: colors.rerun,
        backgroundColor: colors.rerun,
        pointStyle: 'triangle',
        pointRadius: 6,
        showLine: false,
      });
    }
    this.chart = new Chart<'line', DriftPoint[]>(this.canvas, {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions(colors),
        scales: {
          x: { type: 'linear', ...themedAxis('turn', colors, { precision: 0 }) },
          y: themedAxis(`axis value (layer ${data.monitorLayer})`, colors),
          ...(recorded.length > 0
            ? {
                y2: {
                  position: 'right' as const,
                  title: { display: true, text: 'recorded projection', color: colors.recorded },
                  ticks: { color: colors.recorded },
                  grid: { display: false },
                },
              }
            : {}),
        },
        plugins: {
          legend: { labels: { color: colors.text } },
          tooltip: {
            filter: (item) => (item.raw as DriftPoint).kind !== 'zone',
            callbacks: {
              label: (item) => {
                const p = item.raw as DriftPoint;
                const v = `${p.y >= 0 ? '+' : ''}${p.y.toFixed(2)}`;
                if (p.kind === 'recorded') return `turn ${p.x}: recorded ${v}`;
                if (p.kind === 'rerun')
                  return `turn ${p.x}: capped re-run ${v}${p.uncapped == null ? '' : ` (uncapped ${p.uncapped.toFixed(2)})`}`;
                return `turn ${p.x}: ${v}${p.reading ? ` · ${p.reading}` : ''}`;
              },
              afterLabel: (item) => (item.raw as DriftPoint).preview,
            },
          },
        },
        onClick: (_event, elements) => {
          const el = elements[0];
          if (!el) return;
          const p = this.chart?.data.datasets[el.datasetIndex]?.data[el.index];
          if (p && (p.kind === 'turn' || p.kind === 'rerun')) this.onPointClick(p.conversation, p.x);
        },
      },
      plugins: [positionsPlugin],
    });
  }

  /** Highlights one turn's point (larger, with its tooltip); false when it is not plotted. */
  select(target: TurnRef | null): boolean {
    const chart = this.chart;
    if (!chart) return false;
    const hit = (p: DriftPoint): boolean =>
      target !== null && p.kind === 'turn' && p.conversation === target.conversation && p.x === target.turn;
    for (const d of chart.data.datasets) {
      if (d.data.some((p) => p.kind === 'turn'))
        d.pointRadius = d.data.map((p) => (hit(p) ? SELECTED_RADIUS : RADIUS));
    }
    chart.update();
    for (let di = 0; di < chart.data.datasets.length; di++) {
      const index = chart.data.datasets[di]?.data.findIndex(hit) ?? -1;
      if (index < 0) continue;
      const el = chart.getDatasetMeta(di).data[index];
      chart.setActiveElements([{ datasetIndex: di, index }]);
      if (el) chart.tooltip?.setActiveElements([{ datasetIndex: di, index }], { x: el.x, y: el.y });
      chart.update();
      return true;
    }
    return false;
  }

  /** The plotted assistant turns in plot order (conversation, then turn), for keyboard moves. */
  turns(): TurnRef[] {
    const out: TurnRef[] = [];
    for (const d of this.chart?.data.datasets ?? [])
      for (const p of d.data) if (p.kind === 'turn') out.push({ conversation: p.conversation, turn: p.x });
    return out.sort((a, b) => a.conversation - b.conversation || a.turn - b.turn);
  }

  /** Number of plotted points of one kind ("turn": one per assistant turn). */
  count(kind: PointKind): number {
    return (
      this.chart?.data.datasets.reduce((n, d) => n + d.data.filter((p) => p.kind === kind).length, 0) ?? 0
    );
  }

  /** The plot as a PNG data URL on the theme's background (a canvas alone is transparent); null while it is not laid out. */
  toPng(): string | null {
    this.chart?.resize();
    if (!this.chart || this.canvas.width === 0 || this.canvas.height === 0) return null;
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const ctx = out.getContext('2d');
    if (!ctx) return this.canvas.toDataURL('image/png');
    ctx.fillStyle = this.colors?.background ?? 'Canvas';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(this.canvas, 0, 0);
    return out.toDataURL('image/png');
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
