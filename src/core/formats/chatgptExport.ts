import type { Node } from 'jsonc-parser';
import type { Conversation, Turn } from '../transcript';
import { finishConversation, messageTurn, placeholderPart, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { defineJsonFormat } from './json/jsonFormat';
import { has, items, pickKeys, prop, spanOf, str, stringSpan } from './json/jsonNodes';
import { contentParts, readContent } from './json/messageContent';
import { lastLeaf, otherLeaves, pathTo, type TreeNode } from './messageTree';
import { normalizeRole } from './roles';

/**
 * ChatGPT data export (`conversations.json`, from Settings > Data controls > Export): an array of
 * conversations, each a tree of messages in `mapping` ({id: {message, parent, children}}). The
 * conversation ChatGPT shows is the path from the root to `current_node`; every other leaf is a
 * branch (an edited prompt or a regenerated reply), read as a further conversation marked `branch`.
 * Like ChatGPT, hidden nodes (`metadata.is_visually_hidden_from_conversation`: the empty root system
 * message, custom instructions, memory) and empty messages are not turns; custom instructions
 * (`user_editable_context`, or a hidden system message marked `is_user_system_message`) become the
 * conversation's system prompt. Assistant messages addressed to
 * a tool (`recipient` other than "all", e.g. code for "python") are assistant turns of kind toolCall;
 * `tool` messages are tool results. Reasoning (`thoughts`, `reasoning_recap`, the `analysis` channel) is not scored.
 */
export const chatgptExport = defineJsonFormat({
  id: 'chatgpt-export',
  label: 'ChatGPT export',
  extensions: ['.json'],
  score(node: Node): number {
    const mapping = prop(node, 'mapping');
    if (mapping?.type !== 'object') return 0;
    const first = mapping.children?.[0]?.children?.[1];
    const looksLikeNode =
      first === undefined || (has(first, 'children') && (has(first, 'message') || has(first, 'parent')));
    if (!looksLikeNode) return 0;
    return has(node, 'current_node') || has(node, 'create_time') ? 0.95 : 0.7;
  },
  read(record, text, sink) {
    const node = record.node;
    const tree = new Map<string, TreeNode & { readonly node: Node }>();
    for (const p of prop(node, 'mapping')?.children ?? []) {
      const key = str(p.children?.[0]);
      const value = p.children?.[1];
      if (key === undefined || value?.type !== 'object') continue;
      const parent = str(prop(value, 'parent'));
      const children = items(prop(value, 'children')).flatMap((c) => str(c) ?? []);
      tree.set(key, { id: key, parent, children, node: value });
    }
    const title = str(prop(node, 'title'));
    const current = str(prop(node, 'current_node'));
    const shownLeaf = current !== undefined && tree.has(current) ? current : lastLeaf(tree);
    const shown = shownLeaf === undefined ? [] : pathTo(tree, shownLeaf);
    const metadata = pickKeys(node, [
      'title',
      'create_time',
      'update_time',
      'conversation_id',
      'id',
      'default_model_slug',
      'gizmo_id',
    ]);
    const base = title ?? record.label ?? 'conversation';
    const paths = [shown, ...otherLeaves(tree, shown).map((leaf) => pathTo(tree, leaf))];
    const out: Conversation[] = [];
    paths.forEach((path, i) => {
      const quiet = i > 0; // branches repeat the shown branch's messages: report problems once
      const branchSink = quiet ? sink.muted() : sink;
      let system: Turn | undefined;
      const turns: Turn[] = [];
      for (const id of path) {
        const msg = prop(tree.get(id)?.node, 'message');
        if (msg?.type !== 'object') continue;
        const read = readMessage(text, msg, branchSink);
        if (read?.system && !system) system = read.system;
        if (read?.turn) turns.push(read.turn);
      }
      out.push(
        finishConversation(
          {
            turns,
            metadata: i > 0 ? { ...metadata, branchLeaf: path[path.length - 1] } : metadata,
            range: record.range,
            label: i === 0 ? base : `${base} (branch ${i})`,
            ...(i > 0 ? { branch: true } : {}),
            ...(system ? { system } : {}),
          },
          branchSink,
        ),
      );
    });
    return out;
  },
});

const REASONING = new Set(['thoughts', 'reasoning_recap']);

/** One node's message as ChatGPT shows it: a turn, the system prompt, or nothing (hidden or empty). */
function readMessage(
  text: string,
  msg: Node,
  sink: DiagnosticSink,
): { turn?: Turn; system?: Turn } | undefined {
  const author = str(prop(prop(msg, 'author'), 'role')) ?? '';
  const contentNode = prop(msg, 'content');
  const contentType = str(prop(contentNode, 'content_type')) ?? 'text';
  const hidden = prop(prop(msg, 'metadata'), 'is_visually_hidden_from_conversation')?.value === true;
  if (contentType === 'user_editable_context') {
    // Custom instructions: what the user wrote about themselves and how ChatGPT should answer.
    const parts = ['user_profile', 'user_instructions'].flatMap((k) => {
      const span = stringSpan(text, prop(contentNode, k));
      return span && span.text.trim() !== '' ? [{ ...span, encoding: 'json-string' as const }] : [];
    });
    const turn = messageTurn('system', parts, { rawRole: 'user_editable_context' });
    return turn ? { system: turn } : undefined;
  }
  if (REASONING.has(contentType) || str(prop(msg, 'channel')) === 'analysis') {
    sink.info(
      'placeholder',
      `ChatGPT's reasoning ("${contentType}") is not a turn; only the answer is scored.`,
      spanOf(contentNode ?? msg),
    );
    return undefined;
  }
  // Memory the model was given (not shown in the conversation).
  if (contentType === 'model_editable_context') return undefined;
  const info = normalizeRole(author);
  if (!info) {
    sink.warning(
      'unknown-role',
      `Unknown author role "${author}"; this message is skipped.`,
      spanOf(prop(msg, 'author') ?? msg),
    );
    return undefined;
  }
  const recipient = str(prop(msg, 'recipient'));
  const parts = contentParts(readContent(text, prop(contentNode, 'parts'), sink));
  // Code for a tool ("code", "execution_output") and browsing results keep their text in "text".
  if (parts.length === 0) {
    const span = stringSpan(text, prop(contentNode, 'text'));
    if (span) parts.push({ ...span, encoding: 'json-string' });
    else if (contentNode && !has(contentNode, 'parts'))
      parts.push(placeholderPart(contentType, spanOf(contentNode), sink));
  }
  const nonEmpty = parts.filter((p) => p.encoding !== 'json-string' || p.text.trim() !== '');
  if (nonEmpty.length === 0) return undefined;
  if (hidden) {
    // Custom instructions written as a hidden system message (is_user_system_message) are the system prompt.
    const userSystem = prop(prop(msg, 'metadata'), 'is_user_system_message')?.value === true;
    const turn =
      userSystem && info.role === 'system'
        ? messageTurn('system', nonEmpty, { rawRole: 'system' })
        : undefined;
    return turn ? { system: turn } : undefined;
  }
  const toTool = info.role === 'assistant' && recipient !== undefined && recipient !== 'all';
  const kind = info.role === 'tool' ? 'toolResult' : toTool ? 'toolCall' : 'message';
  const extras = { kind, rawRole: author, ...(toTool ? { name: recipient } : {}) } as const;
  const only = nonEmpty.length === 1 ? nonEmpty[0] : undefined;
  const turn =
    only && only.encoding === 'json-string'
      ? spanTurn(info.role, only, 'json-string', extras)
      : messageTurn(info.role, nonEmpty, extras);
  return turn ? { turn } : undefined;
}
