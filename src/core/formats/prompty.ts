import type { Conversation, Role, Turn } from '../transcript';
import { finishConversation, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { frontMatterEnd, readFrontMatter } from './frontMatter';
import { normalizeRole } from './roles';
import { lineSpans, trimmedSpan } from './sections';
import type { FormatInput, TranscriptFormat } from './types';

// Prompty's chat parser: a line holding only "role:" (optionally "# role:" or "role[name]:").
const ROLE_LINE = /^[ \t]*#?[ \t]*([A-Za-z_]+)[ \t]*(?:\[([^\]\r\n]*)\])?[ \t]*:[ \t]*$/;
const PROMPTY_ROLES: Readonly<Record<string, Role>> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  function: 'tool',
  tool: 'tool',
};

/**
 * Prompty (.prompty): YAML front matter (name, model, inputs, sample, ...) into metadata, then a body
 * split by "system:", "user:", "assistant:" lines. As in Prompty's own parser, text before the first
 * role line is the system message. Template expressions ({{name}}) stay in the text as written.
 */
export const prompty: TranscriptFormat = {
  id: 'prompty',
  label: 'Prompty',
  extensions: ['.prompty'],
  detect(input: FormatInput): number {
    if (input.extension === '.prompty') return 1;
    const bodyStart = frontMatterEnd(input.text);
    if (bodyStart === 0 || input.extension === '.md' || input.extension === '.markdown') return 0;
    return roleLines(input.text, bodyStart).some((r) => r.role) ? 0.5 : 0;
  },
  parse(input: FormatInput, sink: DiagnosticSink): Conversation[] {
    const text = input.text;
    const front = readFrontMatter(text, sink);
    const start = front?.bodyStart ?? 0;
    const lines = roleLines(text, start);
    const turns: Turn[] = [];
    const known = lines.filter((l) => l.role);
    const firstKnown = known[0];
    const preamble = trimmedSpan(text, start, firstKnown?.lineStart ?? text.length);
    if (preamble.text !== '') turns.push(spanTurn('system', preamble, 'verbatim', { kind: 'message' }));
    for (const l of lines) {
      if (l.role) continue;
      sink.warning(
        'unknown-role',
        `"${l.label}:" is not a Prompty role, so this line stays part of the text above; use ${Object.keys(PROMPTY_ROLES).join(', ')}.`,
        { start: l.labelStart, end: l.labelStart + l.label.length },
      );
    }
    known.forEach((l, i) => {
      const end = known[i + 1]?.lineStart ?? text.length;
      const role = l.role as Role;
      turns.push(
        spanTurn(role, trimmedSpan(text, l.contentStart, end), 'verbatim', {
          kind: role === 'tool' ? 'toolResult' : 'message',
          rawRole: l.label,
          ...(l.name ? { name: l.name } : {}),
        }),
      );
    });
    return [
      finishConversation(
        {
          turns,
          metadata: front?.data ?? {},
          range: { start: 0, end: text.length },
          anchor: firstKnown ? { start: firstKnown.labelStart, end: firstKnown.labelStart + firstKnown.label.length } : { start: 0, end: 0 },
        },
        sink,
        // A prompt template normally ends before the assistant speaks.
        'info',
      ),
    ];
  },
};

interface RoleLine {
  readonly label: string;
  readonly role?: Role;
  readonly name?: string;
  readonly lineStart: number;
  readonly labelStart: number;
  readonly contentStart: number;
}

/** Prompty role lines, plus lines that use a chat role Prompty does not know ("human:"), with role undefined. */
function roleLines(text: string, from: number): RoleLine[] {
  const out: RoleLine[] = [];
  for (const line of lineSpans(text, from)) {
    const s = text.slice(line.start, line.end);
    const m = ROLE_LINE.exec(s);
    if (m?.[1] === undefined) continue;
    const word = m[1].toLowerCase();
    const role = Object.hasOwn(PROMPTY_ROLES, word) ? PROMPTY_ROLES[word] : undefined;
    if (!role && !normalizeRole(word)) continue;
    out.push({
      label: m[1],
      lineStart: line.start,
      labelStart: line.start + s.indexOf(m[1]),
      contentStart: line.end,
      ...(role ? { role } : {}),
      ...(m[2] ? { name: m[2] } : {}),
    });
  }
  return out;
}
