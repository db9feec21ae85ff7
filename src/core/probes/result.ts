/**
 * What a stress test of one system prompt yields, and how it is summed up: per probe the trajectory
 * of its assistant replies (each read like an editor turn: value, zone, domain), the reply at which it
 * first leaves the assistant zone and its slope; over all probes the share of replies in the
 * assistant zone, the mean slope and the worst reply with its text. Pure data, so it travels to the
 * CLI, the panel, exports and the on-disk cache alike.
 */
import type { Zone } from '../axis/calibration';
import type { ConversationScores } from '../scores';
import type { ProbeCategory, ProbeSetSize } from './types';

/** One assistant reply of a probe run. */
export interface ProbeReply {
  /** 1-based position among the probe's replies: 2 is "the second assistant turn". */
  readonly reply: number;
  /** Index of the reply in the probe conversation (0 = the first user message; the system prompt sits outside the turns). */
  readonly turn: number;
  /** The user message it answers. */
  readonly user: string;
  /** The generated reply. */
  readonly text: string;
  readonly stopReason: 'eos' | 'maxTokens';
  /** Tokens generated for it. */
  readonly tokens: number;
  /** Mean projection at the monitor layer over the reply's content tokens; null when it could not be scored (no tokens, cut). */
  readonly value: number | null;
  /** Null when unscored, out of the model's domain, or where the axis draws no zones. */
  readonly zone: Zone | null;
  readonly outOfDomain: boolean;
  /** Nats per token; null when unknown. */
  readonly surprise: number | null;
}

/** One probe run under one system prompt. */
export interface ProbeRun {
  readonly id: string;
  readonly category: ProbeCategory;
  readonly title: string;
  /** The sampling seed of this probe (its replies' seeds derive from it and the reply number). */
  readonly seed: number;
  readonly replies: readonly ProbeReply[];
  /** The whole probe conversation scored like a transcript: what the gates read. */
  readonly scores: ConversationScores;
  /** The first reply (1-based) that reads drifting or role; null when every reply stays in the assistant zone (or none has a zone). */
  readonly leftAt: number | null;
  /** Least-squares slope of the value per reply over the replies in the model's domain; null with fewer than two. */
  readonly slope: number | null;
}

/** The worst reply of a stress test: the lowest value in the model's domain. */
export interface WorstReply {
  readonly probe: string;
  readonly reply: number;
  readonly turn: number;
  readonly value: number;
  readonly zone: Zone | null;
  readonly text: string;
}

/** The summary line of a stress test. */
export interface StressSummary {
  readonly probes: number;
  readonly replies: number;
  /** Replies per zone; `none`: unscored, out of domain, or no zones. */
  readonly zones: { readonly assistant: number; readonly drifting: number; readonly role: number; readonly none: number };
  /** Share (0..1) of zoned replies in the assistant zone; null when no reply has a zone. */
  readonly assistantShare: number | null;
  /** Probes that leave the assistant zone at some reply. */
  readonly left: number;
  /** Probes that leave by their second reply. */
  readonly leftBySecond: number;
  /** Mean of the probes' slopes (axis units per reply); null when no probe has one. */
  readonly meanSlope: number | null;
  /** Mean value over the replies in the model's domain; null when there are none. */
  readonly meanValue: number | null;
  readonly worst: WorstReply | null;
}

/** What a stress test ran with: everything its cache key and a reader need to reproduce it. */
export interface StressSettings {
  readonly probeSet: { readonly size: ProbeSetSize; readonly version: number; readonly hash: string };
  readonly seed: number;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly monitorLayer: number;
  readonly model: string;
  readonly axis: string;
}

/** A stress test of one system prompt. */
export interface StressTest {
  /** The system prompt; null for no system message. */
  readonly prompt: string | null;
  readonly settings: StressSettings;
  readonly runs: readonly ProbeRun[];
  readonly summary: StressSummary;
}

/** Fills leftAt and slope of one probe run from its replies. */
export function withTrajectory(run: Omit<ProbeRun, 'leftAt' | 'slope'>): ProbeRun {
  const left = run.replies.find((r) => r.zone === 'drifting' || r.zone === 'role');
  return { ...run, leftAt: left?.reply ?? null, slope: slopeOf(readable(run.replies)) };
}

/** Sums up the probe runs of one stress test. */
export function summarize(runs: readonly ProbeRun[]): StressSummary {
  const replies = runs.flatMap((r) => r.replies.map((x) => ({ run: r, x })));
  const count = (z: Zone): number => replies.filter((r) => r.x.zone === z).length;
  const zones = { assistant: count('assistant'), drifting: count('drifting'), role: count('role'), none: replies.filter((r) => r.x.zone === null).length };
  const zoned = zones.assistant + zones.drifting + zones.role;
  const slopes = runs.flatMap((r) => (r.slope === null ? [] : [r.slope]));
  const inDomain = replies.filter((r) => isReadable(r.x));
  let worst: WorstReply | null = null;
  for (const { run, x } of inDomain) {
    if (worst === null || (x.value as number) < worst.value) worst = { probe: run.id, reply: x.reply, turn: x.turn, value: x.value as number, zone: x.zone, text: x.text };
  }
  return {
    probes: runs.length,
    replies: replies.length,
    zones,
    assistantShare: zoned === 0 ? null : zones.assistant / zoned,
    left: runs.filter((r) => r.leftAt !== null).length,
    leftBySecond: runs.filter((r) => r.leftAt !== null && r.leftAt <= 2).length,
    meanSlope: slopes.length === 0 ? null : slopes.reduce((a, b) => a + b, 0) / slopes.length,
    meanValue: inDomain.length === 0 ? null : inDomain.reduce((a, r) => a + (r.x.value as number), 0) / inDomain.length,
    worst,
  };
}

function isReadable(r: ProbeReply): boolean {
  return r.value !== null && Number.isFinite(r.value) && !r.outOfDomain;
}

function readable(replies: readonly ProbeReply[]): { x: number; y: number }[] {
  return replies.filter(isReadable).map((r) => ({ x: r.reply, y: r.value as number }));
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function slopeOf(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? null : sxy / sxx;
}
