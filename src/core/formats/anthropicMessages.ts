import type { Node } from 'jsonc-parser';
import type { Turn, TurnPart } from '../transcript';
import { finishConversation, messageTurn, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { defineJsonFormat } from './json/jsonFormat';
import { fraction, has, items, pickKeys, prop, spanOf, str } from './json/jsonNodes';
import { callPart, contentTurn, readContent, readPart } from './json/messageContent';
import { isMessage, messageRole, ROLE_CONTENT } from './json/messageList';

// Block types only the Anthropic Messages API uses; "image" with a "source" rather than OpenAI's "image_url".
const ANTHROPIC_BLOCKS = new Set(['tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'document', 'server_tool_use', 'web_search_tool_result']);

/** Whether a record has features only an Anthropic Messages body has (top-level system, Anthropic blocks). */
export function hasAnthropicSignals(node: Node): boolean {
  if (has(node, 'system') || has(node, 'stop_sequences')) return true;
  return items(prop(node, 'messages')).some((m) =>
    items(prop(m, 'content')).some((b) => {
      const type = str(prop(b, 'type'));
      return type !== undefined && (ANTHROPIC_BLOCKS.has(type) || (type === 'image' && has(b, 'source')));
    }),
  );
}

/**
 * Anthropic Messages: {system?, messages: [{role, content}]} where content is a string or a list of
 * blocks. Text and tool_use blocks join into one turn; each tool_result block becomes a turn of its
 * own (role "tool"); images, documents and thinking blocks are kept as placeholders.
 */
export const anthropicMessages = defineJsonFormat({
  id: 'anthropic-messages',
  label: 'Anthropic Messages',
  extensions: ['.json', '.jsonl'],
  score(node: Node): number {
    const messages = prop(node, 'messages');
    if (messages?.type !== 'array') return 0;
    const f = items(messages).length === 0 ? 0.5 : fraction(items(messages), (m) => isMessage(m));
    if (f === 0) return 0;
    return hasAnthropicSignals(node) ? 0.6 + 0.3 * f : 0.3 * f;
  },
  read(record, text, sink) {
    const turns: Turn[] = [];
    for (const msg of items(prop(record.node, 'messages'))) {
      const role = messageRole(text, msg, ROLE_CONTENT, sink);
      if (!role) continue;
      const content = prop(msg, 'content');
      if (content?.type !== 'array') {
        const turn = contentTurn(role.role, readContent(text, content, sink), { rawRole: role.label });
        if (turn) turns.push(turn);
        else if (!content || content.type === 'null') sink.warning('empty-turn', `The ${role.label} message has no content; it is skipped.`, spanOf(msg));
        continue;
      }
      turns.push(...readBlocks(text, content, role.role, role.label, sink));
    }
    const systemNode = prop(record.node, 'system');
    const system = systemNode ? contentTurn('system', readContent(text, systemNode, sink), { rawRole: 'system' }) : undefined;
    const metadata = pickKeys(record.node, ['model', 'max_tokens', 'temperature', 'tools', 'metadata']);
    return [
      finishConversation(
        {
          turns,
          metadata,
          range: record.range,
          ...(system ? { system } : {}),
          ...(record.label !== undefined ? { label: record.label } : {}),
        },
        sink,
      ),
    ];
  },
});

/**
 * Turns of one block list, in document order: text, placeholder and tool_use blocks join into one
 * turn of the message's role (an assistant's calls are part of its turn); each tool_result block is
 * a tool turn of its own, so a user message mixing results and text splits around them.
 */
export function readBlocks(text: string, blocks: Node, role: Turn['role'], rawRole: string, sink: DiagnosticSink): Turn[] {
  const out: Turn[] = [];
  let pending: TurnPart[] = [];
  const flush = (): void => {
    const t = messageTurn(role, pending, { rawRole });
    if (t) out.push(t);
    pending = [];
  };
  for (const block of items(blocks)) {
    const type = str(prop(block, 'type'));
    if (type === 'tool_use' || type === 'server_tool_use') {
      pending.push(callPart(str(prop(block, 'name')), prop(block, 'input'), block, str(prop(block, 'id'))));
    } else if (type === 'tool_result') {
      flush();
      const id = str(prop(block, 'tool_use_id'));
      const extras = { kind: 'toolResult' as const, rawRole: 'tool_result', ...(id !== undefined ? { toolCallId: id } : {}) };
      const t = contentTurn('tool', readContent(text, prop(block, 'content'), sink), extras);
      // A result without content is legal (the tool printed nothing): an empty turn at the block's end.
      const end = block.offset + block.length;
      out.push(t ?? spanTurn('tool', { text: '', range: { start: end, end } }, 'verbatim', extras));
    } else {
      const part = readPart(text, block, sink);
      if (part) pending.push(part);
    }
  }
  flush();
  return out;
}
