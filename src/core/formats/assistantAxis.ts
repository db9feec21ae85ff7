import type { Node } from 'jsonc-parser';
import type { Turn } from '../transcript';
import { finishConversation, spanTurn } from './conversation';
import { defineJsonFormat } from './json/jsonFormat';
import { fraction, items, plain, prop, spanOf, str } from './json/jsonNodes';
import { readString } from './json/messageContent';
import { isMessage, readMessageList } from './json/messageList';

const OWN_KEYS = new Set(['conversation', 'projections', 'system_prompt']);

/**
 * The transcript JSON of the Assistant Axis paper's repository (safety-research/assistant-axis,
 * transcripts/README.md): {"model", "system_prompt"?, "conversation": [{role, content}],
 * "projections"?: number[], "steering_coefficient"? | "steering_config"?, ...}.
 */
export const assistantAxisTranscript = defineJsonFormat({
  id: 'assistant-axis',
  label: 'Assistant Axis transcript',
  extensions: ['.json'],
  score(node: Node): number {
    const list = prop(node, 'conversation');
    if (list?.type !== 'array') return 0;
    const f = fraction(items(list), (m) => isMessage(m));
    return f === 0 ? 0 : 0.5 + 0.4 * f;
  },
  read(record, text, sink) {
    const node = record.node;
    let turns: Turn[] = readMessageList(text, prop(node, 'conversation'), sink);
    const systemNode = prop(node, 'system_prompt');
    const systemSpan = systemNode?.type === 'string' ? readString(text, systemNode, sink) : undefined;

    const metadata: Record<string, unknown> = {};
    const steering: Record<string, unknown> = {};
    for (const p of node.children ?? []) {
      const key = str(p.children?.[0]);
      if (key === undefined || OWN_KEYS.has(key)) continue;
      metadata[key] = plain(p.children?.[1]);
      if (key.startsWith('steering')) steering[key] = metadata[key];
    }
    if (Object.keys(steering).length > 0) metadata.steering = steering;

    const projNode = prop(node, 'projections');
    const projections = items(projNode).map((n) => (n.type === 'number' && typeof n.value === 'number' ? n.value : Number.NaN));
    if (projNode) {
      // The README's example has one value per message; per assistant turn is the other plausible reading.
      const assistants = turns.filter((t) => t.role === 'assistant' && t.kind === 'message');
      if (projections.length === turns.length) {
        turns = turns.map((t, i) => ({ ...t, recordedProjection: projections[i] ?? Number.NaN }));
      } else if (projections.length === assistants.length) {
        let k = 0;
        turns = turns.map((t) => (t.role === 'assistant' && t.kind === 'message' ? { ...t, recordedProjection: projections[k++] ?? Number.NaN } : t));
      } else {
        sink.info(
          'projections-mismatch',
          `"projections" has ${projections.length} values for ${turns.length} turns (${assistants.length} assistant); they are kept on the conversation only.`,
          spanOf(projNode),
        );
      }
    }
    const listKey = node.children?.find((p) => p.children?.[0]?.value === 'conversation')?.children?.[0];
    return [
      finishConversation(
        {
          turns,
          metadata,
          range: record.range,
          ...(systemSpan ? { system: spanTurn('system', systemSpan, 'json-string', { rawRole: 'system_prompt' }) } : {}),
          ...(projNode ? { recordedProjections: projections } : {}),
          ...(listKey ? { anchor: spanOf(listKey) } : {}),
          ...(record.label !== undefined ? { label: record.label } : {}),
        },
        sink,
      ),
    ];
  },
});
