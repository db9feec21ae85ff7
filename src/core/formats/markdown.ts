import type { Conversation, Role, TextRange, Turn, TurnKind } from '../transcript';
import { finishConversation, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { frontMatterEnd, readFrontMatter } from './frontMatter';
import { normalizeRole } from './roles';
import { lineSpans, trimmedSpan } from './sections';
import type { FormatInput, TranscriptFormat } from './types';

/** How a role is marked: "h2" for "## User", "bold" for "**User:**", "plain" for "User:"; headings of any level are one style. */
type MarkerStyle = `h${number}` | 'bold' | 'plain';

interface Marker {
  readonly style: MarkerStyle;
  /** The role word as written. */
  readonly label: string;
  readonly role?: { role: Role; kind: TurnKind };
  /** Start of the marker line. */
  readonly lineStart: number;
  /** Where the turn's text begins (after the marker, on the same line or the next). */
  readonly contentStart: number;
  readonly labelRange: TextRange;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(?:\*\*|__)?([A-Za-z][A-Za-z0-9 _-]{0,30}?)(?:\*\*|__)?[ \t]*:?[ \t]*#*[ \t]*$/;
const BOLD = /^ {0,3}(\*\*|__)([A-Za-z][A-Za-z0-9 _-]{0,30}?)(:?)\1(:?)[ \t]*/;
const PLAIN = /^([A-Za-z][A-Za-z0-9_-]{0,30}):[ \t]*/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SINGLE_WORD = /^[A-Za-z]{1,20}$/;
// A thematic break often separates turns in exported chats; it belongs to neither turn.
const TRAILING_RULE = /(?:^|\n)[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$/;

/**
 * Markdown transcripts: turns marked by headings ("## User", "### Assistant"), bold prefixes
 * ("**User:** text") or plain prefixes ("User: text"). The style of the first role marker is the
 * file's style; later lines of another style are text (so a quoted "User:" inside an answer does
 * not split it); role headings may differ in level. Markers inside fenced code blocks are ignored. A turn's range is its body trimmed
 * of whitespace (and of a trailing "---" rule), and its text is exactly that slice.
 */
export const markdownTranscript: TranscriptFormat = {
  id: 'markdown',
  label: 'Markdown transcript',
  extensions: ['.md', '.markdown', '.txt'],
  detect(input: FormatInput): number {
    if (input.extension === '.prompty') return 0;
    const markers = findMarkers(input.text, frontMatterEnd(input.text)).filter((m) => m.role);
    const roles = new Set(markers.map((m) => m.role?.role));
    const isMd = input.extension === '.md' || input.extension === '.markdown';
    if (markers.length === 0) return 0;
    if (roles.has('user') && roles.has('assistant')) return isMd ? 0.9 : 0.6;
    return isMd ? 0.5 : 0.1;
  },
  parse(input: FormatInput, sink: DiagnosticSink): Conversation[] {
    const text = input.text;
    const front = readFrontMatter(text);
    const markers = findMarkers(text, front?.bodyStart ?? 0);
    const turns: Turn[] = [];
    markers.forEach((m, i) => {
      const end = markers[i + 1]?.lineStart ?? text.length;
      if (!m.role) {
        sink.warning('unknown-role', `Unknown role "${m.label}"; this section is skipped. Use User, Assistant, System or Tool.`, m.labelRange);
        return;
      }
      const body = withoutTrailingRule(text, m.contentStart, end);
      turns.push(spanTurn(m.role.role, body, 'verbatim', { kind: m.role.kind, rawRole: m.label }));
    });
    const first = markers[0];
    const metadata: Record<string, unknown> = { ...(front?.data ?? {}) };
    const title = /^#[ \t]+(.+)$/m.exec(text.slice(front?.bodyStart ?? 0, first?.lineStart ?? text.length));
    if (title?.[1] !== undefined && metadata.title === undefined) metadata.title = title[1].trim();
    return [
      finishConversation(
        {
          turns,
          metadata,
          range: { start: first?.lineStart ?? 0, end: text.length },
          ...(first ? { anchor: first.labelRange } : {}),
        },
        sink,
      ),
    ];
  },
};

function withoutTrailingRule(text: string, start: number, end: number): { text: string; range: TextRange } {
  let span = trimmedSpan(text, start, end);
  const rule = TRAILING_RULE.exec(span.text);
  if (rule) span = trimmedSpan(text, span.range.start, span.range.start + rule.index);
  return span;
}

/**
 * Role markers of the file's style, outside code fences. Role headings may use different levels
 * ("## User" / "### Assistant"); an unknown single-word heading counts as a (skipped) speaker only
 * at a level that known roles use, and an unknown bold prefix only in a bold-style file.
 */
function findMarkers(text: string, from: number): Marker[] {
  const candidates: Marker[] = [];
  let fence: string | undefined;
  for (const line of lineSpans(text, from)) {
    const s = text.slice(line.start, line.end);
    const f = FENCE.exec(s);
    if (fence !== undefined) {
      if (f?.[1] !== undefined && f[1][0] === fence[0] && f[1].length >= fence.length && s.trim() === f[1].trim()) fence = undefined;
      continue;
    }
    if (f?.[1] !== undefined) {
      fence = f[1];
      continue;
    }
    const m = matchMarker(s, line.start);
    if (m) candidates.push(m);
  }
  const style = family(candidates.find((m) => m.role)?.style);
  if (style === undefined) return [];
  const roleLevels = new Set(candidates.filter((m) => m.role && family(m.style) === 'heading').map((m) => m.style));
  return candidates.filter((m) => {
    if (family(m.style) !== style) return false;
    if (m.role) return true;
    // Only a single word can be an unknown speaker: "## Notes on setup" is a heading, not a speaker.
    if (style === 'plain' || !SINGLE_WORD.test(m.label)) return false;
    return style === 'bold' || roleLevels.has(m.style);
  });
}

function family(style: MarkerStyle | undefined): 'heading' | 'bold' | 'plain' | undefined {
  return style === undefined ? undefined : style === 'bold' || style === 'plain' ? style : 'heading';
}

function matchMarker(line: string, lineStart: number): Marker | undefined {
  const h = HEADING.exec(line);
  if (h?.[1] !== undefined && h[2] !== undefined) {
    const at = lineStart + line.indexOf(h[2], h[1].length);
    return marker(`h${h[1].length}`, h[2].trim(), lineStart, lineStart + line.length, at);
  }
  const b = BOLD.exec(line);
  if (b?.[2] !== undefined && (b[3] === ':' || b[4] === ':')) {
    return marker('bold', b[2].trim(), lineStart, lineStart + b[0].length, lineStart + line.indexOf(b[2]));
  }
  const p = PLAIN.exec(line);
  if (p?.[1] !== undefined) return marker('plain', p[1], lineStart, lineStart + p[0].length, lineStart);
  return undefined;
}

function marker(style: MarkerStyle, label: string, lineStart: number, contentStart: number, labelStart: number): Marker {
  const role = normalizeRole(label);
  return {
    style,
    label,
    lineStart,
    contentStart,
    labelRange: { start: labelStart, end: labelStart + label.length },
    ...(role ? { role } : {}),
  };
}
