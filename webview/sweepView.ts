/**
 * The Sweep tab: a capping sweep of one assistant turn as a grid (rows: the uncapped reply, then one
 * row per band; columns: the floors), each cell with its value, zone, format checks and text, and
 * the dose-response plot above it. Everything from the model goes in as text nodes.
 */
import type { DoseChart } from './doseChart';
import type { SweepCellView, SweepState, ZoneBands } from './protocol';
import { firstWords, formatValue, readingLabel } from './shared';
import type { ChartColors } from './theme';

export interface SweepElements {
  readonly root: HTMLElement;
  readonly status: HTMLElement;
  readonly cancel: HTMLElement;
  readonly grid: HTMLTableElement;
  readonly settings: HTMLElement;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const BAND_LABEL = { axis: "axis band", wide: 'wide band', all: 'all layers' } as const;

function layerRange(layers: readonly number[]): string {
  return layers.length === 0 ? '' : layers.length === 1 ? `layer ${layers[0]}` : `layers ${layers[0]}–${layers[layers.length - 1]}`;
}

/** One grid cell: value and reading, checks, and the reply (first words, the rest on demand). */
function cellOf(c: SweepCellView): HTMLTableCellElement {
  const td = el('td');
  td.dataset.status = c.status;
  td.dataset.value = c.value === null ? '' : String(c.value);
  td.dataset.cached = String(c.cached);
  if (c.status === 'pending') {
    td.append(el('span', '—', 'note'));
    return td;
  }
  if (c.status === 'running') {
    td.append(el('p', 'generating…', 'reply-value'), el('div', c.text, 'pl-strip streaming'));
    return td;
  }
  const reading = readingLabel({ zone: c.zone, outOfDomain: c.outOfDomain, alarm: c.zone === 'role' });
  const line = el('p', `axis ${c.value === null ? 'n/a' : formatValue(c.value)}${reading ? ` · ${reading}` : ''}`, 'reply-value');
  if (c.zone === 'role') line.classList.add('below');
  if (c.cached) line.append(el('span', ' · cached', 'note'));
  td.append(line);
  if (c.problems.length > 0) td.append(el('p', `⚠ ${c.problems.join('; ')}`, 'sweep-problem'));
  const details = el('details');
  details.append(el('summary', firstWords(c.text, 80) || '(empty)'), el('div', c.text, 'sweep-text'));
  td.append(details);
  return td;
}

function statusText(s: SweepState): string {
  const done = s.cells.filter((c) => c.status === 'done').length;
  const total = s.cells.length;
  const original = s.original.value === null ? '' : ` The original reads ${formatValue(s.original.value)}.`;
  switch (s.phase) {
    case 'running':
      return total === 0 ? `Capping sweep of turn ${s.turn}: loading…` : `Capping sweep of turn ${s.turn}: ${done} of ${total} replies…${original}`;
    case 'done':
      return `Capping sweep of turn ${s.turn}: ${total} replies regenerated from the conversation before it under the same seed.${original}`;
    case 'cancelled':
      return `Capping sweep of turn ${s.turn} cancelled after ${done} of ${total} replies; they are kept, and sweeping again continues from there.`;
    case 'failed':
      return `Capping sweep of turn ${s.turn} failed: ${s.message}`;
  }
}

/** Draws the Sweep tab for `sweep` (null: none yet). */
export function renderSweep(
  e: SweepElements,
  chart: DoseChart,
  sweep: SweepState | null,
  zones: ZoneBands | null,
  colors: ChartColors,
): void {
  e.root.dataset.phase = sweep?.phase ?? 'idle';
  e.cancel.hidden = sweep?.phase !== 'running';
  e.cancel.toggleAttribute('disabled', sweep?.phase !== 'running');
  if (!sweep) {
    e.status.textContent = 'No sweep yet: select an assistant turn on the Drift tab and press "Capping sweep".';
    e.grid.replaceChildren();
    e.settings.textContent = '';
    chart.destroy();
    return;
  }
  e.status.textContent = statusText(sweep);
  const percentiles = [...new Set(sweep.cells.flatMap((c) => (c.percentile === null ? [] : [c.percentile])))].sort((a, b) => a - b);
  const head = el('tr');
  head.append(el('th', 'band \\ floor'), ...percentiles.map((p) => el('th', `p${p}`)));
  const rows: HTMLTableRowElement[] = [head];
  const base = sweep.cells.find((c) => c.band === null);
  if (base) {
    const tr = el('tr');
    const td = cellOf(base);
    td.colSpan = Math.max(1, percentiles.length);
    tr.append(el('th', 'without capping'), td);
    tr.dataset.band = 'none';
    rows.push(tr);
  }
  for (const band of ['axis', 'wide', 'all'] as const) {
    const cells = sweep.cells.filter((c) => c.band === band);
    if (cells.length === 0) continue;
    const tr = el('tr');
    tr.dataset.band = band;
    const th = el('th', BAND_LABEL[band]);
    th.append(el('br'), el('span', layerRange(cells[0]?.layers ?? []), 'note'));
    tr.append(th, ...percentiles.map((p) => {
      const c = cells.find((x) => x.percentile === p);
      return c ? cellOf(c) : el('td');
    }));
    rows.push(tr);
  }
  e.grid.replaceChildren(...rows);
  e.settings.textContent = `${sweep.sampling}${sweep.seed === null ? '' : `, seed ${sweep.seed}`}, at most ${sweep.maxTokens} tokens; floors are percentiles of the ${sweep.population} population.`;
  chart.render(sweep, zones, colors);
}
