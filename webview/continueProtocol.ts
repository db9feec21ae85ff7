/**
 * Messages between the extension host and the continue view (src/extension/continueView.ts): a
 * conversation continued without and with capping, in two columns. Both sides parse what they
 * receive through these schemas. No DOM and no vscode here; the host imports only this file.
 */
import * as v from 'valibot';

const short = v.pipe(v.string(), v.maxLength(400));

export const CONTINUE_LIMITS = {
  steps: 50,
  text: 100_000,
  userText: 8_000,
  token: 1_000,
} as const;

export const ColumnSchema = v.picklist(['uncapped', 'capped']);
const text = v.pipe(v.string(), v.maxLength(CONTINUE_LIMITS.text));

const ReplySchema = v.object({
  column: ColumnSchema,
  text,
  /** The reply's value (null: no content tokens), already formatted for display next to the raw number. */
  value: v.nullable(v.pipe(v.number(), v.finite())),
  label: short,
  zone: v.nullable(v.picklist(['assistant', 'drifting', 'role'])),
  outOfDomain: v.boolean(),
  note: short,
});

const StepSchema = v.object({
  /** The user turn this step answered; null: the conversation's own last user turn. */
  user: v.nullable(text),
  replies: v.pipe(v.array(ReplySchema), v.maxLength(2)),
});
export type ContinueStepView = v.InferOutput<typeof StepSchema>;

/** Host → view. */
export const ToContinueViewSchema = v.variant('type', [
  /** Everything shown: what is continued, the steps so far, and whether a step may start. */
  v.object({
    type: v.literal('state'),
    title: short,
    settings: short,
    /** The conversation's last turn, shown above the steps so the user sees where it continues. */
    lastTurn: v.object({ role: short, text }),
    steps: v.pipe(v.array(StepSchema), v.maxLength(CONTINUE_LIMITS.steps)),
    running: v.boolean(),
    /** When false, a step needs a typed user turn (the conversation ends with an assistant turn). */
    canAnswerLast: v.boolean(),
  }),
  /** A column's reply is being generated: this is its next token. */
  v.object({ type: v.literal('token'), column: ColumnSchema, text: v.pipe(v.string(), v.maxLength(CONTINUE_LIMITS.token)) }),
  /** Progress or a problem to show in the status line. */
  v.object({ type: v.literal('status'), text: short, error: v.boolean() }),
]);
export type ToContinueViewMessage = v.InferOutput<typeof ToContinueViewSchema>;

/** View → host. */
export const FromContinueViewSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  /** Generate the next reply in both columns, after `user` (null: answer the conversation's last user turn). */
  v.object({ type: v.literal('continue'), user: v.nullable(v.pipe(v.string(), v.maxLength(CONTINUE_LIMITS.userText))) }),
  v.object({ type: v.literal('cancel') }),
  /** Open the continued conversation as a new untitled transcript. */
  v.object({ type: v.literal('openTranscript') }),
]);
export type FromContinueViewMessage = v.InferOutput<typeof FromContinueViewSchema>;

export function parseFromContinueView(data: unknown): { ok: true; message: FromContinueViewMessage } | { ok: false; reason: string } {
  const r = v.safeParse(FromContinueViewSchema, data);
  return r.success ? { ok: true, message: r.output } : { ok: false, reason: v.summarize(r.issues).slice(0, 300) };
}

export function parseToContinueView(data: unknown): ToContinueViewMessage | null {
  const r = v.safeParse(ToContinueViewSchema, data);
  return r.success ? r.output : null;
}
