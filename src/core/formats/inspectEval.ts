import type { Node } from 'jsonc-parser';
import type { Conversation } from '../transcript';
import { finishConversation } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { has, items, plain, prop, spanOf, str } from './json/jsonNodes';
import { readMessageList } from './json/messageList';

/**
 * Inspect AI eval logs in JSON (`inspect eval --log-format json`): {"version", "status", "eval": {task,
 * model, ...}, "samples": [{id, epoch, messages: [...], target, scores, ...}]}. Each sample is one
 * conversation; messages are OpenAI-like, with tool calls as {id, function, arguments: {...}}.
 * The binary ".eval" (zip) log format is not read.
 */
export const inspectEval = defineJsonFormat({
  id: 'inspect-eval',
  label: 'Inspect AI eval log',
  extensions: ['.json'],
  score(node: Node): number {
    if (node.type !== 'object' || prop(node, 'eval')?.type !== 'object') return 0;
    const samples = prop(node, 'samples');
    if (!samples) return has(node, 'version') ? 0.8 : 0.4;
    if (samples.type !== 'array') return 0;
    const first = items(samples)[0];
    return !first || prop(first, 'messages')?.type === 'array' ? 0.95 : 0.5;
  },
  read(record, text, sink) {
    const evalNode = prop(record.node, 'eval');
    const task = str(prop(evalNode, 'task'));
    const model = str(prop(evalNode, 'model'));
    const samples = items(prop(record.node, 'samples'));
    if (samples.length === 0) {
      const key = record.node.children?.find((p) => p.children?.[0]?.value === 'eval')?.children?.[0];
      sink.info('no-turns', 'This eval log has no samples (written without them, or still running).', key ? spanOf(key) : { start: record.range.start, end: record.range.start + 1 });
      return [];
    }
    const out: Conversation[] = [];
    for (const sample of samples) {
      const id = scalar(prop(sample, 'id'));
      const epoch = scalar(prop(sample, 'epoch'));
      const label = `sample ${id ?? out.length + 1}${epoch !== undefined ? ` (epoch ${epoch})` : ''}`;
      const turns = readMessageList(text, prop(sample, 'messages'), sink);
      const metadata: Record<string, unknown> = { sampleId: plain(prop(sample, 'id')), epoch: plain(prop(sample, 'epoch')), task, model };
      for (const key of ['target', 'scores', 'metadata']) if (has(sample, key)) metadata[key] = plain(prop(sample, key));
      const messagesKey = sample.children?.find((p) => p.children?.[0]?.value === 'messages')?.children?.[0];
      out.push(
        finishConversation(
          { turns, metadata, range: spanOf(sample), label, ...(messagesKey ? { anchor: spanOf(messagesKey) } : {}) },
          sink,
        ),
      );
    }
    return out;
  },
});

/** A string or number node as text (sample ids are either). */
function scalar(node: Node | undefined): string | undefined {
  return node && (node.type === 'string' || node.type === 'number') ? String(node.value) : undefined;
}
