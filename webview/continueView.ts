// Continue view page: the conversation continued without and with capping, in two columns.
// Draws what the host sends (validated); asks the host only to run a step, cancel it, or open the
// continued conversation as a transcript.
import { pageApi } from './vscodeApi';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import { parseToContinueView, type ContinueStepView, type FromContinueViewMessage, type ToContinueViewMessage } from './continueProtocol';

const { vscode, byId } = pageApi<FromContinueViewMessage>('continue view');

const title = byId('title');
const settings = byId('settings');
const lastTurn = byId('last-turn');
const steps = byId('steps');
const live = byId('live');
const liveText = { uncapped: byId('live-uncapped'), capped: byId('live-capped') };
const form = byId<HTMLFormElement>('ask');
const user = byId<HTMLElement & { value: string }>('user');
const go = byId('continue');
const cancel = byId('cancel');
const openTranscript = byId('open-transcript');
const status = byId('status');

type State = Extract<ToContinueViewMessage, { type: 'state' }>;
let state: State | null = null;

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function stepRows(s: ContinueStepView, i: number): HTMLElement[] {
  const userRow = el('div', 'user-turn', s.user === null ? `${i + 1}. (answering the conversation's last user turn)` : `${i + 1}. user: ${s.user}`);
  const replies = s.replies.map((r) => {
    const cell = el('div', 'reply');
    cell.dataset.column = r.column;
    cell.dataset.zone = r.outOfDomain ? 'out-of-domain' : (r.zone ?? '');
    const head = el('div', 'value', r.label);
    head.title = r.note;
    cell.append(head, el('div', 'text', r.text));
    return cell;
  });
  return [userRow, ...replies];
}

function render(s: State): void {
  title.textContent = s.title;
  settings.textContent = s.settings;
  lastTurn.replaceChildren(el('div', 'role', `last turn (${s.lastTurn.role})`), el('div', 'text', s.lastTurn.text));
  steps.replaceChildren(...s.steps.flatMap(stepRows));
  document.body.dataset.steps = String(s.steps.length);
  document.body.dataset.running = String(s.running);
  document.body.dataset.ready = 'true';
  live.hidden = !s.running;
  if (!s.running) for (const t of Object.values(liveText)) t.textContent = '';
  go.toggleAttribute('disabled', s.running);
  cancel.toggleAttribute('disabled', !s.running);
  openTranscript.toggleAttribute('disabled', s.steps.length === 0);
  user.setAttribute('placeholder', s.canAnswerLast ? 'Leave empty to answer the conversation\'s last user turn, or type a new one…' : 'Type the next user turn (both columns get it)…');
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!state || state.running) return;
  const text = user.value.trim();
  if (!text && !state.canAnswerLast) {
    status.textContent = 'Type a user turn first: the conversation ends with an assistant turn.';
    return;
  }
  vscode.postMessage({ type: 'continue', user: text ? user.value : null });
  user.value = '';
});
go.addEventListener('click', () => form.requestSubmit());
cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
openTranscript.addEventListener('click', () => vscode.postMessage({ type: 'openTranscript' }));

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = parseToContinueView(event.data);
  if (!m) return;
  switch (m.type) {
    case 'state':
      state = m;
      render(m);
      break;
    case 'token':
      live.hidden = false;
      liveText[m.column].textContent += m.text;
      break;
    case 'status':
      status.textContent = m.text;
      status.dataset.error = String(m.error);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
