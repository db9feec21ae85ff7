import type { Node } from 'jsonc-parser';
import { PART_SEPARATOR, type Conversation, type Turn, type TurnPart } from '../transcript';
import { finishConversation } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { has, items, plain, prop, spanOf, str, stringSpan, type StringSpan } from './json/jsonNodes';
import { readMessageList } from './json/messageList';

/**
 * Inspect AI eval logs in JSON (`inspect eval --log-format json`): {"version", "status", "eval": {task,
 * model, ...}, "samples": [{id, epoch, messages: [...], target, scores, ...}]}. Each sample is one
 * conversation; messages are OpenAI-like, with tool calls as {id, function, arguments: {...}}.
 * A bare sample (one `samples/<id>_epoch_<n>.json` entry of a `.eval` archive) is read as a log of
 * one sample; `attachment://<hash>` contents point at the sample's `attachments` entry. The zipped
 * `.eval` log itself is read outside core (src/io/evalArchive.ts, see inspectEvalSample.ts).
 */
export const inspectEval = defineJsonFormat({
  id: 'inspect-eval',
  label: 'Inspect AI eval log',
  extensions: ['.json'],
  score(node: Node): number {
    if (isBareSample(node)) return 0.9;
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
    const samples = isBareSample(record.node) ? [record.node] : items(prop(record.node, 'samples'));
    if (samples.length === 0) {
      const key = record.node.children?.find((p) => p.children?.[0]?.value === 'eval')?.children?.[0];
      sink.info(
        'no-turns',
        'This eval log has no samples (written without them, or still running).',
        key ? spanOf(key) : { start: record.range.start, end: record.range.start + 1 },
      );
      return [];
    }
    const out: Conversation[] = [];
    for (const sample of samples) {
      const id = scalar(prop(sample, 'id'));
      const epoch = scalar(prop(sample, 'epoch'));
      const label = `sample ${id ?? out.length + 1}${epoch !== undefined ? ` (epoch ${epoch})` : ''}`;
      const attachments = attachmentsOf(text, sample);
      const turns = readMessageList(text, prop(sample, 'messages'), sink).map((t) =>
        resolveAttachments(t, attachments),
      );
      const metadata: Record<string, unknown> = {
        sampleId: plain(prop(sample, 'id')),
        epoch: plain(prop(sample, 'epoch')),
        task,
        model,
      };
      for (const key of ['target', 'scores', 'metadata'])
        if (has(sample, key)) metadata[key] = plain(prop(sample, key));
      const messagesKey = sample.children?.find((p) => p.children?.[0]?.value === 'messages')?.children?.[0];
      out.push(
        finishConversation(
          {
            turns,
            metadata,
            range: spanOf(sample),
            label,
            ...(messagesKey ? { anchor: spanOf(messagesKey) } : {}),
          },
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

/** One sample on its own: messages plus the fields only an Inspect sample has. */
function isBareSample(node: Node): boolean {
  return (
    node.type === 'object' &&
    prop(node, 'messages')?.type === 'array' &&
    prop(node, 'epoch')?.type === 'number' &&
    (has(node, 'target') || has(node, 'scores')) &&
    !has(node, 'eval')
  );
}

const ATTACHMENT = 'attachment://';

/** The strings of a sample's `attachments` map by hash. */
function attachmentsOf(text: string, sample: Node): Map<string, StringSpan> {
  const out = new Map<string, StringSpan>();
  for (const p of prop(sample, 'attachments')?.children ?? []) {
    const key = str(p.children?.[0]);
    const span = stringSpan(text, p.children?.[1]);
    if (key !== undefined && span) out.set(key, span);
  }
  return out;
}

/** Content written as `attachment://<hash>` points at the attachment's text, as Inspect shows it. */
function resolveAttachments(turn: Turn, attachments: ReadonlyMap<string, StringSpan>): Turn {
  if (attachments.size === 0) return turn;
  const resolve = <T extends { text: string; encoding?: string }>(x: T): StringSpan | undefined =>
    x.encoding === 'json-string' && x.text.startsWith(ATTACHMENT)
      ? attachments.get(x.text.slice(ATTACHMENT.length))
      : undefined;
  if (turn.encoding === 'parts' && turn.parts) {
    const parts: TurnPart[] = turn.parts.map((p) => {
      const a = resolve(p);
      return a ? { ...p, text: a.text, range: a.range } : p;
    });
    if (parts.every((p, i) => p === turn.parts?.[i])) return turn;
    // A part moved to the attachments map: the turn's text and range follow its parts, in file order.
    const ordered = [...parts].sort((a, b) => a.range.start - b.range.start);
    const first = ordered[0];
    const last = ordered[ordered.length - 1];
    if (!first || !last) return turn;
    return {
      ...turn,
      parts: ordered,
      text: ordered.map((p) => p.text).join(PART_SEPARATOR),
      range: { start: first.range.start, end: last.range.end },
    };
  }
  const a = resolve(turn);
  return a ? { ...turn, text: a.text, range: a.range } : turn;
}
