/**
 * A generated reply's text as its tokens arrive, and each token's share of it. A token that ends inside
 * a UTF-8 sequence decodes to U+FFFD: it gets no text, and the token that completes the character gets
 * the whole character, so the pieces always join to the text decoded so far.
 */
export class ReplyText {
  text = '';
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly pieces: string[] = [];

  /** Takes the decode of every generated token so far; returns the newest token's piece and offsets. */
  push(decoded: string): { readonly text: string; readonly start: number; readonly end: number } {
    const end = decoded.endsWith('\uFFFD') ? this.text.length : decoded.length;
    const start = Math.min(this.text.length, end);
    const piece = decoded.slice(start, end);
    this.text = decoded.slice(0, end);
    this.starts.push(start);
    this.ends.push(end);
    this.pieces.push(piece);
    return { text: piece, start, end };
  }
}
