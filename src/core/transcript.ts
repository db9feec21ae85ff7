/**
 * The transcript model shared by every layer: what a parser finds in a file.
 * Offsets are UTF-16 code-unit offsets into the original file text (what VS Code's
 * `document.positionAt` and JavaScript string indices use), half-open [start, end).
 *
 * Range convention (see docs/formats.md):
 * - JSON formats: a turn's range is the span of its content string WITHOUT the quotes, and
 *   `text` is the unescaped value, so `JSON.parse('"' + slice + '"') === text` (encoding "json-string").
 * - Markdown and Prompty: the range is the section body with leading and trailing whitespace
 *   trimmed, and `text === slice` (encoding "verbatim").
 * - Content given as a list of parts (OpenAI parts, Anthropic blocks, Inspect content): one turn
 *   per message with encoding "parts"; `text` is the parts' texts joined by PART_SEPARATOR, the
 *   range covers the first to the last part, and every part carries its own range and encoding.
 * - Non-text parts (images, audio, documents, reasoning) become placeholder parts whose text is
 *   "[type]" and whose range is the whole block; each is also reported as an info diagnostic.
 * - An assistant message that calls tools is one assistant turn (the model wrote it): each call is a
 *   part with encoding "toolCall" whose text is the call rendered as the engine sees it
 *   (`{"name":...,"arguments":...}`) and whose range is the call in the source. Tool results are
 *   turns of their own with role "tool" and kind "toolResult".
 */

/** A half-open span [start, end) of UTF-16 code units in the original text. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** Conversation roles after normalisation ("human" -> user, "gpt" -> assistant, ...). */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

/**
 * What a turn stands for; absent means "message". "toolCall": an assistant turn that only calls
 * tools (no prose); "toolResult": a tool's output (role "tool").
 */
export type TurnKind = 'message' | 'toolCall' | 'toolResult';

/**
 * How `text` relates to the source slice `s = original.slice(range.start, range.end)`:
 * "verbatim": text === s; "json-string": text === JSON.parse('"' + s + '"');
 * "parts": text === parts.map((p) => p.text).join(PART_SEPARATOR); YAML encodings: see YamlEncoding.
 */
export type TurnEncoding = 'verbatim' | 'json-string' | 'parts' | YamlEncoding;

/**
 * Text held in YAML (VCR cassettes). "yaml": the slice is a YAML scalar and `text` its value.
 * "yaml-single-json" / "yaml-double-json": the slice lies inside a single- / double-quoted YAML
 * scalar holding JSON (a recorded HTTP body) and `text === JSON.parse('"' + unquote(slice) + '"')`,
 * where unquote undoes that quoting (`unquoteYaml` in formats/yamlText.ts).
 */
export type YamlEncoding = 'yaml' | 'yaml-single-json' | 'yaml-double-json';

/**
 * Like TurnEncoding for one part. "placeholder": text is "[type]" standing for a non-text block at
 * range. "toolCall": text is the tool call at range rendered as `{"name":...,"arguments":...}` (see
 * `renderToolCall`), since the engine's chat messages carry text only.
 */
export type PartEncoding = 'verbatim' | 'json-string' | 'placeholder' | 'toolCall' | YamlEncoding;

/** Separator between the parts of a multi-part turn's `text`. */
export const PART_SEPARATOR = '\n';

/** One piece of a multi-part message: a text part, or a placeholder for a non-text block. */
export interface TurnPart {
  readonly text: string;
  readonly range: TextRange;
  readonly encoding: PartEncoding;
  /** For placeholders: the block type as written in the file ("image", "image_url", "input_audio", ...). */
  readonly placeholderType?: string;
  /** For tool calls: the function's name and the call's id. */
  readonly name?: string;
  readonly toolCallId?: string;
}

/** How a tool call is written into an assistant turn's text: one JSON object, as most chat templates render calls. */
export function renderToolCall(name: string | undefined, args: unknown): string {
  return JSON.stringify({ name: name ?? '', arguments: args ?? {} });
}

/** One message of a conversation. */
export interface Turn {
  readonly role: Role;
  /** The message text after the format's unescaping (JSON string escapes, etc.). */
  readonly text: string;
  /** Where the turn's content sits in the original text (for JSON: the content string's span, quotes excluded). */
  readonly range: TextRange;
  /** How `text` maps to `range`; absent means "verbatim". */
  readonly encoding?: TurnEncoding;
  /** Present when encoding is "parts". */
  readonly parts?: readonly TurnPart[];
  /** Absent means "message". */
  readonly kind?: TurnKind;
  /** The role label as written in the file ("human", "gpt", "developer", "## AI", ...). */
  readonly rawRole?: string;
  /** Speaker or tool name (OpenAI "name", tool call function name, Inspect "function"). */
  readonly name?: string;
  /** Tool call id: on a tool result, the call it answers (the calls themselves are parts of the assistant turn). */
  readonly toolCallId?: string;
  /** The paper's recorded projection for this turn, when the file's projections align with turns one to one. */
  readonly recordedProjection?: number;
}

/** One conversation; JSONL and eval logs hold many per file. */
export interface Conversation {
  readonly turns: readonly Turn[];
  /**
   * A system prompt given outside the turn list (Anthropic's top-level "system", the paper's
   * "system_prompt", ShareGPT's "system"). System messages inside the list stay turns with role "system".
   */
  readonly system?: Turn;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The span of the whole record (JSONL line, array element, file). */
  readonly range?: TextRange;
  /** Short human label when a file holds several: "line 3", "record 2", "sample 7 (epoch 1)". */
  readonly label?: string;
  /**
   * For chat exports that keep edits and regenerations as a tree (ChatGPT, Open WebUI): true for a
   * branch the app does not show; the shown branch comes first and has no flag.
   */
  readonly branch?: boolean;
  /** Per-turn Assistant-Axis projections recorded in the file (the paper's "projections"), as written. */
  readonly recordedProjections?: readonly number[];
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem with a place in the text. */
export interface TranscriptDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: TextRange;
  /** Stable machine-readable code, e.g. "json-syntax", "unknown-role", "empty-turn". */
  readonly code: string;
}

/** What `parse` returns for one file. */
export interface ParseResult {
  /** Format id from the registry, or "unknown" when nothing matched. */
  readonly format: string;
  readonly conversations: readonly Conversation[];
  readonly diagnostics: readonly TranscriptDiagnostic[];
}

/** True when the conversation has an assistant turn, i.e. something to score. */
export function hasAssistantTurn(c: Pick<Conversation, 'turns'>): boolean {
  return c.turns.some((t) => t.role === 'assistant');
}

/** The indices of the conversation's assistant turns, in order. */
export function assistantTurnIndices(c: Pick<Conversation, 'turns'>): number[] {
  return c.turns.flatMap((t, i) => (t.role === 'assistant' ? [i] : []));
}

/**
 * Why turn `index` of `c` cannot be re-run (regenerated from the conversation before it), or null
 * when it can: the one rule behind the CLI's `rerun`, the editor command and the engine. The
 * message names the turns that can be re-run, since the caller usually guessed an index.
 */
export function rerunProblem(c: Pick<Conversation, 'turns'>, index: number): string | null {
  const t = c.turns[index];
  const choices = `(assistant turns: ${assistantTurnIndices(c).join(', ') || 'none'})`;
  if (!t) return `there is no turn ${index}; the conversation has turns 0-${c.turns.length - 1} ${choices}`;
  if (t.role !== 'assistant') return `turn ${index} is a ${t.role} turn; only assistant turns can be re-run ${choices}`;
  return null;
}

/**
 * The assistant turn whose range holds `offset` (UTF-16, inclusive at both ends so a cursor just
 * after the reply still names it), as conversation and turn indices; null when there is none.
 */
export function assistantTurnAt(
  conversations: readonly Pick<Conversation, 'turns'>[],
  offset: number,
): { conversation: number; turn: number } | null {
  for (let ci = 0; ci < conversations.length; ci++) {
    const turns = conversations[ci]?.turns ?? [];
    const ti = turns.findIndex((t) => t.role === 'assistant' && offset >= t.range.start && offset <= t.range.end);
    if (ti >= 0) return { conversation: ci, turn: ti };
  }
  return null;
}
