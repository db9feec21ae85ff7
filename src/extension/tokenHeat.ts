import * as vscode from 'vscode';
import { formatValue } from '../core/report/format';
import { HEAT_BUCKETS, heatLegend, type HeatBucket } from '../core/heat/heatBuckets';
import { heatRanges, type HeatRange } from '../core/heat/heatRanges';
import type { ZoneCuts } from '../core/axis/calibration';
import { CONFIG_SECTION, ColorId, TRANSCRIPT_LANGUAGES } from './ids';
import type { Config } from './config';
import type { Log } from './log';
import type { ResultStore } from './resultStore';

const COLOR: Record<HeatBucket, ColorId> = {
  assistant: ColorId.heatAssistant,
  drifting: ColorId.heatDrifting,
  deepDrifting: ColorId.heatDeepDrifting,
  role: ColorId.heatRole,
};

const LABEL: Record<HeatBucket, string> = {
  assistant: 'assistant',
  drifting: 'drifting',
  deepDrifting: 'drifting, near role',
  role: 'role',
};

/**
 * Per-token heat (`persona-lens.tokenHeat`): each token of a scored assistant turn shaded by its own
 * value at the monitor layer, so a reviewer sees where inside a reply the drift starts. One
 * decoration type per shade (four in all), not per token; ranges come from the result store like
 * the per-turn values, so they follow edits (the store holds the re-parse of the edited text) and
 * a reply edited since it was scored is left plain rather than shaded at the wrong characters.
 * The legend is a hover answered from the ranges last drawn.
 */
export class TokenHeat implements vscode.Disposable {
  private readonly types: Record<HeatBucket, vscode.TextEditorDecorationType>;
  private readonly disposables: vscode.Disposable[] = [];
  /**
   * The ranges last drawn per document (uri -> version and ranges with their legend), for the hover:
   * a hover provider answers from these on demand, so a redraw sends VS Code bare ranges and not
   * thousands of hover texts.
   */
  private readonly drawn = new Map<string, { version: number; ranges: { range: HeatRange; legend: string; stale: boolean }[] }>();

  constructor(
    private readonly store: ResultStore,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    this.types = Object.fromEntries(
      HEAT_BUCKETS.map((b) => [
        b,
        vscode.window.createTextEditorDecorationType({
          backgroundColor: new vscode.ThemeColor(COLOR[b]),
          // Heat is about the text, not the lines after it: typing at a run's edge does not extend it.
          rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        }),
      ]),
    ) as Record<HeatBucket, vscode.TextEditorDecorationType>;
    this.disposables.push(
      store.onDidChange((uri) => this.refreshUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
      config.onDidChange((c) => c.keys.includes('tokenHeat') && this.refreshAll()),
      vscode.workspace.onDidCloseTextDocument((d) => this.drawn.delete(d.uri.toString())),
      vscode.languages.registerHoverProvider(
        TRANSCRIPT_LANGUAGES.map((language) => ({ language })),
        { provideHover: (doc, position) => this.hover(doc, position) },
      ),
    );
  }

  /** Flips the setting where it is set (the workspace when it overrides the user's), which redraws. */
  async toggle(): Promise<void> {
    const section = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const on = !this.config.value.tokenHeat;
    const target = section.inspect<boolean>('tokenHeat')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await section.update('tokenHeat', on, target);
    vscode.window.setStatusBarMessage(`Persona Lens: token heat ${on ? 'on' : 'off'}`, 3000);
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
    const started = performance.now();
    const doc = editor.document;
    const byBucket: Record<HeatBucket, vscode.Range[]> = { assistant: [], drifting: [], deepDrifting: [], role: [] };
    const drawn: { range: HeatRange; legend: string; stale: boolean }[] = [];
    const result = this.config.value.tokenHeat ? this.store.get(doc.uri) : undefined;
    let tokens = 0;
    if (result && result.version <= doc.version) {
      const text = doc.getText();
      result.scores.forEach((scores, ci) => {
        const conv = result.parse.conversations[ci];
        const cuts = scores?.calibration.zones;
        if (!scores || !conv || !cuts) return;
        const legend = legendOf(cuts);
        for (const r of heatRanges(conv, scores, text, { checkTokens: result.stale })) {
          tokens += r.tokens;
          byBucket[r.bucket].push(new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end)));
          drawn.push({ range: r, legend, stale: result.stale });
        }
      });
    }
    // Sorted for the hover's binary search (a file's conversations may come in any order, e.g. export branches).
    if (drawn.length > 0) this.drawn.set(doc.uri.toString(), { version: doc.version, ranges: drawn.sort((a, b) => a.range.start - b.range.start) });
    else this.drawn.delete(doc.uri.toString());
    const computed = performance.now();
    for (const b of HEAT_BUCKETS) editor.setDecorations(this.types[b], byBucket[b]);
    const ranges = HEAT_BUCKETS.reduce((n, b) => n + byBucket[b].length, 0);
    if (ranges > 0) {
      const done = performance.now();
      // The numbers the benchmark cannot see: VS Code's own share (setDecorations) next to ours.
      this.log.info(
        `Token heat: ${ranges} ranges over ${tokens} tokens in ${vscode.workspace.asRelativePath(doc.uri)} (compute ${(computed - started).toFixed(1)} ms, apply ${(done - computed).toFixed(1)} ms)`,
      );
    }
  }

  /** The legend and values of the heat range under the mouse, when heat is drawn there. */
  private hover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const d = this.drawn.get(doc.uri.toString());
    // After an edit the offsets are the old text's until the next redraw: answer nothing rather than the wrong run.
    if (!this.config.value.tokenHeat || !d || d.version !== doc.version) return undefined;
    const offset = doc.offsetAt(position);
    const hit = findRange(d.ranges, offset);
    if (!hit) return undefined;
    return new vscode.Hover(hoverOf(hit.range, hit.legend, hit.stale), new vscode.Range(doc.positionAt(hit.range.start), doc.positionAt(hit.range.end)));
  }

  dispose(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      for (const t of Object.values(this.types)) editor.setDecorations(t, []);
    }
    for (const t of Object.values(this.types)) t.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The entry whose range holds `offset` (entries sorted by start, not overlapping), by binary search. */
function findRange<T extends { range: HeatRange }>(entries: readonly T[], offset: number): T | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid] as T;
    if (offset < e.range.start) hi = mid - 1;
    else if (offset >= e.range.end) lo = mid + 1;
    else return e;
  }
  return undefined;
}

/** The legend table of one conversation's cuts (Markdown; numbers only, no transcript text). */
function legendOf(cuts: ZoneCuts): string {
  const rows = heatLegend(cuts).map((r) => `| ${r.label} | ${r.range} |`);
  return ['| token heat | value |', '|---|---|', ...rows].join('\n');
}

function hoverOf(r: HeatRange, legend: string, stale: boolean): vscode.MarkdownString {
  const values = r.min === r.max ? formatValue(r.min) : `${formatValue(r.min)} … ${formatValue(r.max)}`;
  const head = `**Token heat: ${LABEL[r.bucket]}** · ${r.tokens} token${r.tokens === 1 ? '' : 's'} at ${values}${stale ? ' (scored before the last edit)' : ''}`;
  // Untrusted and without HTML: only numbers and fixed labels go in.
  return new vscode.MarkdownString(`${head}\n\n${legend}`);
}
