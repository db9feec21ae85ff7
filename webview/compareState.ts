/**
 * The compare view's state as the re-run messages drive it: idle, running (texts streaming in),
 * done (scored replies), or ended (cancelled / failed). Pure: no DOM, unit-tested in Node.
 */
import type { Compare, ToPanelMessage, Variant } from './protocol';

export type CompareState =
  | { readonly phase: 'idle' }
  | {
      readonly phase: 'running';
      readonly conversation: number;
      readonly turn: number;
      readonly originalText: string;
      /** The steering strength when a steered reply is being made too, else null. */
      readonly steer: number | null;
      /** The variant being generated now, null before the first one starts. */
      readonly current: Variant | null;
      readonly streamed: Readonly<Record<Variant, string>>;
    }
  | { readonly phase: 'done'; readonly compare: Compare }
  | {
      readonly phase: 'ended';
      readonly reason: 'cancelled' | 'failed';
      readonly message: string;
      /** What had streamed before it stopped, kept on screen. */
      readonly streamed: Readonly<Record<Variant, string>>;
      readonly originalText: string;
      readonly steer: number | null;
    };

export const IDLE: CompareState = { phase: 'idle' };

const NOTHING: Readonly<Record<Variant, string>> = { uncapped: '', capped: '', steered: '' };

type RerunMessage = Extract<
  ToPanelMessage,
  { type: 'rerunStarted' | 'rerunVariant' | 'rerunTokens' | 'rerunDone' | 'rerunEnded' }
>;

/** The next state after a re-run message; messages that do not fit the phase (late tokens after a cancel) change nothing. */
export function nextCompareState(state: CompareState, msg: RerunMessage): CompareState {
  switch (msg.type) {
    case 'rerunStarted':
      return {
        phase: 'running',
        conversation: msg.conversation,
        turn: msg.turn,
        originalText: msg.originalText,
        steer: msg.steer,
        current: null,
        streamed: NOTHING,
      };
    case 'rerunVariant':
      return state.phase === 'running' ? { ...state, current: msg.variant } : state;
    case 'rerunTokens':
      return state.phase === 'running'
        ? { ...state, streamed: { ...state.streamed, [msg.variant]: state.streamed[msg.variant] + msg.text } }
        : state;
    case 'rerunDone':
      return { phase: 'done', compare: msg.compare };
    case 'rerunEnded':
      return {
        phase: 'ended',
        reason: msg.reason,
        message: msg.message,
        streamed: state.phase === 'running' ? state.streamed : NOTHING,
        originalText: state.phase === 'running' ? state.originalText : '',
        steer: state.phase === 'running' ? state.steer : null,
      };
  }
}
