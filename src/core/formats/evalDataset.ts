import type { Node } from 'jsonc-parser';
import type { Conversation, Turn } from '../transcript';
import { finishConversation, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { defineJsonFormat } from './json/jsonFormat';
import { has, items, plain, prop, str } from './json/jsonNodes';
import { readString } from './json/messageContent';
import { isMessage, readMessageList } from './json/messageList';

const allStrings = (n: Node | undefined): boolean =>
  n?.type === 'array' && items(n).length > 0 && items(n).every((x) => x.type === 'string');
// Reference answers may be bare numbers ("turns": [12000, 2000]).
const textTurns = (n: Node | undefined): boolean =>
  n?.type === 'array' &&
  items(n).some((x) => x.type === 'string') &&
  items(n).every((x) => x.type === 'string' || x.type === 'number');

/** What kind of sample a record is, if any. */
function sampleKind(node: Node): 'questions' | 'answers' | 'inspect' | undefined {
  if (node.type !== 'object' || has(node, 'messages') || has(node, 'model')) return undefined;
  if (allStrings(prop(node, 'turns'))) return 'questions';
  if (items(prop(node, 'choices')).some((c) => textTurns(prop(c, 'turns')))) return 'answers';
  const input = prop(node, 'input');
  if (
    input?.type === 'string' ||
    (input?.type === 'array' && items(input).length > 0 && items(input).every((m) => isMessage(m)))
  )
    return 'inspect';
  return undefined;
}

/**
 * Evaluation datasets, one sample per JSONL line (or a JSON array): MT-Bench questions
 * ({question_id, category, turns: ["...", "..."]}: user turns), MT-Bench answers and reference
 * answers ({question_id, model_id, choices: [{index, turns}]}: assistant turns, a conversation per
 * choice), and Inspect AI datasets ({input: string | [messages], target, id, metadata}). Question
 * sets have no assistant turn: they parse, with an info that there is nothing to score.
 */
export const evalDataset = defineJsonFormat({
  id: 'eval-dataset',
  label: 'Evaluation dataset',
  extensions: ['.jsonl', '.json'],
  score(node: Node): number {
    const kind = sampleKind(node);
    if (kind === 'questions' || kind === 'answers')
      return has(node, 'question_id') || has(node, 'category') || has(node, 'model_id') ? 0.9 : 0.6;
    if (kind === 'inspect')
      return has(node, 'target') || has(node, 'id') || has(node, 'metadata') || has(node, 'choices')
        ? 0.85
        : 0.5;
    return 0;
  },
  read(record, text, sink) {
    const node = record.node;
    const id = prop(node, 'question_id') ?? prop(node, 'id');
    const label =
      id && (id.type === 'string' || id.type === 'number') ? `sample ${String(id.value)}` : record.label;
    const metadata: Record<string, unknown> = {};
    for (const p of node.children ?? []) {
      const key = str(p.children?.[0]);
      if (key !== undefined && key !== 'turns' && key !== 'input' && key !== 'choices')
        metadata[key] = plain(p.children?.[1]);
    }
    const finish = (turns: Turn[], extra: { label?: string | undefined } = {}): Conversation => {
      const l = extra.label ?? label;
      return finishConversation(
        { turns, metadata, range: record.range, ...(l !== undefined ? { label: l } : {}) },
        sink,
      );
    };
    const kind = sampleKind(node);
    if (kind === 'questions') return [finish(stringTurns(text, prop(node, 'turns'), 'user', sink))];
    if (kind === 'answers') {
      const choices = items(prop(node, 'choices'));
      return choices.map((c, i) =>
        finish(stringTurns(text, prop(c, 'turns'), 'assistant', sink), {
          label: choices.length > 1 ? `${label ?? 'sample'} (choice ${i + 1})` : label,
        }),
      );
    }
    const input = prop(node, 'input');
    if (input?.type === 'string') {
      const span = readString(text, input, sink);
      return [finish(span ? [spanTurn('user', span, 'json-string', { rawRole: 'input' })] : [])];
    }
    return [finish(readMessageList(text, input, sink))];
  },
});

function stringTurns(
  text: string,
  list: Node | undefined,
  role: 'user' | 'assistant',
  sink: DiagnosticSink,
): Turn[] {
  return items(list).flatMap((n) => {
    if (n.type === 'number')
      return [
        spanTurn(
          role,
          {
            text: text.slice(n.offset, n.offset + n.length),
            range: { start: n.offset, end: n.offset + n.length },
          },
          'verbatim',
          { rawRole: 'turns' },
        ),
      ];
    const span = readString(text, n, sink);
    return span ? [spanTurn(role, span, 'json-string', { rawRole: 'turns' })] : [];
  });
}
