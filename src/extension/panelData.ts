/**
 * What the drift panel shows, mapped from the result store and re-run results into the panel's
 * messages (webview/protocol.ts): no vscode here, so the mapping is unit-tested in Node.
 */
import { readingNote, zoneBands } from '../core/report/reading';
import { firstWords } from '../core/report/format';
import type { RerunResult, ScoredReply, GeneratedReply } from '../engine/rerun';
import type { Sampling } from '../protocol/messages';
import {
  LIMITS,
  toStripTokens,
  toWireValue,
  type Capping,
  type Compare,
  type DataMessage,
  type Reply,
  type RerunPoint,
} from '../../webview/protocol';
import type { DocumentResult } from './resultStore';

/** The plot's data for one analysed document; null when nothing is scored yet. */
export function toDataMessage(
  result: DocumentResult,
  fileName: string,
  reruns: readonly RerunPoint[],
): DataMessage | null {
  const first = result.scores.find((s) => s !== null);
  if (!first) return null;
  return {
    type: 'data',
    uri: result.uri,
    fileName,
    model: first.model,
    axis: first.axis,
    monitorLayer: first.monitorLayer,
    tau: first.tau,
    zones: zoneBands(first.calibration),
    readingNote: readingNote(result.scores.filter((s) => s !== null))?.slice(0, 500) ?? null,
    // The band these scores were made with, not the engine's current one (settings may have changed since).
    capping: first.capping ? toCapping(first.capping.layers, first.capping.floors) : null,
    conversations: result.scores
      .flatMap((scores, ci) => {
        const conv = result.parse.conversations[ci];
        if (!scores || !conv) return [];
        return [
          {
            conversation: ci,
            label:
              result.scores.length > 1
                ? (conv.label ?? `conversation ${ci + 1}`).slice(0, 200)
                : 'assistant turns',
            turns: scores.turns
              .filter((t) => t.role === 'assistant')
              .slice(0, LIMITS.turnsPerConversation)
              .map((t) => {
                const recorded = conv.turns[t.turn]?.recordedProjection;
                return {
                  turn: t.turn,
                  value: t.value,
                  delta: t.delta,
                  zone: t.zone,
                  outOfDomain: t.outOfDomain,
                  alarm: t.alarm,
                  preview: firstWords(conv.turns[t.turn]?.text ?? '', 80),
                  tokens: toStripTokens(t.tokens),
                  tokenCount: t.tokens.length,
                  layerValues: t.layerValues.slice(0, LIMITS.layers).map(toWireValue),
                  recorded: recorded === undefined ? null : toWireValue(recorded),
                };
              }),
          },
        ];
      })
      .slice(0, LIMITS.conversations),
    reruns: [...reruns],
  };
}

function toCapping(layers: readonly number[], floors: readonly number[]): Capping {
  const n = Math.min(layers.length, floors.length, LIMITS.layers);
  return { layers: layers.slice(0, n), floors: floors.slice(0, n).map(toWireValue) };
}

function toReply(r: ScoredReply | GeneratedReply | undefined): Reply | null {
  if (!r) return null;
  const generated = 'variant' in r ? r : null;
  return {
    text: r.text.slice(0, LIMITS.replyText),
    value: toWireValue(r.value),
    zone: r.zone,
    outOfDomain: r.outOfDomain,
    tokens: toStripTokens(r.tokens),
    tokenCount: r.tokens.length,
    stopReason: generated?.stopReason ?? null,
    generatedTokens: generated?.generatedTokens ?? null,
  };
}

/** How replies were decoded, as the compare and sweep views print it. */
export function samplingLabel(s: Sampling): string {
  return s.kind === 'greedy'
    ? 'greedy'
    : `temperature ${s.temperature}, top-p ${s.topP}${s.topK ? `, top-k ${s.topK}` : ''}`;
}

/** A finished re-run as the compare view shows it. */
export function toCompare(
  target: { readonly uri: string; readonly conversation: number; readonly turn: number },
  r: RerunResult,
): Compare {
  const s = r.settings;
  const sampling = samplingLabel(s.sampling);
  return {
    uri: target.uri,
    conversation: target.conversation,
    turn: target.turn,
    original: toReply(r.original)!,
    uncapped: toReply(r.replies.find((x) => x.variant === 'uncapped')),
    capped: toReply(r.replies.find((x) => x.variant === 'capped')),
    steered: toReply(r.replies.find((x) => x.variant === 'steered')),
    settings: {
      sampling,
      seed: s.sampling.kind === 'sample' ? s.sampling.seed : null,
      maxTokens: s.maxTokens,
      monitorLayer: s.monitorLayer,
      tau: toWireValue(s.monitorTau),
      capping: toCapping(s.capLayers, s.capTaus),
      percentile: s.percentile,
      population: s.population,
      steering: s.steering && {
        alpha: s.steering.alpha,
        layers: [...s.steering.layers],
        amounts: s.steering.amounts.map((a) => toWireValue(a) ?? 0),
      },
    },
  };
}
