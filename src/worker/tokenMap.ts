/**
 * Token-to-message mapping: which positions of the chat-template-rendered token sequence hold
 * which message's content, and which are template markup (excluded from every mean).
 *
 * Where each message's content sits in the rendered string is found by rendering the conversation
 * a second time with a unique placeholder as every message's content: the placeholders split that
 * "skeleton" into the template's markup pieces, and each content is then matched exactly after its
 * markup piece (whitespace the template trims allowed on either side). So a reply that is exactly
 * "assistant" is found where the template put it, never in the role header before it. A template
 * that changes the markup with the content (Qwen3 moves a `</think>` reasoning block) falls back,
 * for that message, to searching the content from the end of the previous one.
 *
 * Message text is text: chat markup such as `<|im_start|>system` inside a message must not become
 * special tokens (the model would see a fake turn). When a message holds such text, the rendered
 * string is encoded with a second tokenizer in which each special token answers to a private marker
 * instead of its text, and only the template's markup is marked, so markup tokenizes as before and
 * message text as plain text (Python tokenizers call this `split_special_tokens`; transformers.js
 * v4 has no such option). Without such text the model's own tokenizer encodes the rendered string
 * unchanged. Added tokens that are not special (Qwen3's `<think>`) keep their usual meaning.
 *
 * transformers.js v4 tokenizers return no offsets, so token boundaries are method C of
 * docs/engine-notes.md section 6: for each content boundary p tokenize text[0, p); when those ids
 * are a prefix of the full ids, their count is the token index of p. Otherwise p is moved back over
 * whitespace (SentencePiece merges " word" into one token) and, failing that, the longest common
 * prefix is used, so a token that straddles a boundary counts as content at the start and as markup
 * at the end.
 */
import { randomBytes } from 'node:crypto';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { EngineError } from '../protocol/errors';

/** One chat message as the template sees it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** An encoder for text in which the template's special tokens were replaced by markers (see ChatTokenizer.textSafe). */
export interface MarkedEncoder {
  /** The text with every special token replaced by its marker: apply to template markup only. */
  mark(markup: string): string;
  /** Token ids of marked text: markers become their special tokens; special-token text is encoded as text. */
  encode(marked: string): number[];
  /** Whether text spells a marker (it cannot know the random nonce; checked all the same). */
  holdsMarker(text: string): boolean;
}

/** The tokenizer operations the mapping needs (chatTokenizerFrom adapts a transformers.js tokenizer). */
export interface ChatTokenizer {
  /** Render the conversation with the model's chat template (no tokenization). */
  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string;
  /** Token ids of text without added special tokens; special-token text becomes special tokens. */
  encode(text: string): number[];
  /** Text of ids, special tokens kept. */
  decode(ids: readonly number[]): string;
  /** Whether text holds the text of a special token (e.g. "<|im_start|>"). */
  hasSpecialText(text: string): boolean;
  /** Ids of the special tokens. */
  readonly specialIds: ReadonlySet<number>;
  /** The marker encoder, built on first use (a second tokenizer costs about a second and 50 MB for Qwen3's). */
  textSafe(): MarkedEncoder;
}

/** Where one message's content sits in the rendered text and in the token sequence. */
export interface MessageTokenSpan {
  /** Index of the message in the conversation. */
  readonly turn: number;
  /** Content token range [tokenStart, tokenEnd) in the full ids; empty when the content was not found. */
  readonly tokenStart: number;
  readonly tokenEnd: number;
  /** UTF-16 offset in the message's own content where the rendered content begins (templates may trim). */
  readonly contentStart: number;
  /** Whether the message content was found in the rendered text (a template may rewrite or drop it). */
  readonly found: boolean;
}

/** One content token: its message and its [start, end) UTF-16 offsets within that message's content. */
export interface TokenPlace {
  readonly turn: number;
  readonly start: number;
  readonly end: number;
}

/** The rendered conversation with its tokens mapped to messages. */
export interface TokenMap {
  readonly rendered: string;
  readonly ids: number[];
  readonly spans: MessageTokenSpan[];
  /** Per content token, in sequence order (markup tokens are absent). */
  readonly places: TokenPlace[];
  /** Index into ids of each entry of places. */
  readonly positions: Int32Array;
}

/** The part of a transformers.js tokenizer the adapter uses. */
interface RawTokenizer {
  apply_chat_template(c: { role: string; content: string }[], o: { tokenize: false; add_generation_prompt: boolean }): unknown;
  encode(t: string, o: { add_special_tokens: boolean }): number[];
  decode(ids: number[], o: { skip_special_tokens: boolean }): string;
  readonly all_special_ids?: readonly number[];
  readonly all_special_tokens?: readonly string[];
  readonly _tokenizerJSON?: unknown;
  readonly _tokenizerConfig?: unknown;
}

/** Adapter from a transformers.js tokenizer to ChatTokenizer. */
export function chatTokenizerFrom(tok: RawTokenizer): ChatTokenizer {
  // Longest first: the alternation then matches like the tokenizer's splitter (leftmost, longest).
  const specials = [...new Set(tok.all_special_tokens ?? [])].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const source = specials.map(escapeRegExp).join('|');
  const specialPattern = specials.length > 0 ? new RegExp(source, 'g') : null;
  const specialTest = specials.length > 0 ? new RegExp(source) : null;
  let safe: MarkedEncoder | null = null;
  return {
    render: (messages, addGenerationPrompt) => {
      let s: unknown;
      try {
        s = tok.apply_chat_template(
          messages.map((m) => ({ role: m.role, content: m.content })),
          { tokenize: false, add_generation_prompt: addGenerationPrompt },
        );
      } catch (e) {
        // Templates raise for conversations they do not take (roles that do not alternate, a system
        // message the model has no place for): the conversation's problem, not the engine's.
        throw new EngineError('bad-request', `the model's chat template refused this conversation: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (typeof s !== 'string') throw new EngineError('bad-request', 'the chat template did not render to a string');
      return s;
    },
    encode: (t) => tok.encode(t, { add_special_tokens: false }),
    decode: (ids) => tok.decode([...ids], { skip_special_tokens: false }),
    hasSpecialText: (t) => specialTest !== null && specialTest.test(t),
    specialIds: new Set(tok.all_special_ids ?? []),
    textSafe: () => (safe ??= markedEncoder(tok, specialPattern)),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A second tokenizer from the same tokenizer.json in which each special added token's text is a
 * private-use marker with a random nonce (so no transcript can spell it): markers split and map to
 * the special ids exactly where the special text would, and the special text itself is plain text.
 */
function markedEncoder(tok: RawTokenizer, specialPattern: RegExp | null): MarkedEncoder {
  const json = tok._tokenizerJSON as { added_tokens?: { id: number; content: string; special?: boolean }[] } | undefined;
  if (!json || !Array.isArray(json.added_tokens) || tok._tokenizerConfig === undefined) {
    throw new Error('the tokenizer does not expose its tokenizer.json; message text with special-token markup cannot be encoded as text');
  }
  const nonce = randomBytes(6).toString('hex');
  const markerOf = new Map<string, string>();
  const added = json.added_tokens.map((t) => {
    if (!t.special) return t;
    const marker = `\uE000${nonce}:${t.id}\uE001`;
    markerOf.set(t.content, marker);
    return { ...t, content: marker };
  });
  const marked = new PreTrainedTokenizer({ ...json, added_tokens: added }, tok._tokenizerConfig);
  return {
    mark: (markup) => (specialPattern ? markup.replace(specialPattern, (s) => markerOf.get(s) ?? s) : markup),
    encode: (text) => marked.encode(text, { add_special_tokens: false }),
    holdsMarker: (text) => text.includes(`\uE000${nonce}`),
  };
}

/**
 * Per-message character offsets of the previous mapping, keyed by message content and its token ids;
 * reused when the next request repeats a message unchanged (re-scoring after an edit of the last turn).
 */
export type TokenMapMemo = Map<string, Int32Array>;

/** Where a message's trimmed content lies in the rendered string; null when it was not found. */
type Region = { readonly start: number; readonly end: number } | null;

/** Render and tokenize a conversation and map every content token to its message. */
export function mapTokens(tok: ChatTokenizer, messages: readonly ChatMessage[], addGenerationPrompt: boolean, memo?: TokenMapMemo): TokenMap {
  const rendered = tok.render(messages, addGenerationPrompt);
  const regions = locateContents(tok, messages, rendered, addGenerationPrompt);
  if (!messages.some((m) => tok.hasSpecialText(m.content))) {
    const map = mapRegions(tok, (t) => tok.encode(t), messages, rendered, rendered, regions, memo);
    // A special token can still form across a content edge (content ending in "<|im_" before markup); then encode as text.
    if (!map.spans.some((s) => map.ids.slice(s.tokenStart, s.tokenEnd).some((id) => tok.specialIds.has(id)))) return map;
  }
  // Message text holds special-token text: mark the template's markup only, and encode with the marker tokenizer.
  const safe = tok.textSafe();
  if (messages.some((m) => safe.holdsMarker(m.content))) throw new Error('a message spells the tokenizer\'s private marker');
  let marked = '';
  let from = 0;
  const markedRegions = regions.map((r) => {
    if (!r) return null;
    marked += safe.mark(rendered.slice(from, r.start));
    const start = marked.length;
    marked += rendered.slice(r.start, r.end);
    from = r.end;
    return { start, end: marked.length };
  });
  marked += safe.mark(rendered.slice(from));
  return mapRegions(tok, (t) => safe.encode(t), messages, rendered, marked, markedRegions, memo);
}

/**
 * Token spans and per-token places of each message, from its content region in `text` (the rendered
 * string, or its marked form) encoded by `encode`.
 */
function mapRegions(
  tok: ChatTokenizer,
  encode: (text: string) => number[],
  messages: readonly ChatMessage[],
  rendered: string,
  text: string,
  regions: readonly Region[],
  memo: TokenMapMemo | undefined,
): TokenMap {
  const ids = encode(text);
  // Last offset known to sit exactly on a token boundary: boundaries after it tokenize only the text between.
  const anchor = { char: 0, token: 0 };
  const tokenIndexAt = (p: number): number => boundaryToken(encode, text, ids, p, anchor);
  const spans: MessageTokenSpan[] = [];
  const places: TokenPlace[] = [];
  const positions: number[] = [];
  const used = new Map<string, Int32Array>();
  let lastToken = 0;
  messages.forEach((m, turn) => {
    const lead = m.content.length - m.content.trimStart().length;
    const trimmed = m.content.trim();
    const r = regions[turn];
    if (!r || trimmed.length === 0) {
      spans.push({ turn, tokenStart: lastToken, tokenEnd: lastToken, contentStart: lead, found: trimmed.length === 0 });
      return;
    }
    const tokenStart = Math.max(tokenIndexAt(r.start), lastToken);
    const tokenEnd = Math.max(tokenIndexAt(r.end), tokenStart);
    lastToken = tokenEnd;
    spans.push({ turn, tokenStart, tokenEnd, contentStart: lead, found: true });
    const key = `${trimmed}\u0000${ids.slice(tokenStart, tokenEnd).join(',')}`;
    const ends = memo?.get(key) ?? tokenCharEnds(tok, ids, tokenStart, tokenEnd, trimmed.length);
    used.set(key, ends);
    let prev = 0;
    for (let t = tokenStart; t < tokenEnd; t++) {
      const end = ends[t - tokenStart] as number;
      places.push({ turn, start: lead + prev, end: lead + end });
      positions.push(t);
      prev = end;
    }
  });
  if (memo) {
    memo.clear();
    for (const [k, v] of used) memo.set(k, v);
  }
  return { rendered, ids, spans, places, positions: Int32Array.from(positions) };
}

/**
 * The region of each message's trimmed content in `rendered` (see the module comment): matched
 * after the template's markup piece from the placeholder skeleton, else searched from the end of
 * the previous message.
 */
function locateContents(tok: ChatTokenizer, messages: readonly ChatMessage[], rendered: string, addGenerationPrompt: boolean): Region[] {
  const markup = skeletonMarkup(tok, messages, addGenerationPrompt);
  const regions: Region[] = [];
  let pos = 0;
  messages.forEach((m, i) => {
    const trimmed = m.content.trim();
    const piece = markup?.[i];
    const at = piece === undefined ? null : matchAfterMarkup(rendered, pos, piece, trimmed);
    if (at !== null) {
      regions.push({ start: at, end: at + trimmed.length });
      pos = at + trimmed.length;
      return;
    }
    const found = trimmed.length > 0 ? rendered.indexOf(trimmed, pos) : -1;
    if (found < 0) {
      regions.push(null);
      return;
    }
    regions.push({ start: found, end: found + trimmed.length });
    pos = found + trimmed.length;
  });
  return regions;
}

/**
 * The template's markup before each message (and after the last one), from a rendering with a
 * unique placeholder as every content; null when the template fails on it or drops a placeholder.
 */
function skeletonMarkup(tok: ChatTokenizer, messages: readonly ChatMessage[], addGenerationPrompt: boolean): string[] | null {
  // Private-use characters no template changes; a nonce only when a message already holds the base.
  const base = messages.some((m) => m.content.includes('\uE000pl')) ? `\uE000pl${randomBytes(6).toString('hex')}` : '\uE000pl';
  const tag = (i: number): string => `${base}${i}\uE001`;
  let skeleton: string;
  try {
    skeleton = tok.render(messages.map((m, i) => ({ role: m.role, content: tag(i) })), addGenerationPrompt);
  } catch {
    return null;
  }
  const pieces: string[] = [];
  let from = 0;
  for (let i = 0; i < messages.length; i++) {
    const at = skeleton.indexOf(tag(i), from);
    if (at < 0 || skeleton.indexOf(tag(i), at + 1) >= 0) return null;
    pieces.push(skeleton.slice(from, at));
    from = at + tag(i).length;
  }
  return pieces;
}

/**
 * Offset of `content` in `rendered` when `markup` starts at `pos` (after whitespace a template may
 * keep from the previous content) and `content` follows it (after whitespace it may keep from this
 * one); null when they do not.
 */
function matchAfterMarkup(rendered: string, pos: number, markup: string, content: string): number | null {
  for (let q = pos; ; q++) {
    if (rendered.startsWith(markup, q)) {
      const r = q + markup.length;
      for (let v = r; ; v++) {
        if (rendered.startsWith(content, v)) return v;
        if (v >= rendered.length || !/\s/.test(rendered[v] as string)) break;
      }
    }
    if (q >= rendered.length || !/\s/.test(rendered[q] as string)) return null;
  }
}

function boundaryToken(encode: (text: string) => number[], rendered: string, ids: number[], p: number, anchor: { char: number; token: number }): number {
  // Fast path: the text since the anchor tokenizes to exactly the full ids that follow the anchor, so
  // those tokens cover [anchor, p) and p is a boundary. (SentencePiece prefixes a piece with a space
  // marker, so it never matches there and takes the exact path below.)
  if (anchor.char <= p) {
    const w = encode(rendered.slice(anchor.char, p));
    if (matchesAt(ids, anchor.token, w)) {
      anchor.char = p;
      anchor.token += w.length;
      return anchor.token;
    }
  }
  let q = p;
  let best = 0;
  for (;;) {
    const pre = encode(rendered.slice(0, q));
    const common = commonPrefix(pre, ids);
    if (common === pre.length) {
      anchor.char = q;
      anchor.token = common;
      return common;
    }
    best = Math.max(best, common);
    // A boundary inside a merged " word" token: step back over the whitespace that joins them.
    if (q > 0 && /\s/.test(rendered[q - 1] as string)) q--;
    else break;
  }
  // The token at `best` straddles p: it counts as content at a start, as markup at an end.
  return best;
}

function matchesAt(ids: readonly number[], at: number, w: readonly number[]): boolean {
  if (at + w.length > ids.length) return false;
  for (let i = 0; i < w.length; i++) if (ids[at + i] !== w[i]) return false;
  return true;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * End offset of each token of ids[start, end) within the decoded content, as a running sum of each
 * token's decoded width in a short left context (decoders such as SentencePiece strip a leading
 * space only at the start of a decode, so widths are measured as differences of two decodes with the
 * same start). Clamped to [0, contentLength] and made non-decreasing; a character split across
 * tokens (byte-level BPE) is credited to the token that completes it.
 */
function tokenCharEnds(tok: ChatTokenizer, ids: readonly number[], start: number, end: number, contentLength: number): Int32Array {
  const out = new Int32Array(end - start);
  let acc = 0;
  for (let t = start; t < end; t++) {
    const from = Math.max(start, t - 4);
    const withT = tok.decode(ids.slice(from, t + 1));
    const without = t > from ? tok.decode(ids.slice(from, t)) : '';
    // Incomplete UTF-8 decodes to U+FFFD: defer it to the token that completes the character.
    const width = withT.endsWith('\uFFFD') ? 0 : withT.length - (without.length - trailingReplacements(without));
    acc = Math.min(contentLength, acc + Math.max(width, 0));
    out[t - start] = acc;
  }
  if (end > start) out[end - start - 1] = contentLength;
  return out;
}

function trailingReplacements(s: string): number {
  let k = 0;
  while (k < s.length && s[s.length - 1 - k] === '\uFFFD') k++;
  return k;
}
