import type { Node } from 'jsonc-parser';
import type { Turn } from '../transcript';
import { finishConversation, spanTurn } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { has, items, plain, prop, spanOf, str } from './json/jsonNodes';
import { readString } from './json/messageContent';

const HEADER_KEYS = ['user_name', 'character_name', 'create_date', 'chat_metadata'];

/**
 * SillyTavern chat files (`data/<user>/chats/<character>/<chat>.jsonl`): a header line {user_name,
 * character_name, create_date, chat_metadata}, then one message per line {name, is_user, is_system,
 * mes, swipes, swipe_id, extra}. `mes` is the text SillyTavern shows: the chosen swipe. The user's
 * lines are user turns, the character's assistant turns; narrator messages (`extra.type`
 * "narrator") are system turns.
 */
export const sillyTavern = defineJsonFormat({
  id: 'sillytavern',
  label: 'SillyTavern chat',
  extensions: ['.jsonl'],
  score(node: Node): number {
    if (node.type !== 'object') return 0;
    if (typeof prop(node, 'mes')?.value === 'string' && (has(node, 'is_user') || has(node, 'swipes')))
      return 0.95;
    if (has(node, 'user_name') && has(node, 'character_name')) return 0.95;
    return has(node, 'chat_metadata') && !has(node, 'messages') ? 0.6 : 0;
  },
  readAll(records, text, sink) {
    const metadata: Record<string, unknown> = {};
    const turns: Turn[] = [];
    for (const r of records) {
      const node = r.node;
      if (!has(node, 'mes') && !has(node, 'swipes')) {
        for (const key of HEADER_KEYS)
          if (has(node, key) && metadata[key] === undefined) metadata[key] = plain(prop(node, key));
        continue;
      }
      const mes = prop(node, 'mes');
      const swipe = items(prop(node, 'swipes'))[Number(prop(node, 'swipe_id')?.value ?? 0)];
      const textNode = mes?.type === 'string' ? mes : swipe?.type === 'string' ? swipe : undefined;
      const span = textNode ? readString(text, textNode, sink) : undefined;
      if (!span) {
        if (!textNode)
          sink.warning('empty-turn', 'This message has no "mes" text; it is skipped.', spanOf(node));
        continue;
      }
      const name = str(prop(node, 'name'));
      const narrator = str(prop(prop(node, 'extra'), 'type')) === 'narrator';
      const role = prop(node, 'is_user')?.value === true ? 'user' : narrator ? 'system' : 'assistant';
      turns.push(
        spanTurn(role, span, 'json-string', {
          rawRole: role === 'user' ? 'is_user' : narrator ? 'narrator' : 'character',
          ...(name !== undefined ? { name } : {}),
        }),
      );
    }
    const label =
      typeof metadata.character_name === 'string' && metadata.character_name !== 'unused'
        ? metadata.character_name
        : 'chat';
    return [finishConversation({ turns, metadata, range: { start: 0, end: text.length }, label }, sink)];
  },
});
