/**
 * Inspect AI `.eval` logs in the editor. A `.eval` file is a zip archive that VS Code shows as
 * binary; "Persona Lens: Open Inspect Log Sample…" lists its samples in a quick pick and opens the
 * chosen one as a read-only document (scheme `persona-lens-eval`): a one-sample Inspect JSON log,
 * analysed like any transcript, with ranges in that document. Inspect's own viewer
 * (`inspect view`) stays the place for events, scores and the rest of the log.
 */
import * as vscode from 'vscode';
import type { EvalSampleEntry } from '../core/formats';
import { listEvalSamples, readEvalSampleDocument } from '../io/evalArchive';

/** Read-only documents holding one sample of a `.eval` log. */
export const EVAL_SAMPLE_SCHEME = 'persona-lens-eval';

/**
 * The virtual document of one sample: the log's path followed by the sample's entry
 * ("/logs/run.eval/samples/2_epoch_1.json"), so the tab reads "2_epoch_1.json", its description
 * names the log, and the ".json" ending gives it the JSON language (analysed like a JSON transcript).
 */
export function evalSampleUri(log: vscode.Uri, sample: EvalSampleEntry): vscode.Uri {
  const entry = sample.shape === 'chunked' ? `${sample.entry}sample.json` : sample.entry;
  return vscode.Uri.from({ scheme: EVAL_SAMPLE_SCHEME, path: `${log.path}/${entry}` });
}

/** The log file and sample a `persona-lens-eval:` URI names; undefined when it names none. */
function sampleOf(
  uri: vscode.Uri,
): { file: string; sample: Pick<EvalSampleEntry, 'entry' | 'shape'> } | undefined {
  const at = uri.path.toLowerCase().lastIndexOf('.eval/samples/');
  if (at < 0) return undefined;
  const file = vscode.Uri.file(uri.path.slice(0, at + '.eval'.length)).fsPath;
  const entry = uri.path.slice(at + '.eval/'.length);
  const chunked = /^samples\/[^/]+\/sample\.json$/.test(entry);
  return {
    file,
    sample: chunked
      ? { shape: 'chunked', entry: entry.slice(0, -'sample.json'.length) }
      : { shape: 'monolith', entry },
  };
}

/** Serves `persona-lens-eval:` documents from the archive their path names (only `.eval` files are read). */
export function registerEvalSampleDocuments(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(EVAL_SAMPLE_SCHEME, {
    async provideTextDocumentContent(uri) {
      const target = sampleOf(uri);
      if (!target)
        throw new Error(`Persona Lens cannot open ${uri.toString()}: not a sample of an Inspect .eval log`);
      return readEvalSampleDocument(target.file, target.sample);
    },
  });
}

/** What the command needs from the rest of the extension. */
export interface OpenEvalSampleDeps {
  /** Analyses the active editor as "Analyze File" does. */
  readonly analyzeActive: () => Promise<void>;
}

/**
 * Runs "Open Inspect Log Sample…": the `.eval` file comes from the explorer's context menu, the
 * active tab, or an open dialog; the sample from a quick pick (skipped when there is only one).
 * The sample opens read-only and is analysed.
 */
export async function openEvalSample(deps: OpenEvalSampleDeps, arg?: unknown): Promise<void> {
  const log = arg instanceof vscode.Uri ? arg : (activeEvalTab() ?? (await pickEvalFile()));
  if (!log) return;
  if (log.scheme !== 'file') {
    void vscode.window.showErrorMessage('Persona Lens reads Inspect .eval logs from local files only.');
    return;
  }
  let index;
  try {
    index = await listEvalSamples(log.fsPath);
  } catch (e) {
    const name = log.path.split('/').pop() ?? log.path;
    void vscode.window.showErrorMessage(`Persona Lens: ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (index.samples.length === 0) {
    void vscode.window.showInformationMessage(
      `${log.path.split('/').pop() ?? 'This log'} has no samples (written without them, or still running).`,
    );
    return;
  }
  const sample =
    index.samples.length === 1
      ? index.samples[0]
      : (
          await vscode.window.showQuickPick(
            index.samples.map((s) => ({
              label: `sample ${s.id}`,
              description: `epoch ${s.epoch}`,
              sample: s,
            })),
            {
              title: `Samples of ${log.path.split('/').pop() ?? 'the log'}`,
              placeHolder: 'Pick a sample to open and analyse',
              matchOnDescription: true,
            },
          )
        )?.sample;
  if (!sample) return;
  const doc = await vscode.workspace.openTextDocument(evalSampleUri(log, sample));
  await vscode.window.showTextDocument(doc, { preview: false });
  await deps.analyzeActive();
}

function activeEvalTab(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri?.path.toLowerCase().endsWith('.eval') ? uri : undefined;
}

async function pickEvalFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Inspect AI logs': ['eval'] },
    title: 'Open an Inspect .eval log',
  });
  return picked?.[0];
}
