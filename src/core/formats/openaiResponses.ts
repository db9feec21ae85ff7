import type { Node } from 'jsonc-parser';
import type { Conversation, Turn, TurnPart } from '../transcript';
import { finishConversation, messageTurn, spanTurn } from './conversation';
import type { DiagnosticSink } from './diagnosticSink';
import { defineJsonFormat, type JsonRecord } from './json/jsonFormat';
import { fraction, has, items, pickKeys, prop, spanOf, str } from './json/jsonNodes';
import { callPart, contentParts, contentTurn, readContent, readString } from './json/messageContent';
import { isMessage, messageRole, readMessage } from './json/messageList';

// Item types of the Responses API (https://platform.openai.com/docs/api-reference/responses).
const ITEM_TYPES = new Set([
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'custom_tool_call',
  'custom_tool_call_output',
  'web_search_call',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'code_interpreter_call',
  'image_generation_call',
  'local_shell_call',
  'local_shell_call_output',
  'mcp_call',
  'mcp_list_tools',
  'item_reference',
]);
const CALLS = new Set(['function_call', 'custom_tool_call']);
const OUTPUTS = new Set([
  'function_call_output',
  'custom_tool_call_output',
  'computer_call_output',
  'local_shell_call_output',
]);

const isItem = (n: Node): boolean => ITEM_TYPES.has(str(prop(n, 'type')) ?? '');

/** The item lists of a record: a request's `input`, a response's `output`, or a bare list of items. */
function itemLists(node: Node): Node[] {
  if (node.type === 'array') return [node];
  return ['input', 'output'].flatMap((k) => (prop(node, k)?.type === 'array' ? [prop(node, k) as Node] : []));
}

/**
 * OpenAI Responses API items: a request body {model, instructions?, input: [items]}, a response
 * {object: "response", output: [items]}, or a bare list of items. Items: messages ({type: "message",
 * role, content: string | [{type: input_text | output_text, text}]}, or {role, content} alone),
 * function_call / function_call_output, reasoning and built-in tool calls. An assistant message and
 * the calls that follow it are one assistant turn (one model response); outputs are tool turns;
 * reasoning is not scored (info); `developer` is the system role; `instructions` is the system prompt.
 */
export const openaiResponses = defineJsonFormat({
  id: 'openai-responses',
  label: 'OpenAI Responses',
  extensions: ['.json', '.jsonl'],
  score(node: Node): number {
    if (node.type === 'array') return 0.9 * fraction(items(node), isItem);
    // One item per line (a conversation saved as JSONL): consecutive items are read as one conversation.
    if (isItem(node)) return 0.85;
    if (str(prop(node, 'object')) === 'response' && prop(node, 'output')?.type === 'array') return 0.95;
    const input = prop(node, 'input');
    if (input?.type === 'array' && items(input).some(isItem)) return 0.9;
    if (input && has(node, 'model') && (has(node, 'instructions') || input.type === 'string')) return 0.85;
    // A request whose input holds only {role, content} messages (no item types yet).
    if (
      input?.type === 'array' &&
      has(node, 'model') &&
      !has(node, 'messages') &&
      items(input).length > 0 &&
      items(input).every((m) => isMessage(m))
    )
      return 0.8;
    return 0;
  },
  readAll(records, text, sink) {
    const out: Conversation[] = [];
    let run: JsonRecord[] = [];
    const flush = (): void => {
      const first = run[0];
      const last = run[run.length - 1];
      if (first && last) {
        const turns = readItemNodes(
          text,
          run.map((r) => r.node),
          sink,
        );
        out.push(
          finishConversation(
            {
              turns,
              metadata: {},
              range: { start: first.range.start, end: last.range.end },
              label: first.label ?? 'items',
            },
            sink,
          ),
        );
      }
      run = [];
    };
    for (const record of records) {
      if (isItem(record.node)) {
        run.push(record);
        continue;
      }
      flush();
      out.push(readRecord(record, text, sink));
    }
    flush();
    return out;
  },
});

/** A request, a response or a bare list of items: one conversation. */
function readRecord(record: JsonRecord, text: string, sink: DiagnosticSink): Conversation {
  const node = record.node;
  const turns: Turn[] = [];
  const input = prop(node, 'input');
  if (input?.type === 'string') {
    const span = readString(text, input, sink);
    if (span) turns.push(spanTurn('user', span, 'json-string', { rawRole: 'input' }));
  }
  for (const list of itemLists(node)) turns.push(...readItems(text, list, sink));
  const instructions = prop(node, 'instructions');
  const system =
    instructions?.type === 'string'
      ? contentTurn('system', readContent(text, instructions, sink), { rawRole: 'instructions' })
      : undefined;
  const metadata = pickKeys(node, ['model', 'id', 'tools', 'previous_response_id', 'metadata']);
  return finishConversation(
    {
      turns,
      metadata,
      range: record.range,
      ...(system ? { system } : {}),
      ...(record.label !== undefined ? { label: record.label } : {}),
    },
    sink,
  );
}

function readItems(text: string, list: Node, sink: DiagnosticSink): Turn[] {
  return readItemNodes(text, items(list), sink);
}

function readItemNodes(text: string, list: readonly Node[], sink: DiagnosticSink): Turn[] {
  const turns: Turn[] = [];
  let pending: TurnPart[] = [];
  const flush = (): void => {
    const t = messageTurn('assistant', pending, { rawRole: 'assistant' });
    if (t) turns.push(t);
    pending = [];
  };
  for (const item of list) {
    const type = str(prop(item, 'type')) ?? (has(item, 'role') ? 'message' : undefined);
    if (type === 'message') {
      const role = str(prop(item, 'role'));
      if (role === 'assistant') {
        flush();
        if (messageRole(text, item, { role: 'role', content: 'content' }, sink))
          pending.push(...contentParts(readContent(text, prop(item, 'content'), sink)));
        continue;
      }
      flush();
      const t = readMessage(text, item, sink);
      if (t) turns.push(t);
    } else if (type !== undefined && CALLS.has(type)) {
      pending.push(
        callPart(
          str(prop(item, 'name')),
          prop(item, 'arguments') ?? prop(item, 'input'),
          item,
          str(prop(item, 'call_id')),
        ),
      );
    } else if (type !== undefined && OUTPUTS.has(type)) {
      flush();
      const id = str(prop(item, 'call_id'));
      const t = contentTurn('tool', readContent(text, prop(item, 'output'), sink), {
        kind: 'toolResult',
        rawRole: type,
        ...(id !== undefined ? { toolCallId: id } : {}),
      });
      if (t) turns.push(t);
    } else if (type === 'reasoning') {
      sink.info('placeholder', 'A reasoning item is not a turn; only the answer is scored.', spanOf(item));
    } else if (type !== undefined && type.endsWith('_call')) {
      // Built-in tools (web search, code interpreter, ...): the model asked for them, so they belong to its turn.
      pending.push(
        callPart(
          type,
          prop(item, 'action') ?? prop(item, 'code') ?? prop(item, 'query'),
          item,
          str(prop(item, 'id')),
        ),
      );
    } else {
      sink.warning(
        'unrecognized-record',
        `Not a Responses item${type !== undefined ? ` ("${type}")` : ''}; it is skipped.`,
        spanOf(item),
      );
    }
  }
  flush();
  return turns;
}
