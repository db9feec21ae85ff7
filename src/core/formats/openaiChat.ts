import type { Node } from 'jsonc-parser';
import { finishConversation } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { fraction, items, pickKeys, prop, spanOf } from './json/jsonNodes';
import { readMessageList, isMessage } from './json/messageList';
import { hasAnthropicSignals } from './anthropicMessages';

/**
 * OpenAI chat messages: a bare array of {role, content} messages, an object with "messages"
 * (a request body or one fine-tuning example), or fine-tuning JSONL with one such object per line.
 * Content is a string or a list of parts; tool calls become turns of their own.
 */
export const openaiChat = defineJsonFormat({
  id: 'openai-chat',
  label: 'OpenAI chat',
  extensions: ['.json', '.jsonl'],
  score(node: Node): number {
    if (node.type === 'array') return 0.7 * fraction(items(node), (m) => isMessage(m));
    const messages = prop(node, 'messages');
    if (messages?.type !== 'array') return 0;
    const f = items(messages).length === 0 ? 0.5 : fraction(items(messages), (m) => isMessage(m));
    if (f === 0) return 0;
    return hasAnthropicSignals(node) ? 0.3 : 0.5 + 0.3 * f;
  },
  read(record, text, sink) {
    const list = record.node.type === 'array' ? record.node : prop(record.node, 'messages');
    const turns = readMessageList(text, list, sink);
    const metadata = pickKeys(record.node, ['model', 'tools', 'functions', 'parallel_tool_calls', 'metadata', 'id']);
    const messagesKey = record.node.type === 'object' ? record.node.children?.find((p) => p.children?.[0]?.value === 'messages')?.children?.[0] : undefined;
    return [
      finishConversation(
        {
          turns,
          metadata,
          range: record.range,
          ...(messagesKey ? { anchor: spanOf(messagesKey) } : {}),
          ...(record.label !== undefined ? { label: record.label } : {}),
        },
        sink,
      ),
    ];
  },
});
