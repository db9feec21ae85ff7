/**
 * The compare view: the original turn and its re-generated replies without and with capping (and
 * steered along the axis when asked), side by side with their values and per-token strips, a word diff and the generation settings.
 * Everything from the transcript or the model goes in as text nodes (or the escaped strip markup).
 */
import type { CompareState } from './compareState';
import type { Compare, Reply, Variant } from './protocol';
import { formatValue, readingLabel } from './shared';
import { renderStrip } from './strip';
import { wordDiff } from './wordDiff';

export interface CompareElements {
  readonly root: HTMLElement;
  readonly status: HTMLElement;
  readonly columns: Readonly<Record<'original' | Variant, HTMLElement>>;
  readonly diff: HTMLElement;
  readonly diffSummary: HTMLElement;
  readonly settings: HTMLElement;
  readonly cancel: HTMLElement;
  readonly cappedActions: readonly HTMLElement[];
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function setDisabled(e: HTMLElement, disabled: boolean): void {
  e.toggleAttribute('disabled', disabled);
}

/** One column: heading, value line and either the scored strip or the streamed text so far. */
function fillColumn(
  col: HTMLElement,
  title: string,
  reply: Reply | null,
  streamed: string,
  centre: number | null,
  running: boolean,
  scaleOver?: Reply['tokens'],
): void {
  const value = reply?.value ?? null;
  const head = el('h3', title);
  const line = el('p', '', 'reply-value');
  if (reply) {
    const reading = readingLabel({ zone: reply.zone, outOfDomain: reply.outOfDomain, alarm: reply.zone === 'role' });
    line.textContent = `axis ${value === null ? 'n/a' : formatValue(value)}${reading ? ` · ${reading}` : ''}`;
    if (reply.generatedTokens !== null)
      line.textContent += ` · ${reply.generatedTokens} tokens${reply.stopReason === 'maxTokens' ? ' (max reached)' : ''}`;
    if (reply.zone === 'role') line.classList.add('below');
  } else {
    line.textContent = running ? 'generating…' : '—';
  }
  const body = el('div', undefined, 'reply-body');
  if (reply) {
    renderStrip(body, reply.tokens, centre, scaleOver);
    if (reply.tokenCount > reply.tokens.length)
      body.append(el('p', `(first ${reply.tokens.length} of ${reply.tokenCount} tokens)`, 'note'));
  } else {
    body.append(el('div', streamed, 'pl-strip streaming'));
  }
  col.replaceChildren(head, line, body);
  col.dataset.value = value === null ? '' : String(value);
  col.dataset.text = reply ? 'scored' : streamed ? 'streaming' : 'empty';
}

/** The file name of a document URI, for labels. */
function fileOf(uri: string): string {
  const path = uri.split(/[?#]/)[0] ?? uri;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || uri;
}

function settingsRows(c: Compare): [string, string][] {
  const s = c.settings;
  const band = s.capping.layers.length
    ? s.capping.layers
        .map((l, i) => `${l}: τ ${s.capping.floors[i] == null ? 'off' : formatValue(s.capping.floors[i])}`)
        .join(', ')
    : 'none';
  return [
    ['Sampling', s.sampling],
    ['Seed', s.seed === null ? '—' : String(s.seed)],
    ['Max tokens', String(s.maxTokens)],
    ['Capping band (layer: floor)', band],
    ['Floor population / percentile', `${s.population} means, p${s.percentile}`],
    ['Monitor layer / its capping floor τ', `${s.monitorLayer} / ${s.tau === null ? '—' : formatValue(s.tau)}`],
    ...(s.steering
      ? [
          [
            'Steering α (spreads of the default Assistant) / added at (layer: amount)',
            `${formatValue(s.steering.alpha)} / ${s.steering.layers.map((l, i) => `${l}: ${formatValue(s.steering?.amounts[i] ?? 0)}`).join(', ')}`,
          ] as [string, string],
        ]
      : []),
  ];
}

/** The steered column's heading. */
function steeredTitle(alpha: number | null): string {
  return `Steered (α ${alpha === null ? '?' : formatValue(alpha)})`;
}

/** Shows the steered column only for a re-run that made a steered reply; the grid gets a fourth track then. */
function showSteered(e: CompareElements, shown: boolean): void {
  e.columns.steered.hidden = !shown;
  e.root.dataset.steered = String(shown);
}

/** Draws the compare view for `state`; `centre` is the value the strips are shaded around. */
export function renderCompare(e: CompareElements, state: CompareState, centre: number | null): void {
  e.root.dataset.phase = state.phase;
  const running = state.phase === 'running';
  setDisabled(e.cancel, !running);
  e.cancel.hidden = !running;
  for (const b of e.cappedActions) setDisabled(b, !(state.phase === 'done' && state.compare.capped));
  switch (state.phase) {
    case 'idle':
      e.status.textContent =
        'No re-run yet: select an assistant turn on the Drift tab and press "Re-run with capping".';
      showSteered(e, false);
      for (const [k, col] of Object.entries(e.columns)) fillColumn(col, k, null, '', centre, false);
      e.diff.replaceChildren();
      e.diffSummary.textContent = '';
      e.settings.replaceChildren();
      return;
    case 'running': {
      const which = state.current === null ? 'scoring the original' : `generating the ${state.current} reply`;
      e.status.textContent = `Re-running turn ${state.turn}: ${which}…`;
      showSteered(e, state.steer !== null);
      fillColumn(e.columns.steered, steeredTitle(state.steer), null, state.streamed.steered, centre, state.current === 'steered');
      fillColumn(e.columns.original, 'Original', null, state.originalText, centre, false);
      fillColumn(
        e.columns.uncapped,
        'Without capping',
        null,
        state.streamed.uncapped,
        centre,
        state.current === 'uncapped',
      );
      fillColumn(
        e.columns.capped,
        'With capping',
        null,
        state.streamed.capped,
        centre,
        state.current === 'capped',
      );
      e.diff.replaceChildren();
      e.diffSummary.textContent = '';
      e.settings.replaceChildren();
      return;
    }
    case 'ended':
      e.status.textContent =
        state.reason === 'cancelled' ? 'Re-run cancelled.' : `Re-run failed: ${state.message}`;
      fillColumn(e.columns.original, 'Original', null, state.originalText, centre, false);
      fillColumn(e.columns.uncapped, 'Without capping', null, state.streamed.uncapped, centre, false);
      fillColumn(e.columns.capped, 'With capping', null, state.streamed.capped, centre, false);
      showSteered(e, state.steer !== null);
      fillColumn(e.columns.steered, steeredTitle(state.steer), null, state.streamed.steered, centre, false);
      e.diff.replaceChildren();
      e.diffSummary.textContent = '';
      e.settings.replaceChildren();
      return;
    case 'done': {
      const c = state.compare;
      e.status.textContent = `Turn ${c.turn} of ${fileOf(c.uri)} re-generated from the conversation before it, without and with capping (same seed).`;
      const u = c.uncapped?.value ?? null;
      const k = c.capped?.value ?? null;
      if (u !== null && k !== null)
        e.status.textContent += ` Capping moved the value by ${formatValue(k - u)}.`;
      const st = c.steered?.value ?? null;
      if (u !== null && st !== null && c.settings.steering)
        e.status.textContent += ` Steering by α ${formatValue(c.settings.steering.alpha)} moved it by ${formatValue(st - u)}.`;
      // One shading scale for all strips, so equal shades mean equal values across columns.
      const all = [
        ...c.original.tokens,
        ...(c.uncapped?.tokens ?? []),
        ...(c.capped?.tokens ?? []),
        ...(c.steered?.tokens ?? []),
      ];
      fillColumn(e.columns.original, 'Original', c.original, '', centre, false, all);
      fillColumn(e.columns.uncapped, 'Without capping', c.uncapped, '', centre, false, all);
      fillColumn(e.columns.capped, 'With capping', c.capped, '', centre, false, all);
      showSteered(e, c.steered !== null);
      fillColumn(e.columns.steered, steeredTitle(c.settings.steering?.alpha ?? null), c.steered, '', centre, false, all);
      const d = wordDiff(c.uncapped?.text ?? '', c.capped?.text ?? '');
      e.diffSummary.textContent = `${d.removed} words only without capping, ${d.added} only with capping, ${d.same} shared.`;
      e.diff.replaceChildren(
        ...d.segments.map((s) => {
          if (s.kind === 'same') return document.createTextNode(s.text);
          return el(s.kind === 'added' ? 'ins' : 'del', s.text, `diff-${s.kind}`);
        }),
      );
      e.settings.replaceChildren(
        ...settingsRows(c).map(([k, v]) => {
          const tr = el('tr');
          tr.append(el('th', k), el('td', v));
          return tr;
        }),
      );
      return;
    }
  }
}
