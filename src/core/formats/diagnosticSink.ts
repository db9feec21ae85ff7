import type { Severity, TextRange, TranscriptDiagnostic } from '../transcript';

/** Stable diagnostic codes; the extension and CLI may key on them. */
export type DiagnosticCode =
  | 'too-large'
  | 'binary'
  | 'invalid-utf8'
  | 'unknown-format'
  | 'json-syntax'
  | 'invalid-string'
  | 'unrecognized-record'
  | 'unknown-role'
  | 'missing-role'
  | 'empty-turn'
  | 'no-assistant-turn'
  | 'no-turns'
  | 'placeholder'
  | 'front-matter'
  | 'projections-mismatch'
  | 'too-many-diagnostics'
  | 'internal-error';

/** A file with thousands of broken lines should not bury the editor in squiggles. */
const MAX_DIAGNOSTICS = 500;

/** Collects diagnostics for one file, clamping ranges into the text and capping their number. */
export class DiagnosticSink {
  private readonly items: TranscriptDiagnostic[] = [];
  private dropped = 0;

  constructor(
    private readonly textLength: number,
    private readonly silent = false,
  ) {}

  /** A sink that drops everything: for a second read of text already reported on (a branch repeating its trunk). */
  muted(): DiagnosticSink {
    return new DiagnosticSink(this.textLength, true);
  }

  /** Records an error. */
  error(code: DiagnosticCode, message: string, range: TextRange): void {
    this.add('error', code, message, range);
  }

  /** Records a warning. */
  warning(code: DiagnosticCode, message: string, range: TextRange): void {
    this.add('warning', code, message, range);
  }

  /** Records an informational note. */
  info(code: DiagnosticCode, message: string, range: TextRange): void {
    this.add('info', code, message, range);
  }

  /** Records a diagnostic of the given severity. */
  add(severity: Severity, code: DiagnosticCode, message: string, range: TextRange): void {
    if (this.silent) return;
    if (this.items.length >= MAX_DIAGNOSTICS) {
      this.dropped++;
      return;
    }
    const start = clamp(range.start, this.textLength);
    const end = Math.max(start, clamp(range.end, this.textLength));
    this.items.push({ severity, code, message, range: { start, end } });
  }

  /** The diagnostics in text order (stable for equal starts). */
  result(): TranscriptDiagnostic[] {
    const out = this.items.map((d, i) => ({ d, i })).sort((a, b) => a.d.range.start - b.d.range.start || a.i - b.i).map((x) => x.d);
    if (this.dropped > 0) {
      out.push({
        severity: 'info',
        code: 'too-many-diagnostics',
        message: `${this.dropped} more problems not shown (only the first ${MAX_DIAGNOSTICS} are reported).`,
        range: { start: 0, end: 0 },
      });
    }
    return out;
  }
}

function clamp(n: number, max: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(max, Math.floor(n))) : 0;
}
