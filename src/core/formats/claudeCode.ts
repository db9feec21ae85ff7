import type { Node } from 'jsonc-parser';
import type { Conversation, Turn, TurnPart } from '../transcript';
import { finishConversation, messageTurn } from './conversation';
import { readBlocks } from './anthropicMessages';
import type { DiagnosticSink } from './diagnosticSink';
import { defineJsonFormat, type JsonRecord } from './json/jsonFormat';
import { items, prop, str } from './json/jsonNodes';
import { callPart, contentTurn, readContent, readPart } from './json/messageContent';

// Lines a session holds besides messages; they are events, not turns (Claude Code does not show them).
const EVENT_TYPES = new Set([
  'summary',
  'file-history-snapshot',
  'progress',
  'queue-operation',
  'system',
  'attachment',
  'custom-title',
]);

/**
 * Claude Code session logs (`~/.claude/projects/<project>/<session>.jsonl`): one event per line.
 * `user` and `assistant` lines carry an Anthropic message (`message: {role, content}`); Claude Code
 * writes each content block of one reply on a line of its own, so consecutive assistant lines with
 * the same `message.id` are one assistant turn (text, thinking, tool_use). tool_result blocks are
 * tool turns. Lines marked `isMeta` (notices Claude Code adds for the model, not shown) and events
 * (progress, snapshots, summaries) are not turns; a `summary` line gives the title. Sidechain lines
 * (`isSidechain`: a subagent's own conversation) form a second conversation.
 */
export const claudeCode = defineJsonFormat({
  id: 'claude-code',
  label: 'Claude Code session',
  extensions: ['.jsonl'],
  score(node: Node): number {
    const type = str(prop(node, 'type'));
    if (type === undefined) return 0;
    if (type === 'user' || type === 'assistant') {
      return prop(node, 'message')?.type === 'object' &&
        (prop(node, 'uuid') !== undefined || prop(node, 'sessionId') !== undefined)
        ? 0.95
        : 0;
    }
    if (!EVENT_TYPES.has(type)) return 0;
    return prop(node, 'sessionId') || prop(node, 'leafUuid') || prop(node, 'messageId') ? 0.9 : 0;
  },
  readAll(records, text, sink) {
    const main: JsonRecord[] = [];
    const side: JsonRecord[] = [];
    let title: string | undefined;
    for (const r of records) {
      const type = str(prop(r.node, 'type'));
      if (type === 'summary') title ??= str(prop(r.node, 'summary'));
      if (type !== 'user' && type !== 'assistant') continue;
      (prop(r.node, 'isSidechain')?.value === true ? side : main).push(r);
    }
    const out: Conversation[] = [];
    const whole = { start: 0, end: text.length };
    const sessionId = records.map((r) => str(prop(r.node, 'sessionId'))).find((s) => s !== undefined);
    const metadata = {
      ...(sessionId !== undefined ? { sessionId } : {}),
      ...(title !== undefined ? { title } : {}),
    };
    if (main.length > 0 || side.length === 0) {
      out.push(
        finishConversation(
          { turns: readLines(main, text, sink), metadata, range: whole, label: title ?? 'session' },
          sink,
        ),
      );
    }
    if (side.length > 0) {
      out.push(
        finishConversation(
          { turns: readLines(side, text, sink), metadata, range: whole, label: 'sidechain' },
          sink,
        ),
      );
    }
    return out;
  },
});

function readLines(lines: readonly JsonRecord[], text: string, sink: DiagnosticSink): Turn[] {
  const turns: Turn[] = [];
  let pending: TurnPart[] = [];
  let pendingId: string | undefined;
  const flush = (): void => {
    const t = messageTurn('assistant', pending, { rawRole: 'assistant' });
    if (t) turns.push(t);
    pending = [];
    pendingId = undefined;
  };
  for (const line of lines) {
    const message = prop(line.node, 'message');
    const role = str(prop(message, 'role')) ?? str(prop(line.node, 'type'));
    if (prop(line.node, 'isMeta')?.value === true) continue;
    const content = prop(message, 'content');
    if (role === 'assistant') {
      const id = str(prop(message, 'id'));
      if (id === undefined || id !== pendingId) flush();
      pendingId = id;
      if (content?.type === 'array') {
        for (const block of items(content)) {
          const type = str(prop(block, 'type'));
          if (type === 'tool_use' || type === 'server_tool_use')
            pending.push(
              callPart(str(prop(block, 'name')), prop(block, 'input'), block, str(prop(block, 'id'))),
            );
          else {
            const part = readPart(text, block, sink);
            if (part) pending.push(part);
          }
        }
      } else {
        const t = contentTurn('assistant', readContent(text, content, sink));
        if (t?.parts) pending.push(...t.parts);
        else if (t) pending.push({ text: t.text, range: t.range, encoding: 'json-string' });
      }
      continue;
    }
    flush();
    if (content?.type === 'array') turns.push(...readBlocks(text, content, 'user', 'user', sink));
    else {
      const t = contentTurn('user', readContent(text, content, sink), { rawRole: 'user' });
      if (t) turns.push(t);
    }
  }
  flush();
  return turns;
}
