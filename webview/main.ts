// Drift panel page. Receives data from the host (validated), draws the plot, and asks the host
// to reveal a turn when a point is clicked. It never names a command or a path.
import { DriftChart } from './driftChart';
import { parseToPanel, type DataMessage, type FromPanelMessage } from './protocol';
import { readColors } from './theme';

interface VsCodeApi {
  postMessage(message: FromPanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const canvas = document.getElementById('drift-chart') as HTMLCanvasElement;
const status = document.getElementById('status') as HTMLElement;
const title = document.getElementById('title') as HTMLElement;
let current: DataMessage | null = null;

const chart = new DriftChart(canvas, (conversation, turn) => {
  vscode.setState({ selected: { conversation, turn } });
  if (current) vscode.postMessage({ type: 'revealTurn', uri: current.uri, conversation, turn });
});

function draw(): void {
  if (!current) return;
  chart.render(current, readColors());
  const n = chart.pointCount();
  title.textContent = current.fileName;
  status.textContent = `${n} assistant turn${n === 1 ? '' : 's'} · model ${current.model} · axis ${current.axis}`;
  document.body.dataset.points = String(n);
  document.body.dataset.ready = 'true';
  const selected = savedSelection();
  if (selected) chart.select(selected.conversation, selected.turn);
}

/** The selected turn kept in the webview state, so it survives a reload. */
function savedSelection(): { conversation: number; turn: number } | null {
  const s = vscode.getState() as { selected?: { conversation?: unknown; turn?: unknown } } | undefined;
  const c = s?.selected?.conversation;
  const t = s?.selected?.turn;
  return typeof c === 'number' && typeof t === 'number' ? { conversation: c, turn: t } : null;
}

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
      break;
    case 'empty':
      current = null;
      chart.destroy();
      title.textContent = 'Persona Lens';
      status.textContent = msg.reason;
      document.body.dataset.points = '0';
      document.body.dataset.ready = 'true';
      break;
    case 'themeChanged':
      draw();
      break;
    case 'selectTurn':
      vscode.setState({ selected: { conversation: msg.conversation, turn: msg.turn } });
      chart.select(msg.conversation, msg.turn);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
