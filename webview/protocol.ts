/**
 * Messages between the extension host and the drift panel. Both sides parse what they
 * receive through these schemas: the panel's messages are untrusted input for the host.
 * No DOM and no vscode here; the host imports only this file from webview/.
 */
import * as v from 'valibot';

const finite = v.pipe(v.number(), v.finite());
const index = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A projection that may be missing: JSON turns NaN and ±Infinity into null on the way. */
const maybeValue = v.nullable(finite);

/** Limits that keep one message bounded; the host cuts to them before sending. */
export const LIMITS = {
  /** Tokens shown in one strip; longer turns show their first tokens and say how many there are. */
  stripTokens: 2000,
  /** Characters of one token's text (a token is a few characters; this only bounds bad input). */
  tokenText: 200,
  /** Decoder layers of the largest models the extension targets are under 100. */
  layers: 512,
  turnsPerConversation: 10_000,
  conversations: 10_000,
  /** Characters of one reply in the compare view. */
  replyText: 100_000,
  /** Characters of one streamed chunk. */
  chunkText: 10_000,
  /** Cells of a capping sweep: 20 floors x 3 bands, and the uncapped reply. */
  sweepCells: 61,
  /** Capped re-runs kept as points on the plot. */
  rerunPoints: 1000,
  /** A PNG data URL of the plot; a 4k canvas is a few MB. */
  pngDataUrl: 20_000_000,
} as const;

/** One token of a strip: its text and projection at the monitor layer. */
export const StripTokenSchema = v.object({
  text: v.pipe(v.string(), v.maxLength(LIMITS.tokenText)),
  value: maybeValue,
});

const tokensSchema = v.pipe(v.array(StripTokenSchema), v.maxLength(LIMITS.stripTokens));
const layerValuesSchema = v.pipe(v.array(maybeValue), v.maxLength(LIMITS.layers));

/** Where an assistant turn reads (src/core/axis/calibration.ts); null when it has no zone. */
export const ZoneSchema = v.nullable(v.picklist(['assistant', 'drifting', 'role']));

/** One assistant turn as the plot shows it. */
export const PlotTurnSchema = v.object({
  turn: index,
  value: finite,
  delta: v.nullable(finite),
  zone: ZoneSchema,
  /** The model cannot read the turn: its value is drawn greyed and never alarms. */
  outOfDomain: v.boolean(),
  /** Red mark: role zone, or a large drop when the user asked for that alarm. */
  alarm: v.boolean(),
  /** First words of the turn, for tooltips (plain text, never HTML). */
  preview: v.pipe(v.string(), v.maxLength(200)),
  /** The first LIMITS.stripTokens content tokens, for the per-token strip. */
  tokens: tokensSchema,
  /** Number of content tokens of the turn (may exceed tokens.length). */
  tokenCount: index,
  /** Mean projection at every layer (index = zero-based layer), for the layer view. */
  layerValues: layerValuesSchema,
  /** The projection recorded in the transcript file (the paper's "projections"), when it has one. */
  recorded: maybeValue,
});

export const PlotConversationSchema = v.object({
  conversation: index,
  label: v.pipe(v.string(), v.maxLength(200)),
  turns: v.pipe(v.array(PlotTurnSchema), v.maxLength(LIMITS.turnsPerConversation)),
});

/** The capping band of the loaded model's axis: zero-based layers and their floors tau. */
export const CappingSchema = v.pipe(
  v.object({
    layers: v.pipe(v.array(index), v.maxLength(LIMITS.layers)),
    /** Floor per entry of `layers`; null where the floor is off (-Infinity). */
    floors: v.pipe(v.array(maybeValue), v.maxLength(LIMITS.layers)),
  }),
  v.check((c) => c.layers.length === c.floors.length, 'capping layers and floors differ in length'),
);

/** A capped re-run of one turn, drawn as a point of its own on the drift plot. */
export const RerunPointSchema = v.object({
  conversation: index,
  turn: index,
  capped: maybeValue,
  uncapped: maybeValue,
});

const label = v.pipe(v.string(), v.maxLength(500));

/** The zone cuts the turns were read with, and their legend labels with error rates (plain text, drawn by the canvas). */
export const ZoneBandsSchema = v.object({
  assistantFrom: finite,
  roleTo: v.nullable(finite),
  assistantLabel: label,
  roleLabel: v.nullable(label),
});

/** host -> panel: the full data set for the active transcript; sent on create, restore, when the panel becomes visible and after each analysis. */
export const DataMessageSchema = v.object({
  type: v.literal('data'),
  uri: v.string(),
  fileName: v.string(),
  model: v.string(),
  axis: v.string(),
  monitorLayer: v.pipe(v.number(), v.integer()),
  /** The capping floor at the monitor layer (what capping holds turns to; not an alarm). */
  tau: v.nullable(finite),
  /** Null when the axis draws no zones; `readingNote` then says why. */
  zones: v.nullable(ZoneBandsSchema),
  /** What the reader should know about the reading: no zones, most turns out of the model's domain, an older axis. */
  readingNote: v.nullable(label),
  /** The loaded session's capping band; null until a model is loaded. */
  capping: v.nullable(CappingSchema),
  conversations: v.pipe(v.array(PlotConversationSchema), v.maxLength(LIMITS.conversations)),
  reruns: v.pipe(v.array(RerunPointSchema), v.maxLength(LIMITS.rerunPoints)),
});

/** host -> panel: nothing to plot (no transcript, or not analysed yet), with the reason. */
export const EmptyMessageSchema = v.object({
  type: v.literal('empty'),
  reason: v.pipe(v.string(), v.maxLength(500)),
});

/** host -> panel: the colour theme changed; re-read the --vscode-* CSS variables. */
export const ThemeMessageSchema = v.object({ type: v.literal('themeChanged') });

/** host -> panel: highlight one turn's point (from a hover or CodeLens link). */
export const SelectTurnSchema = v.object({ type: v.literal('selectTurn'), conversation: index, turn: index });

export const VariantSchema = v.picklist(['uncapped', 'capped', 'steered']);
export type Variant = v.InferOutput<typeof VariantSchema>;

/** The turn a re-run regenerates. */
const rerunTarget = { uri: v.string(), conversation: index, turn: index };

/** host -> panel: a re-run started; the compare view opens with the original text while the new replies stream in. */
export const RerunStartedSchema = v.object({
  type: v.literal('rerunStarted'),
  ...rerunTarget,
  originalText: v.pipe(v.string(), v.maxLength(LIMITS.replyText)),
  /** The steering strength of the steered reply, null when only the uncapped and capped replies are made. */
  steer: v.nullable(finite),
});

/** host -> panel: generation of one variant began. */
export const RerunVariantSchema = v.object({ type: v.literal('rerunVariant'), variant: VariantSchema });

/** host -> panel: newly generated text of one variant (one or more tokens). */
export const RerunTokensSchema = v.object({
  type: v.literal('rerunTokens'),
  variant: VariantSchema,
  text: v.pipe(v.string(), v.maxLength(LIMITS.chunkText)),
});

/** One reply of the compare view, scored like the editor scores a transcript. */
export const ReplySchema = v.object({
  text: v.pipe(v.string(), v.maxLength(LIMITS.replyText)),
  value: maybeValue,
  zone: ZoneSchema,
  outOfDomain: v.boolean(),
  tokens: tokensSchema,
  tokenCount: index,
  /** Generated replies only: why generation stopped and how many tokens it made. */
  stopReason: v.nullable(v.picklist(['eos', 'maxTokens'])),
  generatedTokens: v.nullable(index),
});

/** What the replies were generated with, shown so a result can be reproduced. */
export const RerunSettingsSchema = v.object({
  /** "greedy" or "temperature 0.8, top-p 0.95" (human-readable). */
  sampling: v.pipe(v.string(), v.maxLength(200)),
  seed: v.nullable(v.pipe(v.number(), v.integer())),
  maxTokens: index,
  monitorLayer: index,
  tau: maybeValue,
  capping: CappingSchema,
  percentile: finite,
  population: v.picklist(['response', 'token']),
  /** The steered reply's steering: strength, layers and what was added at each (residual units). */
  steering: v.nullable(
    v.object({
      alpha: finite,
      layers: v.pipe(v.array(index), v.maxLength(LIMITS.layers)),
      amounts: v.pipe(v.array(finite), v.maxLength(LIMITS.layers)),
    }),
  ),
});

/** A finished re-run: the original turn and the regenerated replies side by side. */
export const CompareSchema = v.object({
  ...rerunTarget,
  original: ReplySchema,
  uncapped: v.nullable(ReplySchema),
  capped: v.nullable(ReplySchema),
  steered: v.nullable(ReplySchema),
  settings: RerunSettingsSchema,
});

/** host -> panel: the re-run finished (also re-sent when the panel is restored, so the compare view survives a reload). */
export const RerunDoneSchema = v.object({ type: v.literal('rerunDone'), compare: CompareSchema });

/** host -> panel: the re-run stopped without a result. */
export const RerunEndedSchema = v.object({
  type: v.literal('rerunEnded'),
  reason: v.picklist(['cancelled', 'failed']),
  message: v.pipe(v.string(), v.maxLength(2000)),
});

export const SweepBandSchema = v.picklist(['axis', 'wide', 'all']);

/** One cell of the capping sweep's grid as the panel shows it (band and percentile null: the uncapped reply). */
export const SweepCellSchema = v.object({
  band: v.nullable(SweepBandSchema),
  percentile: v.nullable(v.pipe(finite, v.minValue(0), v.maxValue(100))),
  layers: v.pipe(v.array(index), v.maxLength(LIMITS.layers)),
  status: v.picklist(['pending', 'running', 'done']),
  /** Done cells only: taken from the cache of an earlier sweep under the same model, context and decoding. */
  cached: v.boolean(),
  /** The streamed text while running, the reply when done. */
  text: v.pipe(v.string(), v.maxLength(LIMITS.replyText)),
  value: maybeValue,
  zone: ZoneSchema,
  outOfDomain: v.boolean(),
  stopReason: v.nullable(v.picklist(['eos', 'maxTokens'])),
  /** What looks broken in the reply (chat-template markup, loops, ...), as short phrases. */
  problems: v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.maxLength(16)),
});

/** host -> panel: the whole capping sweep as it stands (sent throttled while it runs, and on reload). */
export const SweepStateSchema = v.object({
  type: v.literal('sweepState'),
  ...rerunTarget,
  phase: v.picklist(['running', 'done', 'cancelled', 'failed']),
  /** Why it failed; empty otherwise. */
  message: v.pipe(v.string(), v.maxLength(2000)),
  original: v.object({
    text: v.pipe(v.string(), v.maxLength(LIMITS.replyText)),
    /** Null until scored (or when it has no content tokens). */
    value: maybeValue,
    zone: ZoneSchema,
    outOfDomain: v.boolean(),
  }),
  population: v.picklist(['response', 'token']),
  sampling: v.pipe(v.string(), v.maxLength(200)),
  seed: v.nullable(v.pipe(v.number(), v.integer())),
  maxTokens: index,
  cells: v.pipe(v.array(SweepCellSchema), v.maxLength(LIMITS.sweepCells)),
});

export const ToPanelSchema = v.variant('type', [
  DataMessageSchema,
  EmptyMessageSchema,
  ThemeMessageSchema,
  SelectTurnSchema,
  RerunStartedSchema,
  RerunVariantSchema,
  RerunTokensSchema,
  RerunDoneSchema,
  RerunEndedSchema,
  SweepStateSchema,
]);
export type ToPanelMessage = v.InferOutput<typeof ToPanelSchema>;
export type DataMessage = v.InferOutput<typeof DataMessageSchema>;
export type PlotConversation = v.InferOutput<typeof PlotConversationSchema>;
export type PlotTurn = v.InferOutput<typeof PlotTurnSchema>;
export type ZoneBands = v.InferOutput<typeof ZoneBandsSchema>;
export type StripToken = v.InferOutput<typeof StripTokenSchema>;
export type Capping = v.InferOutput<typeof CappingSchema>;
export type RerunPoint = v.InferOutput<typeof RerunPointSchema>;
export type Reply = v.InferOutput<typeof ReplySchema>;
export type Compare = v.InferOutput<typeof CompareSchema>;
export type RerunSettingsView = v.InferOutput<typeof RerunSettingsSchema>;
export type SweepState = v.InferOutput<typeof SweepStateSchema>;
export type SweepCellView = v.InferOutput<typeof SweepCellSchema>;

/** panel -> host: the page has loaded and wants data. */
export const ReadySchema = v.object({ type: v.literal('ready') });
/** panel -> host: the user clicked a point (or pressed Enter on it); reveal and select that turn in the editor. */
export const RevealTurnSchema = v.object({ type: v.literal('revealTurn'), ...rerunTarget });
/** Steering strengths the panel may ask for, in units of the default population's spread. */
export const STEER_LIMIT = 50;
/**
 * panel -> host: re-run this assistant turn with and without capping, and steered along the axis when
 * `steer` is given (the host checks it is an analysed transcript's turn).
 */
export const RerunTurnSchema = v.object({
  type: v.literal('rerunTurn'),
  ...rerunTarget,
  steer: v.optional(v.nullable(v.pipe(finite, v.minValue(-STEER_LIMIT), v.maxValue(STEER_LIMIT))), null),
});
/** panel -> host: run the capping sweep (the floors and bands of the persona-lens.sweep.* settings) on this assistant turn. */
export const SweepTurnSchema = v.object({ type: v.literal('sweepTurn'), ...rerunTarget });
/** panel -> host: cancel the running re-run or sweep. */
export const CancelRerunSchema = v.object({ type: v.literal('cancelRerun') });
/**
 * panel -> host: copy the capped text of the last re-run, or open it in a new untitled editor.
 * The panel names no text: the host uses the result it holds.
 */
export const CappedTextSchema = v.object({
  type: v.literal('cappedText'),
  action: v.picklist(['copy', 'open']),
});
/** panel -> host: save the plot as PNG; the host asks where. Only a base64 PNG data URL is accepted. */
export const ExportPngSchema = v.object({
  type: v.literal('exportPng'),
  dataUrl: v.pipe(
    v.string(),
    v.maxLength(LIMITS.pngDataUrl),
    v.regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/),
  ),
});
/** panel -> host: save the followed transcript's values; the host builds the file from its own results. */
export const ExportValuesSchema = v.object({
  type: v.literal('exportValues'),
  format: v.picklist(['csv', 'json']),
});

export const FromPanelSchema = v.variant('type', [
  ReadySchema,
  RevealTurnSchema,
  RerunTurnSchema,
  SweepTurnSchema,
  CancelRerunSchema,
  CappedTextSchema,
  ExportPngSchema,
  ExportValuesSchema,
]);
export type FromPanelMessage = v.InferOutput<typeof FromPanelSchema>;

/** Parses a message from the panel; returns the reason when it is malformed. */
export function parseFromPanel(
  data: unknown,
): { ok: true; message: FromPanelMessage } | { ok: false; reason: string } {
  const r = v.safeParse(FromPanelSchema, data);
  return r.success ? { ok: true, message: r.output } : { ok: false, reason: v.summarize(r.issues) };
}

/** Parses a message from the host; returns null when it is malformed. */
export function parseToPanel(data: unknown): ToPanelMessage | null {
  const r = v.safeParse(ToPanelSchema, data);
  return r.success ? r.output : null;
}

/** A projection as the protocol carries it: finite, or null (JSON has no NaN or Infinity). */
export function toWireValue(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Cuts a token list to the strip limit and makes it JSON-safe. */
export function toStripTokens(
  tokens: readonly { readonly text: string; readonly value: number }[],
): StripToken[] {
  return tokens
    .slice(0, LIMITS.stripTokens)
    .map((t) => ({ text: t.text.slice(0, LIMITS.tokenText), value: toWireValue(t.value) }));
}
