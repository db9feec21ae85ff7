/**
 * Messages between the extension host and the prompt view (src/extension/promptStudio.ts), the
 * webview that shows a prompt's stress test or a comparison of two prompts. Both sides parse what
 * they receive through these schemas. No DOM and no vscode here; the host imports only this file.
 */
import * as v from 'valibot';

const finite = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const short = v.pipe(v.string(), v.maxLength(400));

/** Bounds that keep one message small; the host never sends more. */
export const PROMPT_LIMITS = {
  lines: 2000,
  replies: 200,
  rows: 1000,
  replyText: 100_000,
  promptLabel: 400,
} as const;

const ProbePointSchema = v.object({
  x: count,
  y: finite,
  zone: v.nullable(v.picklist(['assistant', 'drifting', 'role'])),
  outOfDomain: v.boolean(),
  preview: short,
});

const ProbeLineSchema = v.object({
  probe: short,
  title: short,
  prompt: v.nullable(v.picklist(['A', 'B'])),
  points: v.pipe(v.array(ProbePointSchema), v.maxLength(PROMPT_LIMITS.replies)),
});

const cells = v.pipe(v.array(short), v.maxLength(PROMPT_LIMITS.replies));

const ProbeRowSchema = v.object({
  probe: short,
  category: short,
  title: short,
  leaves: cells,
  slopes: cells,
  differences: v.optional(cells),
  parts: v.optional(short),
});

/** What the view draws of one result (src/core/report/probePlot.ts ProbeView). */
export const ProbeViewSchema = v.object({
  kind: v.picklist(['stress', 'compare']),
  lines: v.pipe(v.array(ProbeLineSchema), v.maxLength(PROMPT_LIMITS.lines)),
  rows: v.pipe(v.array(ProbeRowSchema), v.maxLength(PROMPT_LIMITS.rows)),
  summary: v.pipe(v.array(v.tuple([short, short])), v.maxLength(50)),
  worst: v.pipe(
    v.array(v.object({ prompt: v.nullable(v.picklist(['A', 'B'])), label: short, text: v.pipe(v.string(), v.maxLength(PROMPT_LIMITS.replyText)) })),
    v.maxLength(2),
  ),
  maxReply: count,
});

/** Host → view. */
export const ToPromptViewSchema = v.variant('type', [
  /** A run started or advanced: what it is and how far it is. */
  v.object({ type: v.literal('progress'), title: short, text: short }),
  /** A finished result; `prompts` names the prompt(s) (file and position), A then B in a comparison. */
  v.object({ type: v.literal('result'), title: short, prompts: v.pipe(v.array(short), v.maxLength(2)), settings: short, view: ProbeViewSchema }),
  /** A run failed or was cancelled; the last result (if any) stays shown. */
  v.object({ type: v.literal('error'), text: short }),
  /** Re-read the theme's colours. */
  v.object({ type: v.literal('themeChanged') }),
]);
export type ToPromptViewMessage = v.InferOutput<typeof ToPromptViewSchema>;
export type ProbeViewData = v.InferOutput<typeof ProbeViewSchema>;

/** View → host. */
export const FromPromptViewSchema = v.variant('type', [
  /** The page is up: send the current state. */
  v.object({ type: v.literal('ready') }),
  /** Save the shown result as JSON or CSV (src/core/report/stressExport.ts). */
  v.object({ type: v.literal('export'), format: v.picklist(['json', 'csv']) }),
]);
export type FromPromptViewMessage = v.InferOutput<typeof FromPromptViewSchema>;

/** The view's message, or the reason it is refused. */
export function parseFromPromptView(data: unknown): { ok: true; message: FromPromptViewMessage } | { ok: false; reason: string } {
  const r = v.safeParse(FromPromptViewSchema, data);
  return r.success ? { ok: true, message: r.output } : { ok: false, reason: v.summarize(r.issues) };
}

/** The host's message, or null when it does not fit (dropped by the view). */
export function parseToPromptView(data: unknown): ToPromptViewMessage | null {
  const r = v.safeParse(ToPromptViewSchema, data);
  return r.success ? r.output : null;
}
