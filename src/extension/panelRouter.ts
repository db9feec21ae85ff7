/**
 * What the drift panel's page may ask, and who answers: an allowlist of validated messages
 * (webview/protocol.ts). The page never names a command or a path: turns are acted on only in
 * documents the extension has analysed, files are written only where the user picks in a dialog.
 */
import * as vscode from 'vscode';
import { parseFromPanel, type FromPanelMessage, type ToPanelMessage } from '../../webview/protocol';
import { exportPng, exportValues, showCappedText } from './panelExports';
import type { Log } from './log';
import type { RerunController, TurnTarget } from './rerunController';
import type { ResultStore } from './resultStore';
import type { SweepController } from './sweepController';

/** What answering the page needs: the rest of the extension, and the panel it came from. */
export interface PanelRoutes {
  readonly store: ResultStore;
  readonly log: Log;
  readonly reruns: Pick<RerunController, 'rerun' | 'cancel' | 'replay' | 'lastCappedText'>;
  readonly sweeps: Pick<SweepController, 'sweep' | 'cancel' | 'replay'>;
  /** Reveals and selects a turn in its editor. */
  revealTurn(uri: vscode.Uri, conversation: number, turn: number): Promise<void>;
  /** Sends the page the followed document's data. */
  postData(): void;
  send(msg: ToPanelMessage): void;
  /** The transcript the panel shows, if any. */
  followed(): vscode.Uri | null;
  /** The panel's editor column, so opened text lands beside it. */
  column(): vscode.ViewColumn | undefined;
}

/** Validates a message from the page and answers it; malformed messages are logged and dropped. */
export function receivePanelMessage(data: unknown, routes: PanelRoutes): void {
  const parsed = parseFromPanel(data);
  if (!parsed.ok) {
    routes.log.warn(`Dropped a malformed panel message: ${parsed.reason}`);
    return;
  }
  void routePanelMessage(parsed.message, routes).catch((e: unknown) => routes.log.error('Panel message failed', e));
}

async function routePanelMessage(msg: FromPanelMessage, routes: PanelRoutes): Promise<void> {
  switch (msg.type) {
    case 'ready':
      routes.postData();
      // A page loaded mid-run (the panel was just created, hidden or reloaded) catches up; else it gets the last result.
      for (const m of [...routes.reruns.replay(), ...routes.sweeps.replay()]) routes.send(m);
      return;
    case 'revealTurn':
    case 'rerunTurn':
    case 'sweepTurn': {
      if (!routes.store.get(msg.uri)) {
        routes.log.warn(`Panel named a document that is not analysed: ${msg.uri}`);
        return;
      }
      const target: TurnTarget = { uri: vscode.Uri.parse(msg.uri), conversation: msg.conversation, turn: msg.turn };
      if (msg.type === 'revealTurn') await routes.revealTurn(target.uri, target.conversation, target.turn);
      else if (msg.type === 'rerunTurn') await routes.reruns.rerun(target, msg.steer);
      else await routes.sweeps.sweep(target);
      return;
    }
    case 'cancelRerun':
      routes.reruns.cancel();
      routes.sweeps.cancel();
      return;
    case 'cappedText': {
      const text = routes.reruns.lastCappedText();
      if (text !== null) await showCappedText(text, msg.action, routes.column());
      return;
    }
    case 'exportPng':
      await exportPng(msg.dataUrl, routes.followed(), routes.log);
      return;
    case 'exportValues':
      await exportValues(msg.format, routes.followed(), routes.store, routes.log);
      return;
  }
}
