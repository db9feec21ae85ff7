/**
 * "Persona Lens: Re-run Turn with Capping": regenerates one assistant turn from the conversation
 * before it, without and with activation capping under the same seed, streams both replies into
 * the drift panel's compare view and shows them scored side by side. The user's file is never
 * touched; the capped text can be copied or opened in an untitled editor from the panel.
 */
import * as vscode from 'vscode';
import { assistantTurnAt, rerunProblem, type Conversation, type ParseResult } from '../core/transcript';
import { RERUN_TEMPERATURE, RERUN_TOP_P, type RerunResult, type RerunVariant } from '../engine/rerun';
import type { Config } from './config';
import type { EngineHost } from './engineHost';
import { LatestRun, type RunOutcome } from './latestRun';
import { uriLabel } from './uriLabel';
import type { Log } from './log';
import type { ResultStore } from './resultStore';
import { RerunFeed } from './rerunFeed';
import type { ToPanelMessage } from '../../webview/protocol';

/** A turn of a transcript. */
export interface TurnTarget {
  readonly uri: vscode.Uri;
  readonly conversation: number;
  readonly turn: number;
}

export interface RerunDeps {
  readonly store: ResultStore;
  readonly config: Config;
  readonly log: Log;
  readonly analyzer: { parseDocument(doc: vscode.TextDocument): ParseResult };
  readonly engine: Pick<EngineHost, 'rerun'>;
}

/**
 * Owns the running re-run: its cancellation (the notification's Cancel and the panel's both end it),
 * its view (the compare view's messages, RerunFeed, which the drift panel shows: onMessage), and
 * storing its values with the document's scores. One at a time: a new re-run cancels the running
 * one. Called directly by the command and by the panel; it knows nothing of the panel.
 */
export class RerunController implements vscode.Disposable {
  private readonly runs = new LatestRun();
  private readonly emitter = new vscode.EventEmitter<ToPanelMessage>();
  /** The compare view's messages; the first of each re-run is `rerunStarted` (the panel opens on it). */
  readonly onMessage = this.emitter.event;
  private readonly feed = new RerunFeed((msg) => this.emitter.fire(msg));

  constructor(private readonly deps: RerunDeps) {}

  /** What a page that has just (re)loaded needs to show the running re-run or the last result. */
  replay(): ToPanelMessage[] {
    return this.feed.replay();
  }

  /** The capped reply of the last finished re-run, or null. */
  lastCappedText(): string | null {
    return this.feed.lastCappedText();
  }

  /** The command: the turn named by `args` ([uri, conversation, turn]) or the assistant turn at the cursor. */
  async command(args: readonly unknown[]): Promise<void> {
    const found = await targetOf(this.deps, args);
    if ('problem' in found) {
      void vscode.window.showInformationMessage(`Persona Lens: ${found.problem}`);
      return;
    }
    await this.run(found.target, found.conversation);
  }

  /**
   * The panel's "Re-run with capping" on a turn of an analysed document; with `steer` (units of the
   * default population's spread), a reply steered along the axis at the capping band too.
   */
  async rerun(target: TurnTarget, steer: number | null = null): Promise<void> {
    const parse = this.deps.store.get(target.uri)?.parse;
    if (!parse) return;
    const found = checkTarget(parse, target);
    if ('problem' in found) {
      void vscode.window.showInformationMessage(`Persona Lens: ${found.problem}`);
      return;
    }
    await this.run(found.target, found.conversation, steer);
  }

  /** Cancels the running re-run, if any. */
  cancel(): void {
    this.runs.cancel();
  }

  dispose(): void {
    this.runs.dispose();
    this.feed.dispose();
    this.emitter.dispose();
  }

  private async run(target: TurnTarget, conversation: Conversation, steer: number | null = null): Promise<void> {
    const turn = conversation.turns[target.turn];
    if (!turn) return;
    const { deps } = this;
    const cfg = deps.config.value;
    const options = {
      sampling: {
        kind: 'sample',
        temperature: RERUN_TEMPERATURE,
        topK: 0,
        topP: RERUN_TOP_P,
        seed: cfg.generationSeed,
      },
      maxTokens: cfg.generationMaxTokens,
      ...(steer === null ? {} : { variants: ['uncapped', 'capped', 'steered'] as const, steer: { alpha: steer } }),
    } as const;
    const view = this.feed.begin(
      { uri: target.uri.toString(), conversation: target.conversation, turn: target.turn },
      turn.text,
      steer,
    );
    const started = Date.now();
    let outcome: RunOutcome<RerunResult>;
    try {
      outcome = await this.runs.run(`Persona Lens: re-running turn ${target.turn}`, (token, progress) =>
        deps.engine.rerun(
          conversation,
          target.turn,
          {
            ...options,
            onVariant: (variant) => {
              progress(VARIANT_PROGRESS[variant]);
              view.variant(variant);
            },
            onToken: (variant, t) => view.tokens(variant, t.text),
          },
          token,
        ),
      );
    } catch (e) {
      view.ended('failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
    if (outcome.cancelled) {
      view.ended('cancelled', 'cancelled');
      deps.log.info(`Re-run of turn ${target.turn} cancelled`);
      return;
    }
    const result = outcome.value;
    const [u, c, st] = [
      result.replies.find((r) => r.variant === 'uncapped'),
      result.replies.find((r) => r.variant === 'capped'),
      result.replies.find((r) => r.variant === 'steered'),
    ];
    view.done(result);
    deps.store.addRerun(target.uri, {
      conversation: target.conversation,
      turn: target.turn,
      capped: c && Number.isFinite(c.value) ? c.value : null,
      uncapped: u && Number.isFinite(u.value) ? u.value : null,
    });
    deps.log.info(
      `Re-ran turn ${target.turn} of ${target.uri.toString()} in ${Date.now() - started} ms: original ${result.original.value.toFixed(3)}, uncapped ${u?.value.toFixed(3)}, capped ${c?.value.toFixed(3)}${st ? `, steered (${steer}) ${st.value.toFixed(3)}` : ''} (seed ${options.sampling.seed}, max ${options.maxTokens} tokens)`,
    );
  }
}

const VARIANT_PROGRESS: Record<RerunVariant, string> = {
  uncapped: 'without capping',
  capped: 'with capping',
  steered: 'steered along the axis',
};

export type Found = { target: TurnTarget; conversation: Conversation } | { problem: string };

async function targetOf(deps: RerunDeps, args: readonly unknown[]): Promise<Found> {
  const [uriArg, convArg, turnArg] = args;
  if (typeof uriArg === 'string' && Number.isInteger(convArg) && Number.isInteger(turnArg)) {
    const uri = vscode.Uri.parse(uriArg);
    const parse =
      deps.store.get(uri)?.parse ?? deps.analyzer.parseDocument(await vscode.workspace.openTextDocument(uri));
    return checkTarget(parse, { uri, conversation: convArg as number, turn: turnArg as number });
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor)
    return { problem: 'open a transcript and place the cursor in an assistant turn to re-run it.' };
  const doc = editor.document;
  const parse = deps.store.get(doc.uri)?.parse ?? deps.analyzer.parseDocument(doc);
  const at = assistantTurnAt(parse.conversations, doc.offsetAt(editor.selection.active));
  if (at) return checkTarget(parse, { uri: doc.uri, ...at });
  return {
    problem: `the cursor is not in an assistant turn of ${uriLabel(doc.uri)}; place it in the reply to re-run.`,
  };
}

/** The turn `target` names in `parse`, or why it cannot be re-run. */
export function checkTarget(parse: ParseResult, target: TurnTarget): Found {
  const conversation = parse.conversations[target.conversation];
  if (!conversation)
    return { problem: `there is no conversation ${target.conversation + 1} (the file changed?).` };
  const problem = rerunProblem(conversation, target.turn);
  return problem === null ? { target, conversation } : { problem: `${problem}.` };
}
