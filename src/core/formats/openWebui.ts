import type { Node } from 'jsonc-parser';
import type { Conversation, Turn } from '../transcript';
import { finishConversation } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { has, items, pickKeys, prop, str } from './json/jsonNodes';
import { isMessage, readMessage, readMessageList } from './json/messageList';
import { lastLeaf, otherLeaves, pathTo, type TreeNode } from './messageTree';

/** The chat object of a record: Open WebUI's export wraps it ({id, title, chat: {...}}); a bare chat is accepted too. */
function chatOf(node: Node): Node | undefined {
  const wrapped = prop(node, 'chat');
  if (prop(prop(wrapped, 'history'), 'messages')?.type === 'object') return wrapped;
  return prop(prop(node, 'history'), 'messages')?.type === 'object' ? node : undefined;
}

/** A wrapped chat without a history tree (older exports): its flat `messages` list. */
function flatMessages(node: Node): Node | undefined {
  const chat = prop(node, 'chat');
  const list = prop(chat, 'messages');
  return has(node, 'title') &&
    list?.type === 'array' &&
    items(list).length > 0 &&
    items(list).every((m) => isMessage(m))
    ? list
    : undefined;
}

/**
 * Open WebUI chat export ("Export chat (.json)" / "Export All Chats"): an array of
 * {id, title, chat: {title, models, history: {currentId, messages: {id: {id, parentId, childrenIds,
 * role, content, ...}}}, messages: [...]}}. The conversation shown is the chain from the root to
 * `history.currentId`; other leaves (edits, regenerations) are further conversations marked `branch`.
 * Ranges point into `history.messages`; the flat `messages` copy is read only when there is no
 * history (older exports).
 */
export const openWebui = defineJsonFormat({
  id: 'open-webui',
  label: 'Open WebUI export',
  extensions: ['.json'],
  score(node: Node): number {
    const chat = chatOf(node);
    if (!chat) return flatMessages(node) ? 0.8 : 0;
    return chat === node ? 0.85 : 0.95;
  },
  read(record, text, sink) {
    const chat = chatOf(record.node);
    const flat = chat ? undefined : flatMessages(record.node);
    if (flat) {
      const label = str(prop(record.node, 'title')) ?? record.label ?? 'chat';
      return [
        finishConversation(
          { turns: readMessageList(text, flat, sink), metadata: {}, range: record.range, label },
          sink,
        ),
      ];
    }
    const history = prop(chat, 'history');
    const tree = new Map<string, TreeNode & { readonly node: Node }>();
    for (const p of prop(history, 'messages')?.children ?? []) {
      const key = str(p.children?.[0]);
      const value = p.children?.[1];
      if (key === undefined || value?.type !== 'object') continue;
      const children = items(prop(value, 'childrenIds')).flatMap((c) => str(c) ?? []);
      tree.set(key, { id: key, parent: str(prop(value, 'parentId')), children, node: value });
    }
    const current = str(prop(history, 'currentId'));
    const shownLeaf = current !== undefined && tree.has(current) ? current : lastLeaf(tree);
    const shown = shownLeaf === undefined ? [] : pathTo(tree, shownLeaf);
    const metadata = {
      ...pickKeys(record.node, ['id', 'title', 'created_at', 'updated_at']),
      ...pickKeys(chat, ['models']),
    };
    const base = str(prop(record.node, 'title')) ?? str(prop(chat, 'title')) ?? record.label ?? 'chat';
    const out: Conversation[] = [];
    [shown, ...otherLeaves(tree, shown).map((leaf) => pathTo(tree, leaf))].forEach((path, i) => {
      const branchSink = i > 0 ? sink.muted() : sink;
      const turns: Turn[] = path.flatMap((id) => {
        const node = tree.get(id)?.node;
        const t = node ? readMessage(text, node, branchSink) : undefined;
        return t ? [t] : [];
      });
      out.push(
        finishConversation(
          {
            turns,
            metadata,
            range: record.range,
            label: i === 0 ? base : `${base} (branch ${i})`,
            ...(i > 0 ? { branch: true } : {}),
          },
          branchSink,
        ),
      );
    });
    return out;
  },
});
