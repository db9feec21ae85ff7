import type { Node } from 'jsonc-parser';
import type { Turn } from '../../transcript';
import type { DiagnosticSink } from '../diagnosticSink';
import { knownRoleLabels, normalizeRole, type RoleInfo } from '../roles';
import { has, items, prop, spanOf, str } from './jsonNodes';
import { argumentsTurn, contentTurn, readContent } from './messageContent';

/** Keys naming a message's role and its text, per dialect. */
export interface MessageKeys {
  readonly role: string;
  readonly content: string;
}

/** OpenAI, Anthropic, Inspect and the paper's transcripts. */
export const ROLE_CONTENT: MessageKeys = { role: 'role', content: 'content' };

/** Whether a node looks like one chat message: an object with a string role and some content. */
export function isMessage(node: Node, keys: MessageKeys = ROLE_CONTENT): boolean {
  return node.type === 'object' && typeof prop(node, keys.role)?.value === 'string' && (has(node, keys.content) || has(node, 'tool_calls'));
}

/** The normalised role of a message, reporting a missing or unknown one (the message is then skipped). */
export function messageRole(text: string, msg: Node, keys: MessageKeys, sink: DiagnosticSink): (RoleInfo & { label: string }) | undefined {
  if (msg.type !== 'object') {
    sink.warning('missing-role', `Expected a message object, found ${msg.type}; it is skipped.`, spanOf(msg));
    return undefined;
  }
  const roleNode = prop(msg, keys.role);
  const label = str(roleNode);
  if (label === undefined || !roleNode) {
    sink.warning('missing-role', `Message without a "${keys.role}" string; it is skipped.`, spanOf(roleNode ?? msg));
    return undefined;
  }
  const info = normalizeRole(label);
  if (!info) {
    sink.warning(
      'unknown-role',
      `Unknown role "${label}"; this message is skipped. Known roles: ${knownRoleLabels().join(', ')}.`,
      spanOf(roleNode),
    );
    return undefined;
  }
  return { ...info, label };
}

/**
 * Turns of a list of OpenAI-style messages (also Inspect's and the paper's): content as a string or
 * parts, tool calls as turns of their own. Handles both tool-call shapes: OpenAI's
 * {id, function: {name, arguments: "<json>"}} and Inspect's {id, function: "name", arguments: {...}}.
 */
export function readMessageList(text: string, list: Node | undefined, sink: DiagnosticSink, keys: MessageKeys = ROLE_CONTENT): Turn[] {
  const turns: Turn[] = [];
  for (const msg of items(list)) {
    const role = messageRole(text, msg, keys, sink);
    if (!role) continue;
    const calls = [...items(prop(msg, 'tool_calls')), ...(prop(msg, 'function_call') ? [prop(msg, 'function_call') as Node] : [])];
    const contentNode = prop(msg, keys.content);
    const content = readContent(text, contentNode, sink);
    const name = str(prop(msg, 'name')) ?? str(prop(msg, 'function'));
    const toolCallId = str(prop(msg, 'tool_call_id'));
    const turn = contentTurn(role.role, content, {
      kind: role.kind,
      rawRole: role.label,
      ...(name !== undefined ? { name } : {}),
      ...(toolCallId !== undefined ? { toolCallId } : {}),
    });
    // Assistant messages that only call tools often carry "" or null content; that is not an empty turn.
    if (turn && !(calls.length > 0 && turn.text === '')) turns.push(turn);
    if (!turn && content.kind === 'none' && calls.length === 0) {
      sink.warning('empty-turn', `The ${role.label} message has no content; it is skipped.`, spanOf(contentNode ?? msg));
    }
    for (const call of calls) {
      const fn = prop(call, 'function');
      const callName = fn?.type === 'object' ? str(prop(fn, 'name')) : (str(fn) ?? str(prop(call, 'name')));
      const args = (fn?.type === 'object' ? prop(fn, 'arguments') : undefined) ?? prop(call, 'arguments') ?? call;
      const id = str(prop(call, 'id'));
      const t = argumentsTurn(text, args, sink, {
        rawRole: role.label,
        ...(callName !== undefined ? { name: callName } : {}),
        ...(id !== undefined ? { toolCallId: id } : {}),
      });
      if (t) turns.push(t);
    }
  }
  return turns;
}
