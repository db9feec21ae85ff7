/**
 * "Persona Lens: Try the Demo Model": the shortest way from install to a result. It switches this
 * session to the small demo model shipped with the extension (settings are left untouched, so a
 * configured model comes back on the next start or as soon as the user picks one), opens the demo
 * transcript as a read-only document and analyses it. Files in the extension folder are only read.
 */
import * as vscode from 'vscode';
import type { Config } from './config';
import type { Log } from './log';

/** Read-only documents served from the extension's samples/ folder. */
export const SAMPLE_SCHEME = 'persona-lens-sample';
/** The demo transcript: four assistant turns that drift from helpful assistant to pirate. */
export const DEMO_SAMPLE = 'drifting-conversation.json';

/** Serves `persona-lens-sample:/<file>` from `<extension>/samples/<file>` (read-only in the editor). */
export function registerSampleDocuments(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SAMPLE_SCHEME, {
    async provideTextDocumentContent(uri) {
      const name = uri.path.replace(/^\/+/, '');
      if (!/^[\w.-]+$/.test(name)) throw new Error(`Persona Lens has no sample named ${uri.path}`);
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'samples', name));
      return new TextDecoder('utf-8').decode(bytes);
    },
  });
}

export interface TryDemoDeps {
  readonly config: Config;
  readonly log: Log;
  /** Analyses the active editor as "Analyze File" does (progress, panel, errors). */
  readonly analyzeActive: () => Promise<void>;
}

/** Runs the command: demo model for this session, demo transcript opened and analysed. */
export async function tryDemoModel(deps: TryDemoDeps): Promise<void> {
  if (deps.config.useModelForSession('demo')) {
    deps.log.info('Using the demo model for this session; the persona-lens.model setting is unchanged.');
    vscode.window.setStatusBarMessage(
      'Persona Lens: using the demo model for this session (settings unchanged)',
      8000,
    );
  }
  const doc = await vscode.workspace.openTextDocument(
    vscode.Uri.from({ scheme: SAMPLE_SCHEME, path: `/${DEMO_SAMPLE}` }),
  );
  await vscode.window.showTextDocument(doc, { preview: false });
  await deps.analyzeActive();
}
