// Drift panel page. Receives data from the host (validated), draws the plot, the selected turn's
// strip and layer view, and the compare view of a capped re-run. It asks the host for everything
// else (reveal, re-run, copy, export) with messages that never name a command, a path or a text.
import { pageApi } from './vscodeApi';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { IDLE, nextCompareState, type CompareState } from './compareState';
import { renderCompare, type CompareElements } from './compareView';
import { DoseChart } from './doseChart';
import { DriftChart } from './driftChart';
import { LayerChart } from './layerChart';
import { parseToPanel, STEER_LIMIT, type DataMessage, type FromPanelMessage, type PlotTurn, type SweepState } from './protocol';
import { firstWords, formatDelta, formatValue, readingLabel } from './shared';
import { renderStrip } from './strip';
import { renderSweep, type SweepElements } from './sweepView';
import { readColors } from './theme';
import { parseViewState, stepSelection, VIEWS, type TurnRef, type View, type ViewState } from './viewState';

const { vscode, byId } = pageApi<FromPanelMessage>('panel');

const canvas = byId<HTMLCanvasElement>('drift-chart');
const status = byId('status');
const title = byId('title');
const tabs = byId('tabs');
const turnTitle = byId('turn-title');
const turnInfo = byId('turn-info');
const strip = byId('strip');
const stripLegend = byId('strip-legend');
const layerCanvas = byId<HTMLCanvasElement>('layer-chart');
const rerunButton = byId('rerun');
const steerButton = byId('rerun-steer');
const steerField = byId<HTMLInputElement>('steer-alpha');
const sweepButton = byId('sweep');
const turnButtons = [rerunButton, steerButton, sweepButton];
const sweepEls: SweepElements = {
  root: byId('sweep-view'),
  status: byId('sweep-status'),
  cancel: byId('sweep-cancel'),
  grid: byId<HTMLTableElement>('sweep-grid'),
  settings: byId('sweep-settings'),
};
const dose = new DoseChart(byId<HTMLCanvasElement>('dose-chart'));
const compareEls: CompareElements = {
  root: byId('compare'),
  status: byId('compare-status'),
  columns: {
    original: byId('col-original'),
    uncapped: byId('col-uncapped'),
    capped: byId('col-capped'),
    steered: byId('col-steered'),
  },
  diff: byId('diff'),
  diffSummary: byId('diff-summary'),
  settings: byId('settings'),
  cancel: byId('cancel'),
  cappedActions: [byId('copy-capped'), byId('open-capped')],
};

let current: DataMessage | null = null;
let state: ViewState = parseViewState(vscode.getState());
let compare: CompareState = IDLE;
let sweep: SweepState | null = null;

/** True while a re-run or a sweep runs: the turn's buttons wait for it. */
function busy(): boolean {
  return compare.phase === 'running' || sweep?.phase === 'running';
}

function setTurnButtons(): void {
  const off = !findTurn(state.selected) || busy();
  for (const b of turnButtons) b.toggleAttribute('disabled', off);
}

function saveState(next: Partial<ViewState>): void {
  state = { ...state, ...next };
  vscode.setState(state);
}

const drift = new DriftChart(canvas, (conversation, turn) => {
  select({ conversation, turn });
  reveal();
});
const layers = new LayerChart(layerCanvas);

function findTurn(ref: TurnRef | null): PlotTurn | undefined {
  return ref
    ? current?.conversations
        .find((c) => c.conversation === ref.conversation)
        ?.turns.find((t) => t.turn === ref.turn)
    : undefined;
}

/** Selects a turn: plot highlight, strip, layer view, saved state. */
function select(ref: TurnRef | null): void {
  saveState({ selected: ref });
  drift.select(ref);
  drawTurn();
}

function reveal(): void {
  const ref = state.selected;
  if (current && ref)
    vscode.postMessage({
      type: 'revealTurn',
      uri: current.uri,
      conversation: ref.conversation,
      turn: ref.turn,
    });
}

function drawTurn(): void {
  const t = findTurn(state.selected);
  document.body.dataset.selected = t && state.selected ? `${state.selected.conversation}:${t.turn}` : '';
  setTurnButtons();
  if (!t || !current) {
    turnTitle.textContent = 'No turn selected';
    turnInfo.textContent = 'Click a point, or focus the plot and use the arrow keys.';
    strip.replaceChildren();
    strip.dataset.tokens = '0';
    layers.destroy();
    layerCanvas.dataset.layers = '0';
    return;
  }
  const reading = readingLabel(t);
  turnTitle.textContent = `Turn ${t.turn}: axis ${formatValue(t.value)}${reading ? ` · ${reading}` : ''}`;
  const parts = [
    formatDelta(t.delta),
    `${t.tokenCount} tokens`,
    t.recorded === null ? '' : `recorded ${formatValue(t.recorded)}`,
    firstWords(t.preview, 60),
  ];
  turnInfo.textContent = parts.filter(Boolean).join(' · ');
  const centre = stripCentre(current);
  renderStrip(strip, t.tokens, centre);
  stripLegend.textContent = `token shade: projection relative to ${
    centre === null ? 'the reply\'s median' : current.zones ? `the assistant zone's edge ${formatValue(centre)}` : `the capping floor τ ${formatValue(centre)}`
  }`;
  if (t.tokenCount > t.tokens.length)
    strip.append(
      Object.assign(document.createElement('p'), {
        className: 'note',
        textContent: `(first ${t.tokens.length} of ${t.tokenCount} tokens)`,
      }),
    );
  layers.render(
    { values: t.layerValues, monitorLayer: current.monitorLayer, capping: current.capping },
    readColors(),
  );
}

/** The value strips are shaded around: the assistant zone's edge, else the capping floor (else their median). */
function stripCentre(d: DataMessage): number | null {
  return d.zones?.assistantFrom ?? d.tau;
}

function draw(): void {
  if (!current) return;
  drift.render(current, readColors());
  const n = drift.count('turn');
  title.textContent = current.fileName;
  status.textContent = `${n} assistant turn${n === 1 ? '' : 's'} · model ${current.model} · axis ${current.axis}${current.readingNote ? ` · ${current.readingNote}` : ''}`;
  document.body.dataset.points = String(n);
  document.body.dataset.recordedPoints = String(drift.count('recorded'));
  document.body.dataset.rerunPoints = String(drift.count('rerun'));
  document.body.dataset.ready = 'true';
  if (state.selected && !findTurn(state.selected)) state = { ...state, selected: null };
  drift.select(state.selected);
  drawTurn();
}

function drawCompare(): void {
  renderCompare(compareEls, compare, current ? stripCentre(current) : null);
  setTurnButtons();
}

function drawSweep(): void {
  renderSweep(sweepEls, dose, sweep, current?.zones ?? null, readColors());
  setTurnButtons();
}

function showView(view: View): void {
  saveState({ view });
  tabs.setAttribute('selected-index', String(VIEWS.indexOf(view)));
  document.body.dataset.view = view;
}

tabs.addEventListener('vsc-tabs-select', (e) => {
  const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  const view = VIEWS[i];
  if (view) {
    saveState({ view });
    document.body.dataset.view = view;
  }
});

canvas.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    reveal();
    return;
  }
  const next = stepSelection(drift.turns(), state.selected, e.key);
  if (next) {
    e.preventDefault();
    select(next);
  }
});

/** The selected turn of the shown transcript, as a message target. */
function selectedTarget(): { uri: string; conversation: number; turn: number } | null {
  const ref = state.selected;
  return current && ref && findTurn(ref) ? { uri: current.uri, conversation: ref.conversation, turn: ref.turn } : null;
}

rerunButton.addEventListener('click', () => {
  const target = selectedTarget();
  if (target) vscode.postMessage({ type: 'rerunTurn', ...target, steer: null });
});
steerButton.addEventListener('click', () => {
  const target = selectedTarget();
  if (!target) return;
  const alpha = Number(steerField.value);
  if (steerField.value.trim() === '' || !Number.isFinite(alpha) || Math.abs(alpha) > STEER_LIMIT) {
    turnInfo.textContent = `Steering α must be a number from -${STEER_LIMIT} to ${STEER_LIMIT} (spreads of the default Assistant; negative pushes away from it).`;
    return;
  }
  vscode.postMessage({ type: 'rerunTurn', ...target, steer: alpha });
});
sweepButton.addEventListener('click', () => {
  const target = selectedTarget();
  if (target) vscode.postMessage({ type: 'sweepTurn', ...target });
});
compareEls.cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancelRerun' }));
sweepEls.cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancelRerun' }));
byId('copy-capped').addEventListener('click', () =>
  vscode.postMessage({ type: 'cappedText', action: 'copy' }),
);
byId('open-capped').addEventListener('click', () =>
  vscode.postMessage({ type: 'cappedText', action: 'open' }),
);
byId('export-png').addEventListener('click', () => {
  if (!current) return;
  // The plot has no size while another tab is shown: show it, let layout run, then draw it out.
  showView('drift');
  requestAnimationFrame(() => {
    const dataUrl = drift.toPng();
    if (dataUrl) vscode.postMessage({ type: 'exportPng', dataUrl });
    else status.textContent = 'The plot could not be exported: it has no size yet.';
  });
});
byId('export-csv').addEventListener(
  'click',
  () => current && vscode.postMessage({ type: 'exportValues', format: 'csv' }),
);
byId('export-json').addEventListener(
  'click',
  () => current && vscode.postMessage({ type: 'exportValues', format: 'json' }),
);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = parseToPanel(event.data);
  if (!msg) {
    console.warn('Persona Lens panel: dropped a malformed message');
    return;
  }
  switch (msg.type) {
    case 'data':
      current = msg;
      draw();
      drawCompare();
      drawSweep();
      break;
    case 'empty':
      current = null;
      drift.destroy();
      title.textContent = 'Persona Lens';
      status.textContent = msg.reason;
      document.body.dataset.points = '0';
      document.body.dataset.ready = 'true';
      drawTurn();
      break;
    case 'themeChanged':
      draw();
      drawCompare();
      drawSweep();
      break;
    case 'selectTurn':
      showView('drift');
      select({ conversation: msg.conversation, turn: msg.turn });
      break;
    case 'rerunStarted':
      showView('compare');
      compare = nextCompareState(compare, msg);
      drawCompare();
      break;
    case 'rerunVariant':
    case 'rerunTokens':
    case 'rerunEnded':
      compare = nextCompareState(compare, msg);
      drawCompare();
      break;
    case 'rerunDone':
      compare = nextCompareState(compare, msg);
      drawCompare();
      break;
    case 'sweepState':
      // A new sweep brings the tab forward; later states of it only redraw.
      if (msg.phase === 'running' && (sweep === null || sweep.phase !== 'running')) showView('sweep');
      sweep = msg;
      drawSweep();
      break;
  }
});

showView(state.view);
drawCompare();
drawSweep();
vscode.postMessage({ type: 'ready' });
