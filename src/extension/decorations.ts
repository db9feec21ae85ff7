import * as vscode from 'vscode';
import { formatDelta, formatValue } from '../core/report/format';
import { readingLabel } from '../core/report/reading';
import type { ConversationScores, TurnScore } from '../core/scores';
import type { Turn } from '../core/transcript';
import { chooseAnchor, type Anchor, type DecorationPosition } from './decorationAnchor';
import { ColorId } from './ids';
import type { ResultStore } from './resultStore';
import type { Config } from './config';

/** How a turn's value is drawn: by its zone, alarmed, unreadable (out of domain), or stale after an edit. */
type Kind = 'value' | 'assistant' | 'drifting' | 'alarm' | 'outOfDomain' | 'stale';
type Side = Anchor['side'];
type TypeKey = `${Kind}:${Side}`;

const KINDS: readonly Kind[] = ['value', 'assistant', 'drifting', 'alarm', 'outOfDomain', 'stale'];
const SIDES: readonly Side[] = ['before', 'after'];

/** One decorated assistant turn: where it is, and the numbers drawn next to it. */
interface Placement {
  readonly kind: Kind;
  readonly side: Side;
  readonly range: vscode.Range;
  readonly text: string;
}

/**
 * Inline values next to assistant turns, coloured by zone, and overview-ruler marks for drifting
 * and alarmed turns (red only for the role zone: a reviewer who sees red on normal replies learns
 * to ignore red).
 * Decoration types are created once; only ranges and per-instance text change. Every visible
 * editor of a document is redrawn from the result store, so values survive tab switches and
 * follow edits (the store holds the re-parse of the edited text).
 */
export class Decorations implements vscode.Disposable {
  private readonly types: Record<TypeKey, vscode.TextEditorDecorationType>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: ResultStore,
    private readonly config: Config,
  ) {
    const attachment = (
      side: Side,
      color: ColorId,
      fontStyle?: string,
    ): vscode.ThemableDecorationAttachmentRenderOptions => ({
      color: new vscode.ThemeColor(color),
      // 2em keeps the value clear of the text it follows; before the text, 1.5em separates it from the line.
      margin: side === 'after' ? '0 0 0 2em' : '0 1.5em 0 0',
      ...(fontStyle ? { fontStyle } : {}),
    });
    const make = (kind: Kind, side: Side): vscode.TextEditorDecorationType => {
      switch (kind) {
        case 'value':
          return vscode.window.createTextEditorDecorationType({ [side]: attachment(side, ColorId.value) });
        case 'assistant':
          return vscode.window.createTextEditorDecorationType({ [side]: attachment(side, ColorId.assistant) });
        case 'drifting':
          return vscode.window.createTextEditorDecorationType({
            [side]: attachment(side, ColorId.drifting),
            overviewRulerColor: new vscode.ThemeColor(ColorId.rulerDrifting),
            overviewRulerLane: vscode.OverviewRulerLane.Center,
          });
        case 'alarm':
          return vscode.window.createTextEditorDecorationType({
            [side]: { ...attachment(side, ColorId.alarm), fontWeight: 'bold' },
            overviewRulerColor: new vscode.ThemeColor(ColorId.rulerAlarm),
            overviewRulerLane: vscode.OverviewRulerLane.Right,
          });
        case 'outOfDomain':
          return vscode.window.createTextEditorDecorationType({ [side]: attachment(side, ColorId.outOfDomain, 'italic') });
        case 'stale':
          return vscode.window.createTextEditorDecorationType({
            [side]: attachment(side, ColorId.stale, 'italic'),
          });
      }
    };
    this.types = Object.fromEntries(
      KINDS.flatMap((k) => SIDES.map((s) => [`${k}:${s}`, make(k, s)])),
    ) as Record<TypeKey, vscode.TextEditorDecorationType>;
    this.disposables.push(
      store.onDidChange((uri) => this.refreshUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
      config.onDidChange((c) => c.classes.has('view') && this.refreshAll()),
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration('editor.wordWrap') && this.refreshAll(),
      ),
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
    const doc = editor.document;
    const result = this.store.get(doc.uri);
    const byType = Object.fromEntries(
      Object.keys(this.types).map((k) => [k, [] as vscode.DecorationOptions[]]),
    ) as Record<TypeKey, vscode.DecorationOptions[]>;
    if (result && result.version <= doc.version) {
      const wraps = vscode.workspace.getConfiguration('editor', doc).get<string>('wordWrap', 'off') !== 'off';
      const where = { position: this.config.value.decorationPosition, wraps };
      result.scores.forEach((scores, ci) => {
        const conv = result.parse.conversations[ci];
        if (!scores || !conv) return;
        for (const p of placements(doc, conv.turns, scores, result.stale, where)) {
          byType[`${p.kind}:${p.side}`].push({
            range: p.range,
            renderOptions: { [p.side]: { contentText: p.text } },
          });
        }
      });
    }
    for (const key of Object.keys(byType) as TypeKey[]) editor.setDecorations(this.types[key], byType[key]);
  }

  dispose(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      for (const t of Object.values(this.types)) editor.setDecorations(t, []);
    }
    for (const t of Object.values(this.types)) t.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The text drawn next to a turn: "axis +0.42  Δ -0.13  drifting", "axis -0.30  Δ -0.72  ▼ role". */
export function decorationText(s: TurnScore): string {
  return [`axis ${formatValue(s.value)}`, formatDelta(s.delta), readingLabel(s)].filter(Boolean).join('  ');
}

/** The decoration kind of a scored turn. */
function kindOf(s: TurnScore): Kind {
  if (s.outOfDomain) return 'outOfDomain';
  if (s.alarm || s.zone === 'role') return 'alarm';
  return s.zone ?? 'value';
}

function anchorOf(
  doc: vscode.TextDocument,
  turn: Turn,
  where: { position: DecorationPosition; wraps: boolean },
): { side: Side; range: vscode.Range } {
  const firstLine = doc.lineAt(doc.positionAt(turn.range.start).line);
  const end = doc.positionAt(turn.range.end);
  const a = chooseAnchor(
    where.position,
    { line: firstLine.lineNumber, text: firstLine.text },
    end,
    where.wraps,
  );
  const at = new vscode.Position(a.line, a.character);
  return { side: a.side, range: new vscode.Range(at, at) };
}

function placements(
  doc: vscode.TextDocument,
  turns: readonly Turn[],
  scores: ConversationScores,
  stale: boolean,
  where: { position: DecorationPosition; wraps: boolean },
): Placement[] {
  const out: Placement[] = [];
  const textLength = doc.getText().length;
  for (const s of scores.turns) {
    const turn = turns[s.turn];
    if (!turn || s.role !== 'assistant' || turn.range.end > textLength) continue;
    out.push({
      kind: stale ? 'stale' : kindOf(s),
      ...anchorOf(doc, turn, where),
      text: decorationText(s),
    });
  }
  // Assistant turns a length limit left out say so, rather than showing nothing.
  const cut = scores.truncated;
  if (cut) {
    turns.forEach((turn, i) => {
      if (i < cut.firstTurnLeftOut || turn.role !== 'assistant' || turn.range.end > textLength) return;
      out.push({
        kind: 'stale',
        ...anchorOf(doc, turn, where),
        text: `axis n/a: beyond the ${cut.tokenLimit}-token limit`,
      });
    });
  }
  return out;
}
