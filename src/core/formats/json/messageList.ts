import type { Node } from 'jsonc-parser';
import type { Turn } from '../../transcript';
import type { DiagnosticSink } from '../diagnosticSink';
import { knownRoleLabels, normalizeRole, type RoleInfo } from '../roles';
import { has, items, prop, spanOf, str } from './jsonNodes';
import { messageTurn } from '../conversation';
import { callPart, contentParts, contentTurn, readContent } from './messageContent';

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
 * parts. An assistant message that calls tools is one turn whose parts are its text and its calls
 * (kind "toolCall" when it only calls). Handles both tool-call shapes: OpenAI's
 * {id, function: {name, arguments: "<json>"}} and Inspect's {id, function: "name", arguments: {...}}.
 */
export function readMessageList(text: string, list: Node | undefined, sink: DiagnosticSink, keys: MessageKeys = ROLE_CONTENT): Turn[] {
  const turns: Turn[] = [];
  for (const msg of items(list)) {
    const turn = readMessage(text, msg, sink, keys);
    if (turn) turns.push(turn);
  }
  return turns;
}

/** One OpenAI-style message as a turn; undefined (reported) when it has no role or nothing in it. */
export function readMessage(text: string, msg: Node, sink: DiagnosticSink, keys: MessageKeys = ROLE_CONTENT): Turn | undefined {
  const role = messageRole(text, msg, keys, sink);
  if (!role) return undefined;
  const calls = [...items(prop(msg, 'tool_calls')), ...(prop(msg, 'function_call') ? [prop(msg, 'function_call') as Node] : [])];
  const contentNode = prop(msg, keys.content);
  const content = readContent(text, contentNode, sink);
  const name = str(prop(msg, 'name')) ?? str(prop(msg, 'function'));
  const toolCallId = str(prop(msg, 'tool_call_id'));
  const extras = {
    kind: role.kind,
    rawRole: role.label,
    ...(name !== undefined ? { name } : {}),
    ...(toolCallId !== undefined ? { toolCallId } : {}),
  };
  if (calls.length === 0) {
    const turn = contentTurn(role.role, content, extras);
    if (!turn && content.kind === 'none') sink.warning('empty-turn', `The ${role.label} message has no content; it is skipped.`, spanOf(contentNode ?? msg));
    return turn;
  }
  const callParts = calls.map((call) => {
    const fn = prop(call, 'function');
    const callName = fn?.type === 'object' ? str(prop(fn, 'name')) : (str(fn) ?? str(prop(call, 'name')));
    const args = (fn?.type === 'object' ? prop(fn, 'arguments') : undefined) ?? prop(call, 'arguments');
    return callPart(callName, args, call, str(prop(call, 'id')));
  });
  return messageTurn(role.role, [...contentParts(content), ...callParts], { rawRole: role.label, ...(name !== undefined ? { name } : {}) });
}
