/**
 * "Persona Lens: Export Report": writes the active analysed transcript's results as the CLI's
 * self-contained HTML report, or as the JSON / CSV that `persona-lens score` prints.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildHtmlReport, type ReportConversation } from '../core/report/htmlReport';
import { exportedConversations, scoresCsv, scoresJson } from '../core/report/scoreExport';
import { exportTarget } from './exportTarget';
import { CommandId } from './ids';
import { uriLabel } from './uriLabel';
import type { ResultStore } from './resultStore';

type ExportFormat = 'html' | 'json' | 'csv';

const FORMATS: readonly (vscode.QuickPickItem & {
  format: ExportFormat;
  extension: string;
  filter: string;
})[] = [
  {
    label: 'HTML report',
    description: 'drift plots, per-token strips and tables; opens in any browser, offline',
    format: 'html',
    extension: 'html',
    filter: 'HTML',
  },
  {
    label: 'JSON',
    description: 'per-turn values, as "persona-lens score --format json" prints them',
    format: 'json',
    extension: 'json',
    filter: 'JSON',
  },
  {
    label: 'CSV',
    description: 'one row per turn, as "persona-lens score --format csv" prints them',
    format: 'csv',
    extension: 'csv',
    filter: 'CSV',
  },
];

/** The extension's root folder: out/extension.js is bundled into <root>/out. */
const EXTENSION_ROOT = join(__dirname, '..');

/** Runs the command for the active editor's transcript. */
export async function exportReport(store: ResultStore): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showInformationMessage(
      'Persona Lens: open an analysed transcript to export its report.',
    );
    return;
  }
  const result = store.get(doc.uri);
  const name = uriLabel(doc.uri);
  const scored = (result?.scores ?? []).flatMap((scores, i) => (scores ? [{ scores, index: i }] : []));
  if (!result || scored.length === 0) {
    const action = await vscode.window.showWarningMessage(
      `Persona Lens: ${name} has not been analysed yet.`,
      'Analyze File',
    );
    if (action) await vscode.commands.executeCommand(CommandId.analyzeFile);
    return;
  }
  if (result.stale) {
    const action = await vscode.window.showWarningMessage(
      `Persona Lens: ${name} changed since it was analysed; the export would show the old values.`,
      'Export Anyway',
      'Analyze File',
    );
    if (action === 'Analyze File') await vscode.commands.executeCommand(CommandId.analyzeFile);
    if (action !== 'Export Anyway') return;
  }
  const pick = await vscode.window.showQuickPick(FORMATS, { title: `Persona Lens: export ${name} as` });
  if (!pick) return;
  const target = await vscode.window.showSaveDialog({
    defaultUri: exportTarget(doc.uri, pick.format === 'html' ? 'report' : 'values', pick.extension),
    filters: { [pick.filter]: [pick.extension] },
    saveLabel: 'Export',
    title: `Persona Lens: export ${pick.label}`,
  });
  if (!target) return;

  const count = result.parse.conversations.length;
  const base = doc.uri.path.split('/').pop() ?? name;
  let text: string;
  if (pick.format === 'html') {
    const conversations: ReportConversation[] = scored.flatMap(({ scores, index }) => {
      const conversation = result.parse.conversations[index];
      if (!conversation) return [];
      const label = count > 1 ? `${base} — ${conversation.label ?? `conversation ${index + 1}`}` : base;
      return [{ label, conversation, scores }];
    });
    const [script, css] = await Promise.all(
      ['report.js', 'report.css'].map(async (f) =>
        new TextDecoder().decode(
          await vscode.workspace.fs.readFile(vscode.Uri.file(join(EXTENSION_ROOT, 'out', 'webview', f))),
        ),
      ),
    );
    text = buildHtmlReport({
      title: `Persona Lens report — ${base}`,
      conversations,
      script: script ?? '',
      css: css ?? '',
      sha256Base64: (s) => createHash('sha256').update(s, 'utf8').digest('base64'),
      generator: `exported from VS Code, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    });
  } else {
    // The same export as the panel's Export CSV/JSON: recorded projections and re-run values included.
    const items = exportedConversations(name, result.parse.conversations, result.scores, store.rerunsOf(doc.uri));
    text = pick.format === 'json' ? scoresJson(items) : scoresCsv(items);
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  const open = await vscode.window.showInformationMessage(
    `Persona Lens: exported ${uriLabel(target)}.`,
    'Open',
  );
  if (!open) return;
  // The HTML report is for a browser; JSON and CSV open as text.
  if (pick.format === 'html') await vscode.env.openExternal(target);
  else await vscode.window.showTextDocument(target);
}
