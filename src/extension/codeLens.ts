import * as vscode from 'vscode';
import { formatValue } from '../core/report/format';
import { readingLabel } from '../core/report/reading';
import type { Config } from './config';
import { CommandId, InternalCommandId, TRANSCRIPT_LANGUAGES } from './ids';
import type { ResultStore } from './resultStore';

/**
 * Actions above each scored assistant turn. Lenses are cheap: they only read the result store,
 * which fires the change event that refreshes them.
 */
export function registerCodeLens(store: ResultStore, config: Config): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(doc) {
      const result = store.get(doc.uri);
      if (!result || !config.value.codeLens) return [];
      const lenses: vscode.CodeLens[] = [];
      result.scores.forEach((scores, ci) => {
        const conv = result.parse.conversations[ci];
        if (!scores || !conv) return;
        for (const s of scores.turns) {
          const turn = conv.turns[s.turn];
          if (!turn || s.role !== 'assistant') continue;
          const at = doc.lineAt(doc.positionAt(turn.range.start).line).range;
          const args = [doc.uri.toString(), ci, s.turn];
          lenses.push(
            new vscode.CodeLens(at, {
              title: `Persona Lens: axis ${formatValue(s.value)}${readingLabel(s) ? ` · ${readingLabel(s)}` : ''}`,
              tooltip: 'Show this turn in the drift panel',
              command: InternalCommandId.showInPanel,
              arguments: args,
            }),
            new vscode.CodeLens(at, { title: 'Copy values', command: InternalCommandId.copyValues, arguments: args }),
            new vscode.CodeLens(at, { title: 'Re-run with capping', tooltip: 'Regenerate this turn without and with activation capping and compare', command: CommandId.rerunTurn, arguments: args }),
          );
        }
      });
      return lenses;
    },
  };
  return vscode.Disposable.from(
    changed,
    store.onDidChange(() => changed.fire()),
    config.onDidChange((c) => c.keys.includes('codeLens') && changed.fire()),
    vscode.languages.registerCodeLensProvider(
      TRANSCRIPT_LANGUAGES.map((language) => ({ language })),
      provider,
    ),
  );
}
