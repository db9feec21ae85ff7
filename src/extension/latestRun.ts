/**
 * One long engine run at a time behind a cancellable notification, where starting a new one cancels
 * the one before (the re-run and the sweep: the user wants the turn they asked for last). The
 * notification's Cancel and `cancel()` (the panel's button) end it the same way.
 */
import * as vscode from 'vscode';
import { isCancellation } from '../protocol/errors';

export type RunOutcome<T> = { readonly cancelled: false; readonly value: T } | { readonly cancelled: true };

export class LatestRun implements vscode.Disposable {
  private running: vscode.CancellationTokenSource | null = null;

  cancel(): void {
    this.running?.cancel();
  }

  dispose(): void {
    this.cancel();
  }

  /**
   * Runs `work` under a fresh token after cancelling the running one. A cancellation (by either path,
   * or one the engine reports) comes back as `{ cancelled: true }`; any other failure is thrown.
   */
  async run<T>(
    title: string,
    work: (token: vscode.CancellationToken, progress: (message: string) => void) => Promise<T>,
  ): Promise<RunOutcome<T>> {
    this.running?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    try {
      const value = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const forward = token.onCancellationRequested(() => cts.cancel());
          try {
            return await work(cts.token, (message) => progress.report({ message }));
          } finally {
            forward.dispose();
          }
        },
      );
      return { cancelled: false, value };
    } catch (e) {
      if (isCancellation(e) || cts.token.isCancellationRequested) return { cancelled: true };
      throw e;
    } finally {
      if (this.running === cts) this.running = null;
      cts.dispose();
    }
  }
}
