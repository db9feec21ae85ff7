import * as vscode from 'vscode';
import type { SessionPhase } from '../engine/engineSession';
import { CommandId } from './ids';

/** Engine state as the user sees it. */
export type EngineState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'loading'; readonly percent: number | null; readonly detail: string }
  | { readonly kind: 'ready'; readonly model: string }
  | { readonly kind: 'scoring'; readonly detail: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'crashed'; readonly message: string };

/**
 * The one place the status bar's state comes from: the engine session's phase (null: no session)
 * and what the requests in flight are doing (newest last).
 */
export function engineState(phase: SessionPhase | null, busy: readonly string[]): EngineState {
  if (phase?.kind === 'crashed') return { kind: 'crashed', message: phase.message };
  if (phase?.kind === 'failed') return { kind: 'error', message: phase.message };
  if (phase?.kind === 'loading') return { kind: 'loading', percent: phase.percent, detail: phase.detail };
  const detail = busy.at(-1);
  if (detail !== undefined) return { kind: 'scoring', detail };
  if (phase?.kind === 'ready') return { kind: 'ready', model: phase.model };
  return { kind: 'idle' };
}

/** One status bar item showing model state; its click opens the quick pick of actions. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('persona-lens.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Persona Lens';
    this.item.command = CommandId.showActions;
    this.set({ kind: 'idle' });
    this.item.show();
  }

  set(state: EngineState): void {
    const i = this.item;
    i.backgroundColor = undefined;
    switch (state.kind) {
      case 'idle':
        i.text = '$(pulse) Persona Lens';
        i.tooltip = 'Persona Lens: model not loaded. Click for actions.';
        break;
      case 'loading':
        i.text = `$(loading~spin) Persona Lens: loading${state.percent === null ? '' : ` ${Math.round(state.percent)}%`}`;
        i.tooltip = state.detail;
        break;
      case 'ready':
        i.text = '$(pulse) Persona Lens: ready';
        i.tooltip = `Model ${state.model} is loaded. Click for actions.`;
        break;
      case 'scoring':
        i.text = '$(loading~spin) Persona Lens: scoring';
        i.tooltip = state.detail;
        break;
      case 'error':
        i.text = '$(error) Persona Lens';
        i.tooltip = `${state.message}\nClick for actions.`;
        i.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'crashed':
        i.text = '$(error) Persona Lens: worker crashed';
        i.tooltip = `${state.message}.\nThe next analysis restarts it; click for actions (Restart Engine, Open Logs).`;
        i.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
