import * as vscode from 'vscode';

/** How messages name a document: workspace-relative for files, the bare name for virtual ones (the demo sample). */
export function uriLabel(uri: vscode.Uri | string): string {
  const u = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  if (u.scheme === 'file' || u.scheme === 'vscode-remote') return vscode.workspace.asRelativePath(u);
  return u.path.split('/').pop() || u.toString();
}
