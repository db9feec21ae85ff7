import type { Node } from 'jsonc-parser';
import { finishConversation, spanTurn } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { fraction, items, plain, prop, spanOf, str, stringSpan } from './json/jsonNodes';
import { readMessageList, isMessage, type MessageKeys } from './json/messageList';

const FROM_VALUE: MessageKeys = { role: 'from', content: 'value' };

function turnList(node: Node): Node | undefined {
  const list = prop(node, 'conversations') ?? prop(node, 'conversation');
  return list?.type === 'array' ? list : undefined;
}

/**
 * ShareGPT: {"conversations": [{"from": "human" | "gpt" | "system" | ..., "value": "..."}]},
 * usually many per file (a JSON array or JSONL). An optional top-level "system" string is the
 * out-of-list system prompt. A "function_call" entry is the assistant calling a tool (an assistant
 * turn of kind toolCall), an "observation" the tool's answer (a tool turn).
 */
export const shareGpt = defineJsonFormat({
  id: 'sharegpt',
  label: 'ShareGPT',
  extensions: ['.json', '.jsonl'],
  score(node: Node): number {
    const list = turnList(node);
    if (!list) return 0;
    const f = fraction(items(list), (m) => isMessage(m, FROM_VALUE));
    return f === 0 ? 0 : 0.5 + 0.4 * f;
  },
  read(record, text, sink) {
    const list = turnList(record.node);
    const turns = readMessageList(text, list, sink, FROM_VALUE);
    const systemSpan = stringSpan(text, prop(record.node, 'system'));
    const metadata: Record<string, unknown> = {};
    for (const p of record.node.children ?? []) {
      const key = str(p.children?.[0]);
      if (key !== undefined && key !== 'conversations' && key !== 'conversation' && key !== 'system') metadata[key] = plain(p.children?.[1]);
    }
    const listKey = record.node.children?.find((p) => p.children?.[1] === list)?.children?.[0];
    return [
      finishConversation(
        {
          turns,
          metadata,
          range: record.range,
          ...(systemSpan ? { system: spanTurn('system', systemSpan, 'json-string', { rawRole: 'system' }) } : {}),
          ...(listKey ? { anchor: spanOf(listKey) } : {}),
          ...(record.label !== undefined ? { label: record.label } : {}),
        },
        sink,
      ),
    ];
  },
});
