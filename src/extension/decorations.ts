import * as vscode from 'vscode';
import { formatDelta, formatValue } from '../core/report/format';
import type { ConversationScores, TurnScore } from '../core/scores';
import type { Turn } from '../core/transcript';
import { ColorId } from './ids';
import type { ResultStore } from './resultStore';
import type { Config } from './config';

type Kind = 'value' | 'belowFloor' | 'stale';

/** One decorated assistant turn: where it is, and the numbers drawn after it. */
interface Placement {
  readonly kind: Kind;
  readonly range: vscode.Range;
  readonly text: string;
}

/**
 * Inline values after assistant turns and overview-ruler marks for turns below the floor.
 * Decoration types are created once; only ranges and per-instance text change.
 */
export class Decorations implements vscode.Disposable {
  private readonly types: Record<Kind, vscode.TextEditorDecorationType>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: ResultStore,
    private readonly config: Config,
  ) {
    const after = (color: ColorId, fontStyle?: string): vscode.ThemableDecorationAttachmentRenderOptions => ({
      color: new vscode.ThemeColor(color),
      margin: '0 0 0 2em',
      ...(fontStyle ? { fontStyle } : {}),
    });
    this.types = {
      value: vscode.window.createTextEditorDecorationType({ after: after(ColorId.value) }),
      belowFloor: vscode.window.createTextEditorDecorationType({
        after: { ...after(ColorId.belowFloor), fontWeight: 'bold' },
        overviewRulerColor: new vscode.ThemeColor(ColorId.rulerBelowFloor),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
      }),
      stale: vscode.window.createTextEditorDecorationType({ after: after(ColorId.stale, 'italic') }),
    };
    this.disposables.push(
      store.onDidChange((uri) => this.refreshUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
      config.onDidChange((c) => c.classes.has('view') && this.refreshAll()),
    );
  }

  refreshAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
  }

  private refreshUri(uri: string): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === uri) this.apply(editor);
    }
  }

  private apply(editor: vscode.TextEditor): void {
    const result = this.store.get(editor.document.uri);
    const byKind: Record<Kind, vscode.DecorationOptions[]> = { value: [], belowFloor: [], stale: [] };
    if (result && result.version <= editor.document.version) {
      result.scores.forEach((scores, ci) => {
        const conv = result.parse.conversations[ci];
        if (!scores || !conv) return;
        for (const p of placements(editor.document, conv.turns, scores, result.stale, this.config.value.decorationPosition)) {
          byKind[p.kind].push({ range: p.range, renderOptions: { after: { contentText: p.text } } });
        }
      });
    }
    for (const kind of Object.keys(byKind) as Kind[]) editor.setDecorations(this.types[kind], byKind[kind]);
  }

  dispose(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      for (const t of Object.values(this.types)) editor.setDecorations(t, []);
    }
    for (const t of Object.values(this.types)) t.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The text drawn after a turn: "axis +0.42  Δ -0.13  ▼ below floor". */
export function decorationText(s: TurnScore): string {
  const parts = [`axis ${formatValue(s.value)}`, formatDelta(s.delta)];
  if (s.belowFloor) parts.push('▼ below floor');
  return parts.filter(Boolean).join('  ');
}

/** Where a turn's text is drawn: the end of its first line, or its last character. */
function anchorAt(doc: vscode.TextDocument, turn: Turn, position: 'firstLine' | 'end'): vscode.Position {
  if (position === 'end') return doc.positionAt(turn.range.end);
  return doc.lineAt(doc.positionAt(turn.range.start).line).range.end;
}

function placements(
  doc: vscode.TextDocument,
  turns: readonly Turn[],
  scores: ConversationScores,
  stale: boolean,
  position: 'firstLine' | 'end',
): Placement[] {
  const out: Placement[] = [];
  const textLength = doc.getText().length;
  for (const s of scores.turns) {
    const turn = turns[s.turn];
    if (!turn || s.role !== 'assistant' || turn.range.end > textLength) continue;
    const at = anchorAt(doc, turn, position);
    out.push({
      kind: stale ? 'stale' : s.belowFloor ? 'belowFloor' : 'value',
      range: new vscode.Range(at, at),
      text: decorationText(s),
    });
  }
  // Assistant turns a length limit left out say so, rather than showing nothing.
  const cut = scores.truncated;
  if (cut) {
    turns.forEach((turn, i) => {
      if (i < cut.firstTurnLeftOut || turn.role !== 'assistant' || turn.range.end > textLength) return;
      const at = anchorAt(doc, turn, position);
      out.push({ kind: 'stale', range: new vscode.Range(at, at), text: `axis n/a: beyond the ${cut.tokenLimit}-token limit` });
    });
  }
  return out;
}
