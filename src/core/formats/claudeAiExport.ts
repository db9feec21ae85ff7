import type { Node } from 'jsonc-parser';
import type { Turn } from '../transcript';
import { finishConversation, spanTurn } from './conversation';
import { readBlocks } from './anthropicMessages';
import { defineJsonFormat } from './json/jsonFormat';
import { fraction, items, pickKeys, prop, spanOf, str } from './json/jsonNodes';
import { readString } from './json/messageContent';
import { normalizeRole } from './roles';

/**
 * Claude.ai data export (`conversations.json`): an array of conversations {uuid, name,
 * chat_messages: [{uuid, sender: "human" | "assistant", text, content: [blocks], parent_message_uuid}]}.
 * A message's `content` blocks (text, thinking, tool_use, tool_result) are read as in the Anthropic
 * Messages API; `text` (the flattened text) is used when there are no blocks. When messages name
 * their parents, the conversation shown is the chain ending at `current_leaf_message_uuid` (else at
 * the last message), as Claude.ai shows it after an edit.
 */
export const claudeAiExport = defineJsonFormat({
  id: 'claude-ai-export',
  label: 'Claude.ai export',
  extensions: ['.json'],
  score(node: Node): number {
    const list = prop(node, 'chat_messages');
    if (list?.type !== 'array') return 0;
    if (items(list).length === 0) return 0.6;
    const f = fraction(items(list), (m) => typeof prop(m, 'sender')?.value === 'string');
    return f === 0 ? 0 : 0.6 + 0.35 * f;
  },
  read(record, text, sink) {
    const node = record.node;
    const messages = shownChain(node);
    const turns: Turn[] = [];
    for (const msg of messages) {
      const senderNode = prop(msg, 'sender');
      const sender = str(senderNode) ?? '';
      const info = normalizeRole(sender);
      if (!info) {
        sink.warning(
          'unknown-role',
          `Unknown sender "${sender}"; this message is skipped.`,
          spanOf(senderNode ?? msg),
        );
        continue;
      }
      const blocks = prop(msg, 'content');
      if (items(blocks).length > 0 && blocks) {
        turns.push(...readBlocks(text, blocks, info.role, sender, sink));
        continue;
      }
      const textNode = prop(msg, 'text');
      const span = textNode?.type === 'string' ? readString(text, textNode, sink) : undefined;
      if (span) turns.push(spanTurn(info.role, span, 'json-string', { rawRole: sender }));
      else if (!textNode)
        sink.warning(
          'empty-turn',
          `The ${sender} message has no text or content; it is skipped.`,
          spanOf(msg),
        );
    }
    const metadata = pickKeys(node, ['uuid', 'name', 'summary', 'created_at', 'updated_at', 'model']);
    const listKey = node.children?.find((p) => p.children?.[0]?.value === 'chat_messages')?.children?.[0];
    return [
      finishConversation(
        {
          turns,
          metadata,
          range: record.range,
          label: str(prop(node, 'name')) || record.label || 'conversation',
          ...(listKey ? { anchor: spanOf(listKey) } : {}),
        },
        sink,
      ),
    ];
  },
});

/** The messages Claude.ai shows: the parent chain to the current leaf when parents are given, else all in order. */
function shownChain(node: Node): Node[] {
  const all = [...items(prop(node, 'chat_messages'))];
  const byId = new Map<string, Node>();
  for (const m of all) {
    const id = str(prop(m, 'uuid'));
    if (id !== undefined) byId.set(id, m);
  }
  const parentOf = (m: Node): string | undefined => str(prop(m, 'parent_message_uuid'));
  // Without parent links inside the file (older exports, the all-zero root uuid) the list is the chain.
  if (
    !all.some((m) => {
      const p = parentOf(m);
      return p !== undefined && byId.has(p);
    })
  )
    return all;
  const leafId = str(prop(node, 'current_leaf_message_uuid'));
  let leaf = leafId !== undefined ? byId.get(leafId) : all[all.length - 1];
  const chain: Node[] = [];
  const seen = new Set<Node>();
  while (leaf && !seen.has(leaf)) {
    seen.add(leaf);
    chain.push(leaf);
    const p = parentOf(leaf);
    leaf = p !== undefined ? byId.get(p) : undefined;
  }
  return chain.reverse();
}
