/**
 * Token-to-message mapping: which positions of the chat-template-rendered token sequence hold
 * which message's content, and which are template markup (excluded from every mean).
 *
 * transformers.js v4 tokenizers return no offsets, and rendering message prefixes is not general
 * (Qwen3 renders the last assistant turn with an extra think block), so this is method C of
 * docs/engine-notes.md section 6: find each message's content in the rendered string, and for each
 * content boundary p tokenize rendered[0, p); when those ids are a prefix of the full ids, their
 * count is the token index of p. Otherwise p is moved back over whitespace (SentencePiece merges
 * " word" into one token) and, failing that, the longest common prefix is used, so a token that
 * straddles a boundary counts as content at the start and as markup at the end.
 */

/** One chat message as the template sees it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** The three tokenizer operations the mapping needs (a transformers.js PreTrainedTokenizer has them). */
export interface ChatTokenizer {
  /** Render the conversation with the model's chat template (no tokenization). */
  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string;
  /** Token ids of text without added special tokens (template markup is already text). */
  encode(text: string): number[];
  /** Text of ids, special tokens kept. */
  decode(ids: readonly number[]): string;
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

/** Adapter from a transformers.js tokenizer to ChatTokenizer. */
export function chatTokenizerFrom(tok: {
  apply_chat_template(c: { role: string; content: string }[], o: { tokenize: false; add_generation_prompt: boolean }): unknown;
  encode(t: string, o: { add_special_tokens: boolean }): number[];
  decode(ids: number[], o: { skip_special_tokens: boolean }): string;
}): ChatTokenizer {
  return {
    render: (messages, addGenerationPrompt) => {
      const s = tok.apply_chat_template(
        messages.map((m) => ({ role: m.role, content: m.content })),
        { tokenize: false, add_generation_prompt: addGenerationPrompt },
      );
      if (typeof s !== 'string') throw new TypeError('chat template did not render to a string');
      return s;
    },
    encode: (t) => tok.encode(t, { add_special_tokens: false }),
    decode: (ids) => tok.decode([...ids], { skip_special_tokens: false }),
  };
}

/**
 * Per-message character offsets of the previous mapping, keyed by message content and its token ids;
 * reused when the next request repeats a message unchanged (re-scoring after an edit of the last turn).
 */
export type TokenMapMemo = Map<string, Int32Array>;

/** Render and tokenize a conversation and map every content token to its message (method C). */
export function mapTokens(tok: ChatTokenizer, messages: readonly ChatMessage[], addGenerationPrompt: boolean, memo?: TokenMapMemo): TokenMap {
  const rendered = tok.render(messages, addGenerationPrompt);
  const ids = tok.encode(rendered);
  // Last offset known to sit exactly on a token boundary: boundaries after it tokenize only the text between.
  const anchor = { char: 0, token: 0 };
  const tokenIndexAt = (p: number): number => boundaryToken(tok, rendered, ids, p, anchor);
  const spans: MessageTokenSpan[] = [];
  const places: TokenPlace[] = [];
  const positions: number[] = [];
  const used = new Map<string, Int32Array>();
  let cursor = 0;
  let lastToken = 0;
  messages.forEach((m, turn) => {
    const lead = m.content.length - m.content.trimStart().length;
    const trimmed = m.content.trim();
    const at = trimmed.length > 0 ? rendered.indexOf(trimmed, cursor) : -1;
    if (at < 0) {
      spans.push({ turn, tokenStart: lastToken, tokenEnd: lastToken, contentStart: lead, found: trimmed.length === 0 });
      return;
    }
    cursor = at + trimmed.length;
    const tokenStart = Math.max(tokenIndexAt(at), lastToken);
    const tokenEnd = Math.max(tokenIndexAt(cursor), tokenStart);
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

function boundaryToken(tok: ChatTokenizer, rendered: string, ids: number[], p: number, anchor: { char: number; token: number }): number {
  // Fast path: the text since the anchor tokenizes to exactly the full ids that follow the anchor, so
  // those tokens cover [anchor, p) and p is a boundary. (SentencePiece prefixes a piece with a space
  // marker, so it never matches there and takes the exact path below.)
  if (anchor.char <= p) {
    const w = tok.encode(rendered.slice(anchor.char, p));
    if (matchesAt(ids, anchor.token, w)) {
      anchor.char = p;
      anchor.token += w.length;
      return anchor.token;
    }
  }
  let q = p;
  let best = 0;
  for (;;) {
    const pre = tok.encode(rendered.slice(0, q));
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
