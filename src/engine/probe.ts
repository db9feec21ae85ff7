/**
 * Stress test of a system prompt (issue 28): every probe of the probe set (src/core/probes) is played
 * turn by turn; the model writes each assistant reply (seeded sampling, a seed per probe and reply),
 * and the conversation so far is scored like an editor transcript after each reply, so every value,
 * zone and domain check is the editor's (src/engine/session.ts scoreConversation). Host side, over
 * EngineClient. Finished probes are appended to a cache file keyed by everything that decides the
 * result, so a repeated test is read back and a cancelled one resumes where it stopped.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AXIS_SAMPLING, runSeed } from '../core/axis/axisPlan';
import { canonicalJson } from '../core/canonicalJson';
import { compareStressTests, summarize, withTrajectory, type ProbeReply, type ProbeRun, type ProbeSet, type StressComparison, type StressSettings, type StressTest } from '../core/probes';
import type { Probe } from '../core/probes/types';
import type { ConversationScores } from '../core/scores';
import type { Conversation, Turn } from '../core/transcript';
import type { EngineClient, TokenEvent } from './client';
import { throwIfAborted } from '../protocol/errors';
import { sha256Text } from '../model/graphFiles';
import type { ChatMessage } from '../protocol/messages';
import { temperatureSampling } from '../core/sampler';
import { axisLabel, scoreConversation, type OpenSession } from './session';

/** Tokens per probe reply: the editor's re-run default; enough to read the persona of a reply's opening. */
export const PROBE_MAX_TOKENS = 128;

/**
 * Probe replies are sampled as the axis's own replies were (the reference pipeline's temperature 0.7,
 * top-p 0.9): the zones are cut from replies sampled that way, so a probe reply reads against its peers.
 */
export const PROBE_SAMPLING = AXIS_SAMPLING;

/** Bump when ProbeRun's stored shape changes, so older cache files are started afresh. */
const CACHE_VERSION = 1;

/** Which prompt of a comparison an event belongs to; null for a single stress test. */
export type PromptLabel = 'A' | 'B' | null;

export interface ProbeProgress {
  /** Replies finished (generated or read from the cache) and all replies of the test (both prompts in a comparison). */
  readonly done: number;
  readonly total: number;
  /** Estimated milliseconds left, from the mean time of the replies generated so far; null before the first. */
  readonly etaMs: number | null;
  readonly label: PromptLabel;
  readonly probe: string;
  /** 1-based reply within the probe. */
  readonly reply: number;
  /** The probe's runs came from the cache. */
  readonly cached: boolean;
}

export interface StressOptions {
  readonly probeSet: ProbeSet;
  /** Base seed; each probe's replies draw from seeds derived from it and the probe id. */
  readonly seed: number;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  /** Folder for the result cache (<cacheDir>/probes); null: no cache. */
  readonly cacheDir: string | null;
  readonly onProgress?: (p: ProbeProgress) => void;
  /** Each finished reply, scored, as soon as it is. */
  readonly onReply?: (label: PromptLabel, probe: string, reply: ProbeReply) => void;
  /** Each finished probe run (also the ones read from the cache). */
  readonly onProbe?: (label: PromptLabel, run: ProbeRun) => void;
  /** Each generated token, for a front-end that streams the text. */
  readonly onToken?: (label: PromptLabel, probe: string, reply: number, token: TokenEvent) => void;
}

/** The sampling seed of one probe: the base seed mixed with its id (as axis runs mix theirs). */
export function probeSeed(seed: number, probeId: string): number {
  return runSeed(seed, probeId);
}

/** Stress-tests one system prompt (null: no system message) on the probe set. */
export async function stressTest(client: EngineClient, s: OpenSession, prompt: string | null, o: StressOptions, signal?: AbortSignal): Promise<StressTest> {
  const tracker = new ProgressTracker(o, o.probeSet.probes.reduce((n, p) => n + p.turns.length, 0));
  return runPrompt(client, s, prompt, null, o, tracker, signal);
}

/**
 * Stress-tests two prompts on the same probes with the same seeds, probe by probe (A then B), so
 * progress and a cancel treat them as one test, and compares them (see compareStressTests).
 */
export async function compareStress(
  client: EngineClient,
  s: OpenSession,
  promptA: string | null,
  promptB: string | null,
  threshold: number,
  o: StressOptions,
  signal?: AbortSignal,
): Promise<StressComparison> {
  const tracker = new ProgressTracker(o, 2 * o.probeSet.probes.reduce((n, p) => n + p.turns.length, 0));
  const runsA: ProbeRun[] = [];
  const runsB: ProbeRun[] = [];
  const cacheA = openCache(s, promptA, o);
  const cacheB = openCache(s, promptB, o);
  for (const probe of o.probeSet.probes) {
    runsA.push(await runProbe(client, s, promptA, 'A', probe, o, cacheA, tracker, signal));
    runsB.push(await runProbe(client, s, promptB, 'B', probe, o, cacheB, tracker, signal));
  }
  const a: StressTest = { prompt: promptA, settings: cacheA.settings, runs: runsA, summary: summarize(runsA) };
  const b: StressTest = { prompt: promptB, settings: cacheB.settings, runs: runsB, summary: summarize(runsB) };
  return compareStressTests(a, b, threshold);
}

async function runPrompt(client: EngineClient, s: OpenSession, prompt: string | null, label: PromptLabel, o: StressOptions, tracker: ProgressTracker, signal?: AbortSignal): Promise<StressTest> {
  const cache = openCache(s, prompt, o);
  const runs: ProbeRun[] = [];
  for (const probe of o.probeSet.probes) runs.push(await runProbe(client, s, prompt, label, probe, o, cache, tracker, signal));
  return { prompt, settings: cache.settings, runs, summary: summarize(runs) };
}

async function runProbe(
  client: EngineClient,
  s: OpenSession,
  prompt: string | null,
  label: PromptLabel,
  probe: Probe,
  o: StressOptions,
  cache: ProbeCache,
  tracker: ProgressTracker,
  signal?: AbortSignal,
): Promise<ProbeRun> {
  throwIfAborted(signal);
  const known = cache.runs.get(probe.id);
  if (known) {
    tracker.skip(label, probe.id, probe.turns.length);
    o.onProbe?.(label, known);
    return known;
  }
  const seed = probeSeed(o.seed, probe.id);
  const maxTokens = o.maxTokens ?? PROBE_MAX_TOKENS;
  const system: ChatMessage[] = prompt === null ? [] : [{ role: 'system', content: prompt }];
  const messages: ChatMessage[] = [...system];
  const generated: Generated[] = [];
  let scores: ConversationScores | null = null;
  for (const [k, user] of probe.turns.entries()) {
    throwIfAborted(signal);
    const reply = k + 1;
    const t0 = Date.now();
    messages.push({ role: 'user', content: user });
    const sampling = temperatureSampling(o.temperature ?? PROBE_SAMPLING.temperature, o.topP ?? PROBE_SAMPLING.topP, runSeed(seed, String(reply)));
    // With the session's axis (uncapped), generation reuses the KV cache the last scoring kept.
    const gen = await client.generate(messages, { axis: s.spec, capping: false, maxTokens, sampling }, o.onToken ? (t) => o.onToken?.(label, probe.id, reply, t) : undefined, signal);
    // Trimmed as the axis's own replies were, so a probe reply reads like its calibration peers.
    const text = gen.text.trim();
    messages.push({ role: 'assistant', content: text });
    generated.push({ text, stopReason: gen.stopReason, tokens: gen.tokens.tokenId.length });
    scores = await scoreConversation(client, s, probeConversation(prompt, messages.slice(system.length)), signal);
    const replies = repliesOf(probe, generated, scores);
    o.onReply?.(label, probe.id, replies[replies.length - 1] as ProbeReply);
    tracker.step(label, probe.id, reply, Date.now() - t0);
  }
  const run = withTrajectory({ id: probe.id, category: probe.category, title: probe.title, seed, replies: repliesOf(probe, generated, scores as ConversationScores), scores: scores as ConversationScores });
  cache.add(run);
  o.onProbe?.(label, run);
  return run;
}

/** The probe conversation as a transcript: the system prompt outside the turns, so turn 0 is the first user message. */
function probeConversation(prompt: string | null, messages: readonly ChatMessage[]): Conversation {
  const at = { start: 0, end: 0 };
  const turns: Turn[] = messages.map((m) => ({ role: m.role as Turn['role'], text: m.content, range: at }));
  return { turns, metadata: {}, ...(prompt === null ? {} : { system: { role: 'system', text: prompt, range: at } }) };
}

/** One generated reply before it is read. */
interface Generated {
  readonly text: string;
  readonly stopReason: 'eos' | 'maxTokens';
  readonly tokens: number;
}

function repliesOf(probe: Probe, generated: readonly Generated[], scores: ConversationScores): ProbeReply[] {
  return generated.map((g, i) => {
    const turn = 2 * i + 1;
    const t = scores.turns.find((x) => x.turn === turn);
    return {
      reply: i + 1,
      turn,
      user: probe.turns[i] as string,
      text: g.text,
      stopReason: g.stopReason,
      tokens: g.tokens,
      value: t ? t.value : null,
      zone: t ? t.zone : null,
      outOfDomain: t ? t.outOfDomain : false,
      surprise: t ? t.surprise : null,
    };
  });
}

class ProgressTracker {
  private done = 0;
  private generated = 0;
  private spent = 0;

  constructor(
    private readonly o: StressOptions,
    private readonly total: number,
  ) {}

  step(label: PromptLabel, probe: string, reply: number, ms: number): void {
    this.done++;
    this.generated++;
    this.spent += ms;
    const etaMs = ((this.total - this.done) * this.spent) / this.generated;
    this.o.onProgress?.({ done: this.done, total: this.total, etaMs, label, probe, reply, cached: false });
  }

  skip(label: PromptLabel, probe: string, replies: number): void {
    this.done += replies;
    const etaMs = this.generated === 0 ? null : ((this.total - this.done) * this.spent) / this.generated;
    this.o.onProgress?.({ done: this.done, total: this.total, etaMs, label, probe, reply: replies, cached: true });
  }
}

interface ProbeCache {
  readonly settings: StressSettings;
  readonly runs: ReadonlyMap<string, ProbeRun>;
  add(run: ProbeRun): void;
}

/**
 * The cache of one stress test: a JSON-lines file whose first line is the key material (model graph,
 * axis file, prompt, probe set, seed, decoding and reading settings) and every further line a finished
 * probe run. A file whose first line differs is started afresh.
 */
function openCache(s: OpenSession, prompt: string | null, o: StressOptions): ProbeCache {
  const settings: StressSettings = {
    probeSet: { size: o.probeSet.size, version: o.probeSet.version, hash: o.probeSet.hash },
    seed: o.seed,
    maxTokens: o.maxTokens ?? PROBE_MAX_TOKENS,
    temperature: o.temperature ?? PROBE_SAMPLING.temperature,
    topP: o.topP ?? PROBE_SAMPLING.topP,
    monitorLayer: s.spec.monitorLayer,
    model: s.ref.label,
    axis: axisLabel(s.axisPath),
  };
  const runs = new Map<string, ProbeRun>();
  if (o.cacheDir === null) return { settings, runs, add: () => undefined };
  const header = {
    kind: 'persona-lens-probe-cache',
    version: CACHE_VERSION,
    graph: s.fileHash,
    dtype: s.dtype,
    axis: sha256Text(readFileSync(s.axisPath)),
    prompt: prompt === null ? null : sha256Text(prompt),
    probeSet: settings.probeSet,
    seed: settings.seed,
    maxTokens: settings.maxTokens,
    temperature: settings.temperature,
    topP: settings.topP,
    // What the reading of a value depends on besides the axis file: the layer, the capping floor shown, the drop alarm, the token limit.
    reading: { monitorLayer: s.spec.monitorLayer, percentile: s.spec.percentile, population: s.spec.population, dropAlarm: s.dropAlarm, maxTokens: s.maxTokensPerConversation ?? null },
  };
  const headerLine = canonicalJson(header);
  const path = join(o.cacheDir, 'probes', `${sha256Text(headerLine).slice(0, 32)}.jsonl`);
  if (existsSync(path)) {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    if (lines[0] === headerLine) {
      for (const line of lines.slice(1)) {
        try {
          const run = JSON.parse(line) as ProbeRun;
          runs.set(run.id, run);
        } catch {
          // A line cut by an interruption: that probe is simply run again.
        }
      }
    } else writeFileSync(path, `${headerLine}\n`);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${headerLine}\n`);
  }
  return { settings, runs, add: (run) => appendFileSync(path, `${JSON.stringify(run)}\n`) };
}
