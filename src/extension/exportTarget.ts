import * as vscode from 'vscode';
import { exportFileName } from '../core/report/scoreExport';

/**
 * Where the save dialog of an export starts, for the panel and Export Report alike: next to the
 * transcript (named by exportFileName), or, for an untitled one, in the first workspace folder.
 * Any scheme but untitled counts as a place on disk: in a remote or web workbench the transcript's
 * scheme is not `file`, yet its folder is where the user keeps it.
 */
export function exportTarget(
  source: vscode.Uri | null,
  what: 'values' | 'report' | 'plot',
  ext: string,
): vscode.Uri | undefined {
  const name = exportFileName(source?.path.split('/').pop() ?? '', what, ext);
  if (source && source.scheme !== 'untitled') return vscode.Uri.joinPath(source, '..', name);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}
