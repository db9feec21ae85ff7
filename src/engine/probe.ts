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
import {
  compareStressTests,
  summarize,
  withTrajectory,
  type ProbeReply,
  type ProbeRun,
  type ProbeSet,
  type StressComparison,
  type StressSettings,
  type StressTest,
} from '../core/probes';
import type { Probe } from '../core/probes/types';
import type { ConversationScores } from '../core/scores';
import type { Conversation, Turn } from '../core/transcript';
import type { EngineClient, TokenEvent } from './client';
import { throwIfAborted } from '../protocol/errors';
import { sha256Text } from '../model/graphFiles';
import type { ChatMessage, GenerateResult, Sampling } from '../protocol/messages';
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
  /** Each generated token, for a front-end that streams the text (interleaved across the probes played together). */
  readonly onToken?: (label: PromptLabel, probe: string, reply: number, token: TokenEvent) => void;
  /** Replies generated together in one batch (default PROBE_BATCH); 1 plays one probe after the other. */
  readonly parallel?: number;
}

/** The sampling seed of one probe: the base seed mixed with its id (as axis runs mix theirs). */
export function probeSeed(seed: number, probeId: string): number {
  return runSeed(seed, probeId);
}

/** Stress-tests one system prompt (null: no system message) on the probe set. */
export async function stressTest(
  client: EngineClient,
  s: OpenSession,
  prompt: string | null,
  o: StressOptions,
  signal?: AbortSignal,
): Promise<StressTest> {
  const tracker = new ProgressTracker(
    o,
    o.probeSet.probes.reduce((n, p) => n + p.turns.length, 0),
  );
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
  const cacheA = openCache(s, promptA, o);
  const cacheB = openCache(s, promptB, o);
  // Probe by probe, A then B: the order a sequential test plays them, and the order of the results.
  const jobs = o.probeSet.probes.flatMap((probe): ProbeJob[] => [
    { label: 'A', prompt: promptA, probe, cache: cacheA },
    { label: 'B', prompt: promptB, probe, cache: cacheB },
  ]);
  const runs = await playProbes(client, s, jobs, o, tracker, signal);
  const runsA = runs.filter((_, i) => jobs[i]?.label === 'A');
  const runsB = runs.filter((_, i) => jobs[i]?.label === 'B');
  const a: StressTest = {
    prompt: promptA,
    settings: cacheA.settings,
    runs: runsA,
    summary: summarize(runsA),
  };
  const b: StressTest = {
    prompt: promptB,
    settings: cacheB.settings,
    runs: runsB,
    summary: summarize(runsB),
  };
  return compareStressTests(a, b, threshold);
}

async function runPrompt(
  client: EngineClient,
  s: OpenSession,
  prompt: string | null,
  label: PromptLabel,
  o: StressOptions,
  tracker: ProgressTracker,
  signal?: AbortSignal,
): Promise<StressTest> {
  const cache = openCache(s, prompt, o);
  const runs = await playProbes(
    client,
    s,
    o.probeSet.probes.map((probe) => ({ label, prompt, probe, cache })),
    o,
    tracker,
    signal,
  );
  return { prompt, settings: cache.settings, runs, summary: summarize(runs) };
}

/** Replies generated together in one batch when probes play in lockstep. */
const PROBE_BATCH = 16;

/** One probe to play under one prompt: where its run is cached and reported. */
interface ProbeJob {
  readonly label: PromptLabel;
  readonly prompt: string | null;
  readonly probe: Probe;
  readonly cache: ProbeCache;
}

/** A probe being played: the conversation so far and its replies. */
interface Playing {
  readonly job: ProbeJob;
  readonly seed: number;
  readonly system: readonly ChatMessage[];
  readonly messages: ChatMessage[];
  readonly generated: Generated[];
  scores: ConversationScores | null;
}

/**
 * Plays probe jobs and returns their runs in job order; cached runs are read back. The uncached probes
 * advance in lockstep, each reply step generated as batches of PROBE_BATCH replies (generateBatch gives
 * every row the tokens single-stream generation gives it, so the results, and the cache, are the same
 * either way; test/unit/engine/probe.test.ts), their tokens streamed by row. With `parallel` 1, or a
 * model without a KV cache (it cannot batch), one probe after the other.
 */
async function playProbes(
  client: EngineClient,
  s: OpenSession,
  jobs: readonly ProbeJob[],
  o: StressOptions,
  tracker: ProgressTracker,
  signal?: AbortSignal,
): Promise<ProbeRun[]> {
  const parallel = o.parallel ?? PROBE_BATCH;
  if (!s.info.kvCache || parallel <= 1) {
    const runs: ProbeRun[] = [];
    for (const job of jobs) runs.push(await runProbe(client, s, job, o, tracker, signal));
    return runs;
  }
  const runs: (ProbeRun | null)[] = jobs.map((job) => cachedRun(job, o, tracker));
  const live = jobs.flatMap((job, i) => (runs[i] ? [] : [{ at: i, p: startProbe(job, o) }]));
  const maxTokens = o.maxTokens ?? PROBE_MAX_TOKENS;
  const steps = Math.max(0, ...live.map((l) => l.p.job.probe.turns.length));
  for (let k = 0; k < steps; k++) {
    const step = live.filter((l) => k < l.p.job.probe.turns.length);
    for (let g = 0; g < step.length; g += parallel) {
      throwIfAborted(signal);
      const group = step.slice(g, g + parallel);
      const t0 = Date.now();
      for (const { p } of group) p.messages.push({ role: 'user', content: p.job.probe.turns[k] as string });
      const gens = await client.generateBatch(
        group.map(({ p }) => ({ messages: p.messages, sampling: replySampling(o, p.seed, k + 1) })),
        { axis: s.spec, capping: false, maxTokens },
        signal,
        o.onToken
          ? (row, t) => {
              const job = (group[row] as (typeof group)[number]).p.job;
              o.onToken?.(job.label, job.probe.id, k + 1, t);
            }
          : undefined,
      );
      const share = (Date.now() - t0) / group.length;
      for (const [b, l] of group.entries()) {
        const t1 = Date.now();
        const gen = gens[b] as GenerateResult;
        await addReply(client, s, l.p, gen.text, gen.stopReason, gen.tokens.tokenId.length, o, signal);
        tracker.step(l.p.job.label, l.p.job.probe.id, k + 1, share + Date.now() - t1);
        if (k + 1 === l.p.job.probe.turns.length) runs[l.at] = finishProbe(l.p, o);
      }
    }
  }
  return runs.map((r) => r as ProbeRun);
}

/** The job's run from its cache (reported as done), or null. */
function cachedRun(job: ProbeJob, o: StressOptions, tracker: ProgressTracker): ProbeRun | null {
  const known = job.cache.runs.get(job.probe.id);
  if (!known) return null;
  tracker.skip(job.label, job.probe.id, job.probe.turns.length);
  o.onProbe?.(job.label, known);
  return known;
}

function startProbe(job: ProbeJob, o: StressOptions): Playing {
  const system: ChatMessage[] = job.prompt === null ? [] : [{ role: 'system', content: job.prompt }];
  return {
    job,
    seed: probeSeed(o.seed, job.probe.id),
    system,
    messages: [...system],
    generated: [],
    scores: null,
  };
}

/** The sampling of a probe's reply `reply` (1-based): its own seed, from the probe's. */
function replySampling(o: StressOptions, probeSeedValue: number, reply: number): Sampling {
  return temperatureSampling(
    o.temperature ?? PROBE_SAMPLING.temperature,
    o.topP ?? PROBE_SAMPLING.topP,
    runSeed(probeSeedValue, String(reply)),
  );
}

/** Adds a generated reply to the probe's conversation and scores the conversation so far. */
async function addReply(
  client: EngineClient,
  s: OpenSession,
  p: Playing,
  generatedText: string,
  stopReason: 'eos' | 'maxTokens',
  tokens: number,
  o: StressOptions,
  signal?: AbortSignal,
): Promise<void> {
  // Trimmed as the axis's own replies were, so a probe reply reads like its calibration peers.
  const text = generatedText.trim();
  p.messages.push({ role: 'assistant', content: text });
  p.generated.push({ text, stopReason, tokens });
  p.scores = await scoreConversation(
    client,
    s,
    probeConversation(p.job.prompt, p.messages.slice(p.system.length)),
    signal,
  );
  const replies = repliesOf(p.job.probe, p.generated, p.scores);
  o.onReply?.(p.job.label, p.job.probe.id, replies[replies.length - 1] as ProbeReply);
}

/** The finished run: cached and reported. */
function finishProbe(p: Playing, o: StressOptions): ProbeRun {
  const { probe } = p.job;
  const run = withTrajectory({
    id: probe.id,
    category: probe.category,
    title: probe.title,
    seed: p.seed,
    replies: repliesOf(probe, p.generated, p.scores as ConversationScores),
    scores: p.scores as ConversationScores,
  });
  p.job.cache.add(run);
  o.onProbe?.(p.job.label, run);
  return run;
}

/** Plays one probe, reply by reply, each streamed as it is generated. */
async function runProbe(
  client: EngineClient,
  s: OpenSession,
  job: ProbeJob,
  o: StressOptions,
  tracker: ProgressTracker,
  signal?: AbortSignal,
): Promise<ProbeRun> {
  throwIfAborted(signal);
  const known = cachedRun(job, o, tracker);
  if (known) return known;
  const p = startProbe(job, o);
  const maxTokens = o.maxTokens ?? PROBE_MAX_TOKENS;
  for (const [k, user] of job.probe.turns.entries()) {
    throwIfAborted(signal);
    const reply = k + 1;
    const t0 = Date.now();
    p.messages.push({ role: 'user', content: user });
    // With the session's axis (uncapped), generation reuses the KV cache the last scoring kept.
    const gen = await client.generate(
      p.messages,
      { axis: s.spec, capping: false, maxTokens, sampling: replySampling(o, p.seed, reply) },
      o.onToken ? (t) => o.onToken?.(job.label, job.probe.id, reply, t) : undefined,
      signal,
    );
    await addReply(client, s, p, gen.text, gen.stopReason, gen.tokens.tokenId.length, o, signal);
    tracker.step(job.label, job.probe.id, reply, Date.now() - t0);
  }
  return finishProbe(p, o);
}

/** The probe conversation as a transcript: the system prompt outside the turns, so turn 0 is the first user message. */
function probeConversation(prompt: string | null, messages: readonly ChatMessage[]): Conversation {
  const at = { start: 0, end: 0 };
  const turns: Turn[] = messages.map((m) => ({ role: m.role as Turn['role'], text: m.content, range: at }));
  return {
    turns,
    metadata: {},
    ...(prompt === null ? {} : { system: { role: 'system', text: prompt, range: at } }),
  };
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
    this.o.onProgress?.({
      done: this.done,
      total: this.total,
      etaMs,
      label,
      probe,
      reply: replies,
      cached: true,
    });
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
    reading: {
      monitorLayer: s.spec.monitorLayer,
      percentile: s.spec.percentile,
      population: s.spec.population,
      dropAlarm: s.dropAlarm,
      maxTokens: s.maxTokensPerConversation ?? null,
    },
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
