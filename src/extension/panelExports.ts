/**
 * What the drift panel saves or opens for the user: the plot as PNG, the values as CSV/JSON (the same
 * export as Export Report), the capped text in an untitled editor. Files are written only where the
 * user picks in a save dialog; the transcript is never touched.
 */
import * as vscode from 'vscode';
import { exportedConversations, scoresCsv, scoresJson } from '../core/report/scoreExport';
import { exportTarget } from './exportTarget';
import type { Log } from './log';
import type { ResultStore } from './resultStore';
import { uriLabel } from './uriLabel';

/** Copies the capped text, or opens it in a new untitled editor right of the panel (`panelColumn`). */
export async function showCappedText(
  text: string,
  action: 'copy' | 'open',
  panelColumn: vscode.ViewColumn | undefined,
): Promise<void> {
  if (action === 'copy') {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage('Persona Lens: copied the capped text', 3000);
    return;
  }
  // An untitled document: the user's transcript is never modified.
  const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
  // In the group right of the panel, so the transcript and the compare view stay in sight.
  // (ViewColumn.Beside is relative to the active group: with the transcript's group active, it
  // is the panel's own group, and the new editor covered the compare view.)
  await vscode.window.showTextDocument(doc, {
    viewColumn: panelColumn ? panelColumn + 1 : vscode.ViewColumn.Beside,
    preview: false,
  });
}

/** Saves the plot the page rendered (a PNG data URL, checked to be one) where the user picks. */
export async function exportPng(dataUrl: string, followed: vscode.Uri | null, log: Log): Promise<void> {
  const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) {
    log.warn('Dropped a plot export that is not a PNG image');
    return;
  }
  const target = await vscode.window.showSaveDialog({
    title: 'Persona Lens: save the drift plot',
    defaultUri: exportTarget(followed, 'plot', 'png'),
    filters: { 'PNG image': ['png'] },
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  log.info(`Drift plot saved to ${target.toString()} (${bytes.length} bytes)`);
}

/** Saves the followed transcript's values (the one values export, src/core/report/scoreExport.ts) where the user picks. */
export async function exportValues(
  format: 'csv' | 'json',
  followed: vscode.Uri | null,
  store: ResultStore,
  log: Log,
): Promise<void> {
  const result = followed ? store.get(followed) : undefined;
  if (!result) return;
  const target = await vscode.window.showSaveDialog({
    title: `Persona Lens: save the values as ${format.toUpperCase()}`,
    defaultUri: exportTarget(followed, 'values', format),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
  if (!target) return;
  const items = exportedConversations(
    uriLabel(result.uri),
    result.parse.conversations,
    result.scores,
    store.rerunsOf(result.uri),
  );
  const text = format === 'csv' ? scoresCsv(items) : scoresJson(items);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  const turns = items.reduce((n, c) => n + c.scores.turns.length, 0);
  log.info(`Values saved to ${target.toString()} (${turns} turns)`);
}
