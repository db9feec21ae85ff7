import type { Conversation, Role, Turn, TurnPart } from '../transcript';
import { finishConversation, partsTurn, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { lineSpans, trimmedSpan } from './sections';
import type { FormatInput, TranscriptFormat } from './types';

const SESSION = /^# aider chat started at (.*)$/;
const USER = /^#### ?/;
const TOOL = /^>(?: |$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
// A line aider writes itself: "#### " or "> " first, its Markdown line break ("  ") last.
const AIDER_LINE = /^(?:####|>)(?: .*)? {2}$/;
// An editor mode line some users keep at the top ("-*- mode: fundamental -*-").
const MODE_LINE = /^-\*-.*-\*-\s*$/;

/**
 * aider's chat history (`.aider.chat.history.md`): every run appends "# aider chat started at
 * <time>"; the user's messages are "#### " lines, aider's own output (commands, token counts, lint
 * runs) "> " lines, and the model's replies plain Markdown between them. Each run is a
 * conversation; "#### " lines are user turns and "> " lines tool turns (one part per line, the
 * prefix and aider's trailing two-space line breaks left out); replies are assistant turns, trimmed.
 * Lines inside a reply's code fences are reply text even when they start with ">" or "####".
 */
export const aiderHistory: TranscriptFormat = {
  id: 'aider',
  label: 'aider chat history',
  extensions: ['.md'],
  detect(input: FormatInput): number {
    const head = input.text.length > 65536 ? input.text.slice(0, 65536) : input.text;
    if (/^# aider chat started at /m.test(head)) return 0.95;
    return /\.aider\.chat\.history\.md$/i.test(input.fileName) && /^#### /m.test(head) ? 0.95 : 0;
  },
  parse(input: FormatInput, sink: DiagnosticSink): Conversation[] {
    const text = input.text;
    const sessions: { start: number; label: string; lines: { start: number; end: number }[] }[] = [
      { start: 0, label: 'before the first session', lines: [] },
    ];
    for (const line of lineSpans(text)) {
      const m = SESSION.exec(text.slice(line.start, line.end));
      if (m)
        sessions.push({ start: line.start, label: `session started at ${m[1]?.trim() ?? ''}`, lines: [] });
      else sessions[sessions.length - 1]?.lines.push(line);
    }
    const out: Conversation[] = [];
    sessions.forEach((s, i) => {
      const turns = readSession(text, s.lines);
      // A run that ended before anything was said (aider started and quit) holds no conversation.
      if (turns.length === 0) return;
      const end = sessions[i + 1]?.start ?? text.length;
      out.push(
        finishConversation({ turns, metadata: {}, range: { start: s.start, end }, label: s.label }, sink),
      );
    });
    return out;
  },
};

type Kind = 'user' | 'tool' | 'reply';

function readSession(text: string, lines: readonly { start: number; end: number }[]): Turn[] {
  const turns: Turn[] = [];
  let kind: Kind | undefined;
  let parts: TurnPart[] = [];
  let replyStart = -1;
  let replyEnd = -1;
  let fence: string | undefined;
  const flush = (): void => {
    if (kind === 'reply') {
      const span = trimmedSpan(text, replyStart, replyEnd);
      if (span.text !== '') turns.push(spanTurn('assistant', span, 'verbatim', { rawRole: 'reply' }));
    } else if (kind) {
      const role: Role = kind === 'user' ? 'user' : 'tool';
      // Blank prefixed lines at either end are layout, not text.
      while (parts.length > 0 && parts[parts.length - 1]?.text.trim() === '') parts.pop();
      while (parts.length > 0 && parts[0]?.text.trim() === '') parts.shift();
      const t =
        parts.length === 1 && parts[0]
          ? spanTurn(role, parts[0], 'verbatim', {
              rawRole: kind === 'user' ? '####' : '>',
              ...(role === 'tool' ? { kind: 'toolResult' as const } : {}),
            })
          : partsTurn(role, parts, {
              rawRole: kind === 'user' ? '####' : '>',
              ...(role === 'tool' ? { kind: 'toolResult' as const } : {}),
            });
      if (t) turns.push(t);
    }
    kind = undefined;
    parts = [];
  };
  let previousBlank = true;
  for (const line of lines) {
    const s = text.slice(line.start, line.end);
    const afterBlank = previousBlank;
    previousBlank = s.trim() === '';
    if (turns.length === 0 && kind === undefined && MODE_LINE.test(s)) continue;
    // A reply cut off inside a code fence (^C) leaves the fence open; aider's own lines still start
    // after a blank line and end with its two-space line break, which code rarely does.
    if (kind === 'reply' && fence !== undefined && afterBlank && AIDER_LINE.test(s)) fence = undefined;
    if (kind === 'reply' && fence !== undefined) {
      const f = FENCE.exec(s);
      if (f?.[1] !== undefined && f[1][0] === fence[0] && f[1].length >= fence.length && s.trim() === f[1])
        fence = undefined;
      replyEnd = line.end;
      continue;
    }
    const prefix = USER.exec(s) ?? (TOOL.test(s) ? /^> ?/.exec(s) : null);
    if (prefix) {
      const k: Kind = s.startsWith('#') ? 'user' : 'tool';
      if (k !== kind) flush();
      fence = undefined;
      kind = k;
      let end = line.end;
      while (
        end > line.start + prefix[0].length &&
        (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)
      )
        end--;
      const start = line.start + prefix[0].length;
      parts.push({ text: text.slice(start, end), range: { start, end }, encoding: 'verbatim' });
      continue;
    }
    if (kind !== 'reply') {
      // aider writes a blank line after each user message; tool lines come without blank lines.
      flush();
      if (s.trim() === '') continue;
      kind = 'reply';
      replyStart = line.start;
    }
    replyEnd = line.end;
    const f = FENCE.exec(s);
    if (f?.[1] !== undefined) fence = f[1];
  }
  flush();
  return turns;
}
