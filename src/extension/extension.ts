import * as vscode from 'vscode';
import { Analyzer } from './analysis';
import { registerCodeLens } from './codeLens';
import { registerCommands, revealTurn } from './commands';
import { Config } from './config';
import { Decorations } from './decorations';
import { TokenHeat } from './tokenHeat';
import { TranscriptDiagnostics } from './diagnostics';
import { EngineHost } from './engineHost';
import { registerEvents } from './events';
import { registerHovers } from './hovers';
import { Log } from './log';
import { DriftPanel } from './panel';
import { PromptLens } from './promptLens';
import { PromptStudio } from './promptStudio';
import { RerunController } from './rerunController';
import { SweepController } from './sweepController';
import { ContinueView } from './continueView';
import { ResultStore } from './resultStore';
import { StatusBar } from './statusBar';
import { registerSampleDocuments } from './tryDemo';
import { registerEvalSampleDocuments } from './evalLogs';

let engine: EngineHost | undefined;

/** Wires the modules together; nothing here loads a model or starts the worker. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const config = new Config(log);
    const store = new ResultStore();
    const diagnostics = new TranscriptDiagnostics();
    const status = new StatusBar();
    engine = new EngineHost({ extensionUri: context.extensionUri, storageUri: context.globalStorageUri, config, log, status });
    const analyzer = new Analyzer(store, diagnostics, config, engine, log);
    const decorations = new Decorations(store, config);
    const reruns = new RerunController({ store, config, log, analyzer, engine });
    const sweeps = new SweepController({ store, config, log, engine });
    const tokenHeat = new TokenHeat(store, config, log);
    const panel = new DriftPanel({
      extensionUri: context.extensionUri,
      store,
      log,
      reruns,
      sweeps,
      revealTurn: (uri, conversation, turn) => revealTurn(store, uri, conversation, turn),
    });
    const studio = new PromptStudio({ extensionUri: context.extensionUri, engine, config, log });
    const continueView = new ContinueView({ extensionUri: context.extensionUri, engine, config, log, analyzer });
    context.subscriptions.push(
      config,
      store,
      diagnostics,
      status,
      engine,
      analyzer,
      decorations,
      tokenHeat,
      panel,
      reruns,
      sweeps,
      continueView,
      registerCommands({ analyzer, store, diagnostics, decorations, tokenHeat, panel, reruns, continueView, config, engine, log, storageUri: context.globalStorageUri }),
      registerEvents({ analyzer, store, diagnostics, config, log }),
      registerHovers(store),
      registerCodeLens(store, config),
      registerSampleDocuments(context.extensionUri),
      registerEvalSampleDocuments(),
      studio,
      new PromptLens(context.extensionUri, config, studio, log),
    );
    void config.ignoredUntrusted().then((ignored) => {
      if (ignored.length === 0) return;
      // Said once per window: the user expects the workspace's model and sees another one used.
      const message = `Restricted Mode: the workspace setting${ignored.length > 1 ? 's' : ''} ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored until you trust this folder; user settings apply.`;
      log.warn(message);
      void vscode.window.showWarningMessage(`Persona Lens: ${message}`, 'Manage Workspace Trust').then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
    }, (e: unknown) => log.error('Could not read the workspace settings', e));
    log.info(`Persona Lens activated (${(context.extension.packageJSON as { version: string }).version})`);
  } catch (e) {
    // VS Code would only log a failed activation; say it once where the user looks.
    log.error('Persona Lens failed to activate', e);
    void vscode.window.showErrorMessage(`Persona Lens failed to activate: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

/** Returns the worker's shutdown so VS Code waits for it. */
export function deactivate(): Promise<void> | undefined {
  return engine?.shutdown();
}
