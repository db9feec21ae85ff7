// The HTML report's page script (bundled as out/webview/report.js and inlined by the report
// builder): draws one drift plot per conversation with the panel's own DriftChart, and redraws
// them when the colour scheme changes. The data is the JSON block src/core/report/htmlReport.ts
// embeds; it is checked here before use, since a report file can be edited by anyone.
import '../../media/tokenStrip.css';
import './report.css';
import { Chart } from 'chart.js';
import { DriftChart } from '../driftChart';
import type { DataMessage } from '../protocol';
import { readColors } from '../theme';
import { REPORT_DATA_ID, type ReportChart, type ReportPoint } from '../../src/core/report/htmlReport';
import type { ZoneBandData } from '../../src/core/report/reading';

const DATA_ID = REPORT_DATA_ID;

function isPoint(p: unknown): p is ReportPoint {
  const o = p as Partial<ReportPoint> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isInteger(o.turn) &&
    Number.isFinite(o.value) &&
    (o.delta === null || Number.isFinite(o.delta)) &&
    (o.zone === null || o.zone === 'assistant' || o.zone === 'drifting' || o.zone === 'role') &&
    typeof o.outOfDomain === 'boolean' &&
    typeof o.alarm === 'boolean' &&
    typeof o.preview === 'string' &&
    (o.recorded === null || Number.isFinite(o.recorded))
  );
}

function isChart(c: unknown): c is ReportChart {
  const o = c as Partial<ReportChart> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.canvasId === 'string' &&
    typeof o.label === 'string' &&
    typeof o.model === 'string' &&
    typeof o.axis === 'string' &&
    Number.isInteger(o.monitorLayer) &&
    (o.tau === null || Number.isFinite(o.tau)) &&
    (o.zones === null || isZones(o.zones)) &&
    Array.isArray(o.points) &&
    o.points.every(isPoint)
  );
}

function isZones(z: unknown): z is ZoneBandData {
  const o = z as Partial<ZoneBandData> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isFinite(o.assistantFrom) &&
    (o.roleTo === null || Number.isFinite(o.roleTo)) &&
    typeof o.assistantLabel === 'string' &&
    (o.roleLabel === null || typeof o.roleLabel === 'string')
  );
}

function readCharts(): ReportChart[] {
  const raw = document.getElementById(DATA_ID)?.textContent ?? '';
  const parsed = JSON.parse(raw) as { charts?: unknown };
  if (!Array.isArray(parsed.charts) || !parsed.charts.every(isChart))
    throw new Error('Persona Lens report: the embedded data is malformed');
  return parsed.charts;
}

/** The panel's message shape for one conversation; fields the report has no use for stay empty. */
function toDataMessage(c: ReportChart, index: number): DataMessage {
  return {
    type: 'data',
    uri: '',
    fileName: c.label,
    model: c.model,
    axis: c.axis,
    monitorLayer: c.monitorLayer,
    tau: c.tau,
    zones: c.zones && {
      ...c.zones,
      assistantLabel: c.zones.assistantLabel.slice(0, 500),
      roleLabel: c.zones.roleLabel?.slice(0, 500) ?? null,
    },
    readingNote: null,
    capping: null,
    conversations: [
      {
        conversation: index,
        label: c.label,
        turns: c.points.map((p) => ({
          turn: p.turn,
          value: p.value,
          delta: p.delta,
          zone: p.zone,
          outOfDomain: p.outOfDomain,
          alarm: p.alarm,
          preview: p.preview.slice(0, 200),
          tokens: [],
          tokenCount: 0,
          layerValues: [],
          recorded: p.recorded,
        })),
      },
    ],
    reruns: [],
  };
}

const charts = readCharts();
const drawn = charts.flatMap((c, i) => {
  const canvas = document.getElementById(c.canvasId);
  if (!(canvas instanceof HTMLCanvasElement)) return [];
  // A click on a point scrolls to that turn's strip.
  const chart = new DriftChart(canvas, (_conversation, turn) => {
    document.getElementById(`pl-turn-${i}-${turn}`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  });
  return [{ chart, canvas, label: c.label, message: toDataMessage(c, i) }];
});

/**
 * Records on the canvas what Chart.js actually drew for the conversation's line (point count and
 * pixel positions), so a reader's tools and the e2e test can check the plot without its internals.
 */
function recordDrawn(canvas: HTMLCanvasElement, label: string): void {
  const chart = Chart.getChart(canvas);
  const index = chart?.data.datasets.findIndex((d) => d.label === label) ?? -1;
  const points = index >= 0 && chart ? chart.getDatasetMeta(index).data : [];
  canvas.dataset.points = String(points.length);
  canvas.dataset.pixels = JSON.stringify(points.map((p) => [Math.round(p.x), Math.round(p.y)]));
}

function draw(): void {
  const colors = readColors();
  for (const d of drawn) {
    d.chart.render(d.message, colors);
    recordDrawn(d.canvas, d.label);
  }
  document.body.dataset.charts = String(drawn.length);
  document.body.dataset.ready = 'true';
}

draw();
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', draw);
