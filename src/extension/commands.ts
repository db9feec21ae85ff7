import * as vscode from 'vscode';
import { assessAxis, describeAssessment } from '../core/axis/verdict';
import type { Analyzer } from './analysis';
import { uriLabel } from './uriLabel';
import { AxisFileError } from '../core/axis/axisFile';
import { domainCount, mostlyOutOfDomain } from '../core/report/reading';
import { hasAssistantTurn } from '../core/transcript';
import { formatEta } from '../core/axis/axisEta';
import type { AxisSubset } from '../core/axis/axisPlan';
import type { SpeedProbe } from '../engine/speedProbe';
import { EngineError, isCancellation } from '../protocol/errors';
import { ModelRefError } from '../engine/modelRef';
import { AxisMissingError } from '../engine/session';
import type { Config } from './config';
import type { Decorations } from './decorations';
import type { TokenHeat } from './tokenHeat';
import { exportReport } from './exportReport';
import { CommandId, InternalCommandId, CONFIG_SECTION } from './ids';
import type { Log } from './log';
import type { DriftPanel } from './panel';
import type { ResultStore } from './resultStore';
import type { TranscriptDiagnostics } from './diagnostics';
import { selectModel } from './modelPicker';
import type { RerunController } from './rerunController';
import type { ContinueView } from './continueView';
import { tryDemoModel } from './tryDemo';
import { openEvalSample } from './evalLogs';
import type { EngineHost } from './engineHost';
import { TRANSCRIPT_LANGUAGES } from './ids';

export interface CommandDeps {
  readonly analyzer: Analyzer;
  readonly store: ResultStore;
  readonly diagnostics: TranscriptDiagnostics;
  readonly decorations: Decorations;
  readonly tokenHeat: TokenHeat;
  readonly panel: DriftPanel;
  readonly continueView: ContinueView;
  readonly reruns: RerunController;
  readonly config: Config;
  readonly engine: EngineHost;
  readonly log: Log;
  /** The extension's global storage: the engine's cache folder when persona-lens.cacheDir is empty. */
  readonly storageUri: vscode.Uri;
}

/** Registers every command; the returned Disposable unregisters them. */
export function registerCommands(deps: CommandDeps): vscode.Disposable {
  // (uri, model) pairs already told that most of their values are out of the model's domain: one notice each.
  const domainNoticed = new Set<string>();
  const analyze = (selectionOnly: boolean): Promise<void> => analyzeActive(deps, selectionOnly, domainNoticed);
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [CommandId.analyzeFile]: () => analyze(false),
    [CommandId.analyzeSelection]: () => analyze(true),
    [CommandId.clearAnnotations]: () => {
      deps.store.clear();
      deps.diagnostics.clear();
    },
    [CommandId.toggleTokenHeat]: () => deps.tokenHeat.toggle(),
    [CommandId.showPanel]: () => deps.panel.show(vscode.window.activeTextEditor?.document.uri ?? null),
    [CommandId.openLogs]: () => deps.log.show(),
    [CommandId.restartEngine]: () => deps.engine.restart(),
    // Axes live where the engine keeps its cache: the setting, else the extension's global storage.
    [CommandId.selectModel]: () => selectModel(deps.config, deps.config.value.cacheDir || deps.storageUri.fsPath, (model) => offerAxis(deps, model)),
    [CommandId.computeAxis]: (subset) => computeAxisCommand(deps, subset === 'quick' || subset === 'full' ? subset : undefined),
    [CommandId.showActions]: () => showActions(),
    [CommandId.tryDemoModel]: () => tryDemoModel({ config: deps.config, log: deps.log, analyzeActive: () => analyze(false) }),
    [CommandId.exportReport]: () => exportReport(deps.store),
    [CommandId.openEvalSample]: (arg) => openEvalSample({ analyzeActive: () => analyze(false) }, arg),
    [CommandId.rerunTurn]: (...args) => deps.reruns.command(args),
    [CommandId.continueConversation]: (...args) => deps.continueView.open(args),
    [InternalCommandId.showInPanel]: (...args) => {
      const target = turnArgs(args);
      if (target) deps.panel.show(target.uri, target);
    },
    [InternalCommandId.copyValues]: (...args) => {
      const target = turnArgs(args);
      return target ? copyValues(deps.store, target.uri, target.conversation) : undefined;
    },
  };
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, fn]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          if (isCancellation(e)) return undefined;
          deps.log.error(`Command ${id} failed`, e);
          await showFailure(e, deps);
          return undefined;
        }
      }),
    ),
  );
}

async function analyzeActive(deps: CommandDeps, selectionOnly: boolean, domainNoticed: Set<string>): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Persona Lens: open a transcript to analyze.');
    return;
  }
  const doc = editor.document;
  const parsed = deps.analyzer.parseDocument(doc);
  const hasAssistant = parsed.conversations.some(hasAssistantTurn);
  if (!hasAssistant) {
    const tooLarge = parsed.diagnostics.find((d) => d.code === 'too-large');
    if (tooLarge) {
      // Not in the Problems view (a file that is no transcript gets no diagnostics), so said here.
      void vscode.window.showWarningMessage(`Persona Lens: ${tooLarge.message} (setting persona-lens.maxFileSizeMB)`);
      return;
    }
    const why = parsed.conversations.length === 0 ? 'no conversation was found in it' : 'it has no assistant turn';
    void vscode.window.showWarningMessage(`Persona Lens: nothing to analyze in ${uriLabel(doc.uri)}: ${why}. See the Problems view for details.`);
    return;
  }
  if (deps.config.value.panelOpenOnAnalyze) deps.panel.show(doc.uri);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Persona Lens', cancellable: true },
    async (progress, token) => {
      let last = 0;
      await deps.analyzer.analyze(doc, {
        token,
        ...(selectionOnly ? { within: editor.selection } : {}),
        progress: (message, fraction) => {
          const increment = Math.max(0, fraction * 100 - last);
          last += increment;
          progress.report({ message, increment });
        },
      });
    },
  );
  await noticeOutOfDomain(deps, doc.uri, domainNoticed);
}

/**
 * When most assistant turns of a file are out of the model's domain, says so once, with the way out.
 * For the demo model it says what the demo model is: it reads only its own synthetic conversations.
 */
async function noticeOutOfDomain(deps: CommandDeps, uri: vscode.Uri, domainNoticed: Set<string>): Promise<void> {
  const scores = (deps.store.get(uri)?.scores ?? []).filter((s) => s !== null);
  const model = scores[0]?.model;
  const key = `${uri.toString()}\n${model ?? ''}`;
  if (!model || !mostlyOutOfDomain(scores) || domainNoticed.has(key)) return;
  domainNoticed.add(key);
  const n = domainCount(scores);
  const what = `${n.outOfDomain} of ${n.assistant} assistant turns of ${uriLabel(uri)}`;
  const message =
    model === 'demo'
      ? `Persona Lens: ${what} are out of the demo model's domain. The demo model is a 0.9 M-parameter model trained only on this project's synthetic conversations; it cannot read real text, so these values are noise and raise no alarm. Select a real chat model to read real transcripts.`
      : `Persona Lens: ${what} are out of the domain of ${model}: the model finds this text far less predictable than its own replies, so these values are noise and raise no alarm. A model that can read this text gives meaningful values.`;
  const action = await vscode.window.showWarningMessage(message, 'Select Model');
  if (action === 'Select Model') await vscode.commands.executeCommand(CommandId.selectModel);
}

/** One notification per failure, with the action that fixes its cause. */
async function showFailure(e: unknown, deps: CommandDeps): Promise<void> {
  const message = `Persona Lens: ${e instanceof Error ? e.message : String(e)}`;
  const fixes: Record<string, () => Thenable<unknown>> =
    e instanceof AxisMissingError
      ? { 'Compute Axis': () => vscode.commands.executeCommand(CommandId.computeAxis), 'Select Model': () => vscode.commands.executeCommand(CommandId.selectModel) }
      : e instanceof ModelRefError || e instanceof AxisFileError || e instanceof EngineError
        ? { 'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', CONFIG_SECTION), Retry: () => vscode.commands.executeCommand(CommandId.analyzeFile) }
        : {};
  const action = await vscode.window.showErrorMessage(message, ...Object.keys(fixes), 'Show Log');
  if (action === 'Show Log') deps.log.show();
  else if (action) await fixes[action]?.();
}

/** A turn named by command-link arguments [uri, conversation, turn]; undefined when malformed. */
function turnArgs(args: unknown[]): { uri: vscode.Uri; conversation: number; turn: number } | undefined {
  const [uri, conversation, turn] = args;
  if (typeof uri !== 'string' || !Number.isInteger(conversation) || !Number.isInteger(turn)) return undefined;
  return { uri: vscode.Uri.parse(uri), conversation: conversation as number, turn: turn as number };
}

/** Copies a conversation's per-turn values as tab-separated text (pastes into spreadsheets). */
async function copyValues(store: ResultStore, uri: vscode.Uri, conversation: number): Promise<void> {
  const scores = store.get(uri)?.scores[conversation];
  if (!scores) return;
  const rows = scores.turns.map((t) =>
    [t.turn, t.role, t.value.toFixed(4), t.delta === null ? '' : t.delta.toFixed(4), t.zone ?? '', t.outOfDomain, t.surprise === null ? '' : t.surprise.toFixed(3)].join('\t'),
  );
  await vscode.env.clipboard.writeText(['turn\trole\tvalue\tdelta\tzone\tout_of_domain\tsurprise', ...rows].join('\n') + '\n');
  void vscode.window.setStatusBarMessage(`Persona Lens: copied ${rows.length} turn values`, 3000);
}

/** Reveals and selects a turn's content in its editor. */
export async function revealTurn(store: ResultStore, uri: vscode.Uri, conversation: number, turn: number): Promise<void> {
  const result = store.get(uri);
  const t = result?.parse.conversations[conversation]?.turns[turn];
  if (!t) return;
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  const range = new vscode.Range(doc.positionAt(t.range.start), doc.positionAt(t.range.end));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * After Select Model picks a model without an axis: offers to time this machine with it (downloading
 * it with progress and cancel) and to compute its axis, each plan shown with its estimated time.
 */
async function offerAxis(deps: CommandDeps, model: string): Promise<void> {
  const estimate = 'Estimate and Compute…';
  const action = await vscode.window.showInformationMessage(
    `Persona Lens: ${model} has no Assistant Axis yet, and values need one. Time this machine with it (downloading it if needed) to see how long computing one takes?`,
    estimate,
    'Later',
  );
  if (action !== estimate) return;
  let probe: SpeedProbe;
  try {
    probe = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Persona Lens: timing ${model} on this machine`, cancellable: true },
      (progress, token) => deps.engine.measureSpeed(token, (message) => progress.report({ message })),
    );
  } catch (e) {
    if (isCancellation(e)) return;
    const message = e instanceof Error ? e.message : String(e);
    deps.log.warn(`Timing ${model} failed: ${message}`);
    void vscode.window.showWarningMessage(`Persona Lens: could not time ${model}: ${message}`);
    return;
  }
  const s = probe.times;
  deps.log.info(`${model} on this machine: ${s.secondsPerRun.toFixed(2)} s per axis reply (${probe.runsTimed} timed in one batch), ${s.secondsPerFloorRun.toFixed(2)} s per floors pass; axis ETA quick ${formatEta(probe.etaMs.quick)}, full ${formatEta(probe.etaMs.full)}`);
  await computeAxisCommand(deps, undefined, probe);
}

async function computeAxisCommand(deps: CommandDeps, subset?: AxisSubset, probe?: SpeedProbe): Promise<void> {
  const model = deps.config.value.model;
  const eta = (k: AxisSubset): string => (probe ? ` — ${formatEta(probe.etaMs[k])} here` : '');
  const pick = subset
    ? { subset }
    : await vscode.window.showQuickPick(
        [
          { label: 'Quick', description: `12 roles x 10 questions plus validation${eta('quick') || ' (minutes on a laptop)'}`, subset: 'quick' as const },
          { label: 'Full', description: `every role and question of the battery${eta('full') || ' (much longer)'}`, subset: 'full' as const },
        ],
        { title: `Persona Lens: compute the Assistant Axis of ${model}${probe ? ` (measured here: ${probe.times.secondsPerRun.toFixed(2)} s per reply)` : ''}` },
      );
  if (!pick) return;
  const stored = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Persona Lens: axis of ${model}`, cancellable: true },
    async (progress, token) => {
      let last = 0;
      return deps.engine.computeAxis(
        pick.subset,
        (message, fraction) => {
          const increment = fraction === null ? 0 : Math.max(0, fraction * 100 - last);
          last += increment;
          progress.report({ message, increment });
        },
        token,
      );
    },
  );
  const m = stored.result.axis.layers[stored.result.axis.monitorLayer];
  const assessment = assessAxis(stored.result.axis);
  // A weak or unusable axis is a warning: the readings it gives need its report read first.
  const show = assessment.verdict === 'good' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const action = await show(
    `Persona Lens: axis computed (${stored.result.kept} replies; held-out AUC ${m?.auc?.toFixed(2) ?? 'n/a'} at layer ${stored.result.axis.monitorLayer}); verdict ${describeAssessment(assessment)}.`,
    'Open Report',
  );
  if (action === 'Open Report') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(stored.reportPath));
}

async function showActions(): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(play) Analyze File', command: CommandId.analyzeFile },
    { label: '$(graph-line) Show Drift Panel', command: CommandId.showPanel },
    { label: '$(export) Export Report', command: CommandId.exportReport },
    { label: '$(flame) Toggle Token Heat', command: CommandId.toggleTokenHeat },
    { label: '$(clear-all) Clear Annotations', command: CommandId.clearAnnotations },
    { label: '$(server-process) Select Model', command: CommandId.selectModel },
    { label: '$(beaker) Try the Demo Model', command: CommandId.tryDemoModel },
    { label: '$(symbol-ruler) Compute Axis for Model', command: CommandId.computeAxis },
    { label: '$(debug-restart) Restart Engine', command: CommandId.restartEngine },
    { label: '$(output) Open Logs', command: CommandId.openLogs },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Persona Lens' });
  if (pick) await vscode.commands.executeCommand(pick.command);
}

/** True for documents Persona Lens may analyze automatically. */
export function isTranscriptCandidate(doc: vscode.TextDocument): boolean {
  return (TRANSCRIPT_LANGUAGES as readonly string[]).includes(doc.languageId) && doc.uri.scheme !== 'output';
}
