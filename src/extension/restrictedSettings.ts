import * as vscode from 'vscode';
import { parse as parseJsonc } from 'jsonc-parser';
import { CONFIG_SECTION } from './ids';

/**
 * Restricted settings (paths the extension would load code or data from) that the workspace sets
 * but Restricted Mode keeps from taking effect. VS Code drops such workspace values from
 * `getConfiguration(...).inspect` too, so they are read from the workspace's settings files
 * (folder `.vscode/settings.json` and the `.code-workspace` file): reading JSON is harmless, and
 * nothing read here is ever used as a setting.
 */
export async function ignoredRestrictedSettings(restrictedKeys: readonly string[]): Promise<string[]> {
  if (vscode.workspace.isTrusted) return [];
  const full = restrictedKeys.map((k) => `${CONFIG_SECTION}.${k}`);
  const found = new Set<string>();
  const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
  restrictedKeys.forEach((k, i) => {
    const inspected = cfg.inspect(k);
    if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined)
      found.add(full[i]!);
  });
  const files = (vscode.workspace.workspaceFolders ?? []).map((f) =>
    vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'),
  );
  const workspaceFile = vscode.workspace.workspaceFile;
  for (const uri of [
    ...files,
    ...(workspaceFile && workspaceFile.scheme !== 'untitled' ? [workspaceFile] : []),
  ]) {
    const settings = await readSettings(uri, uri === workspaceFile);
    for (const key of full) if (settings[key] !== undefined) found.add(key);
  }
  return full.filter((k) => found.has(k));
}

async function readSettings(uri: vscode.Uri, isWorkspaceFile: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return {}; // no settings file
  }
  const json: unknown = parseJsonc(text, [], { allowTrailingComma: true });
  const settings = isWorkspaceFile && isRecord(json) ? json['settings'] : json;
  return isRecord(settings) ? settings : {};
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
