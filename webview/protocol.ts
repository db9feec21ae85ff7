/**
 * Messages between the extension host and the drift panel. Both sides parse what they
 * receive through these schemas: the panel's messages are untrusted input for the host.
 * No DOM and no vscode here; the host imports only this file from webview/.
 */
import * as v from 'valibot';

const finite = v.pipe(v.number(), v.finite());
const index = v.pipe(v.number(), v.integer(), v.minValue(0));

/** One assistant turn as the plot shows it. */
export const PlotTurnSchema = v.object({
  turn: index,
  value: finite,
  delta: v.nullable(finite),
  belowFloor: v.boolean(),
  /** First words of the turn, for tooltips (plain text, never HTML). */
  preview: v.pipe(v.string(), v.maxLength(200)),
});

export const PlotConversationSchema = v.object({
  conversation: index,
  label: v.pipe(v.string(), v.maxLength(200)),
  turns: v.array(PlotTurnSchema),
});

/** host -> panel: the full data set for the active transcript; sent on create, restore, when the panel becomes visible and after each analysis. */
export const DataMessageSchema = v.object({
  type: v.literal('data'),
  uri: v.string(),
  fileName: v.string(),
  model: v.string(),
  axis: v.string(),
  monitorLayer: v.pipe(v.number(), v.integer()),
  tau: v.nullable(finite),
  conversations: v.array(PlotConversationSchema),
});

/** host -> panel: nothing to plot (no transcript, or not analysed yet), with the reason. */
export const EmptyMessageSchema = v.object({ type: v.literal('empty'), reason: v.pipe(v.string(), v.maxLength(500)) });

/** host -> panel: the colour theme changed; re-read the --vscode-* CSS variables. */
export const ThemeMessageSchema = v.object({ type: v.literal('themeChanged') });

/** host -> panel: highlight one turn's point (from a hover or CodeLens link). */
export const SelectTurnSchema = v.object({ type: v.literal('selectTurn'), conversation: index, turn: index });

export const ToPanelSchema = v.variant('type', [DataMessageSchema, EmptyMessageSchema, ThemeMessageSchema, SelectTurnSchema]);
export type ToPanelMessage = v.InferOutput<typeof ToPanelSchema>;
export type DataMessage = v.InferOutput<typeof DataMessageSchema>;
export type PlotConversation = v.InferOutput<typeof PlotConversationSchema>;
export type PlotTurn = v.InferOutput<typeof PlotTurnSchema>;

/** panel -> host: the page has loaded and wants data. */
export const ReadySchema = v.object({ type: v.literal('ready') });
/** panel -> host: the user clicked a point; reveal and select that turn in the editor. */
export const RevealTurnSchema = v.object({
  type: v.literal('revealTurn'),
  uri: v.string(),
  conversation: index,
  turn: index,
});

export const FromPanelSchema = v.variant('type', [ReadySchema, RevealTurnSchema]);
export type FromPanelMessage = v.InferOutput<typeof FromPanelSchema>;

/** Parses a message from the panel; returns null (and the reason) when it is malformed. */
export function parseFromPanel(data: unknown): { ok: true; message: FromPanelMessage } | { ok: false; reason: string } {
  const r = v.safeParse(FromPanelSchema, data);
  return r.success ? { ok: true, message: r.output } : { ok: false, reason: v.summarize(r.issues) };
}

/** Parses a message from the host; returns null when it is malformed. */
export function parseToPanel(data: unknown): ToPanelMessage | null {
  const r = v.safeParse(ToPanelSchema, data);
  return r.success ? r.output : null;
}
