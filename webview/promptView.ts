// Prompt view page: a system prompt's stress test, or two prompts compared on the same probes.
// Receives validated results from the host and draws them; asks the host only to export.
import { pageApi } from './vscodeApi';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { ProbeChart } from './promptChart';
import { parseToPromptView, type FromPromptViewMessage, type ToPromptViewMessage } from './promptProtocol';
import { readColors } from './theme';

const { vscode, byId } = pageApi<FromPromptViewMessage>('prompt view');

const title = byId('title');
const status = byId('status');
const prompts = byId('prompts');
const summary = byId('summary');
const worst = byId('worst');
const table = byId('probes');
const exports = [byId('export-json'), byId('export-csv')];
const chart = new ProbeChart(byId<HTMLCanvasElement>('probe-chart'));

type ResultMessage = Extract<ToPromptViewMessage, { type: 'result' }>;
let shown: ResultMessage | null = null;

function cell(tag: 'td' | 'th', text: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

function row(tag: 'td' | 'th', texts: readonly string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(...texts.map((t) => cell(tag, t)));
  return tr;
}

function render(m: ResultMessage): void {
  const view = m.view;
  title.textContent = m.title;
  status.textContent = m.settings;
  prompts.replaceChildren(...m.prompts.map((p, i) => cell('td', `${m.prompts.length > 1 ? `${i === 0 ? 'A' : 'B'}: ` : ''}${p}`)));
  summary.replaceChildren(...view.summary.map(([k, v]) => row('td', [k, v])));
  worst.replaceChildren(
    ...view.worst.flatMap((w) => {
      const h = document.createElement('h3');
      h.textContent = w.label;
      const q = document.createElement('blockquote');
      q.textContent = w.text;
      return [h, q];
    }),
  );
  const compare = view.kind === 'compare';
  const replies = Array.from({ length: view.maxReply }, (_, i) => `B − A reply ${i + 1}`);
  const head = compare ? ['Probe', 'Category', 'Leaves (A)', 'Leaves (B)', 'Slope (A)', 'Slope (B)', 'Parts at', ...replies] : ['Probe', 'Category', 'Leaves the assistant zone', 'Slope per reply', 'Title'];
  const body = view.rows.map((r) =>
    row('td', compare ? [r.probe, r.category, ...r.leaves, ...r.slopes, r.parts ?? '', ...(r.differences ?? [])] : [r.probe, r.category, ...r.leaves, ...r.slopes, r.title]),
  );
  table.replaceChildren(row('th', head), ...body);
  chart.draw(view, readColors());
  for (const b of exports) b.removeAttribute('disabled');
  document.body.dataset.kind = view.kind;
  document.body.dataset.lines = String(view.lines.length);
  document.body.dataset.ready = 'true';
}

for (const b of exports) b.addEventListener('click', () => vscode.postMessage({ type: 'export', format: b.id === 'export-csv' ? 'csv' : 'json' }));

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = parseToPromptView(event.data);
  if (!m) return;
  switch (m.type) {
    case 'progress':
      title.textContent = m.title;
      status.textContent = m.text;
      document.body.dataset.running = 'true';
      break;
    case 'result':
      shown = m;
      vscode.setState(m);
      document.body.dataset.running = 'false';
      render(m);
      break;
    case 'error':
      status.textContent = m.text;
      document.body.dataset.running = 'false';
      break;
    case 'themeChanged':
      if (shown) chart.draw(shown.view, readColors());
      break;
  }
});

// A reloaded webview redraws the last result at once; the host sends the current one on ready too.
const saved = parseToPromptView(vscode.getState());
if (saved?.type === 'result') {
  shown = saved;
  render(saved);
}
vscode.postMessage({ type: 'ready' });
