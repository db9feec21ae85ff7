/**
 * Runs the demo model's proof (issue 11) through the real engine and returns every measurement
 * with its target. Used by `npm run demo:proof` (tools/demo-model/proof/main.ts) and, on subsets,
 * by the tests in test/unit/demo.
 */
import { join } from 'node:path';
import { floorAt, type FloorPopulation } from '../../../src/core/axis/axisFile';
import { mean } from '../../../src/core/stats/descriptive';
import { DEFAULT_PERSONA } from '../../../src/core/axis/axisBuilder';
import { planAxisRuns, responseProblem } from '../../../src/core/axis/axisPlan';
import { loadBattery } from '../../../src/core/battery';
import type { AxisSpec } from '../../../src/core/axis/axisSpec';
import {
  cappingEffect,
  checkTarget,
  driftTrend,
  pc1AxisCosine,
  registerShare,
  roleOrderSpearman,
  separationAuc,
  templateValidity,
  type GeneratedText,
  type ProofTarget,
} from '../../../src/core/demo/proofMetrics';
import type { ProofData, DoseRow, CappingRow } from '../../../src/core/demo/proofReport';
import { hasRoleMarkers, personaKeeping } from '../../../src/core/demo/persona';
import type { EngineClient } from '../../../src/engine/client';
import type { ChatMessage } from '../../../src/protocol/messages';
import { openSession, type OpenSession } from '../../../src/engine/session';
import { runSampling } from '../../../src/engine/axisCompute';
import { assistantTurnValues, generateReplies, groupVectors, projectAt, replyActivations } from './engineMeasures';
import type { EvalSets } from './evalFiles';

export interface ProofOptions {
  readonly packageRoot: string;
  /** "demo" (default), or a candidate model folder with its axis.json beside it. */
  readonly model?: string;
  readonly cacheDir: string;
  /** Sampling temperature of every generation (0 = greedy). */
  readonly temperature: number;
  /** Prompt j of a set is sampled with seed seedBase + j, capped and uncapped alike. */
  readonly seedBase: number;
  readonly maxTokens: number;
  /** Use every k-th prompt of the generation sets for the dose-response table (1 = all, 0 = no table). */
  readonly doseStride: number;
  readonly onProgress?: (message: string) => void;
}

/** Teacher-forced measures: generator replies on held-out questions (eval/axis-set.json), projected on the committed axis. */
export interface AxisMeasures {
  readonly perLayer: { layer: number; auc: number; roleSpearman: number; pc1: number }[];
  readonly roleMeans: { role: string; mix: number; value: number; n: number }[];
  readonly defaultMean: number;
  readonly defaultN: number;
}

/** AUC, role order and PC1 alignment at every layer, from the teacher-forced replies of axis-set.json. */
export async function measureAxis(client: EngineClient, s: OpenSession, sets: EvalSets): Promise<AxisMeasures> {
  const numLayers = s.info.numLayers;
  const defaults: Float32Array[][] = [];
  const byRole = new Map<string, { mix: number; acts: Float32Array[][] }>();
  for (const it of sets.axis.items) {
    const acts = await replyActivations(client, it.messages, it.reference);
    if (it.persona === DEFAULT_PERSONA) {
      defaults.push(acts);
      continue;
    }
    const entry = byRole.get(it.persona) ?? { mix: it.mix, acts: [] };
    entry.acts.push(acts);
    byRole.set(it.persona, entry);
  }
  const roles = [...byRole.entries()];
  const defaultVectors = groupVectors(defaults, numLayers);
  const perLayer = Array.from({ length: numLayers }, (_, layer) => {
    const d = defaults.map((a) => projectAt(s, a, layer));
    const r = roles.flatMap(([, e]) => e.acts.map((a) => projectAt(s, a, layer)));
    const points = roles.map(([role, e]) => ({ role, mix: e.mix, value: mean(e.acts.map((a) => projectAt(s, a, layer))) }));
    const roleVectors = roles.map(([, e]) => groupVectors(e.acts, numLayers)[layer] as Float32Array);
    return {
      layer,
      auc: separationAuc(d, r),
      roleSpearman: roleOrderSpearman(points),
      pc1: pc1AxisCosine(defaultVectors[layer] as Float32Array, roleVectors, s.spec.vectors[layer] as Float32Array),
    };
  });
  const ml = s.spec.monitorLayer;
  const roleMeans = roles
    .map(([role, e]) => ({ role, mix: e.mix, value: mean(e.acts.map((a) => projectAt(s, a, ml))), n: e.acts.length }))
    .sort((a, b) => b.value - a.value);
  return { perLayer, roleMeans, defaultMean: mean(defaults.map((a) => projectAt(s, a, ml))), defaultN: defaults.length };
}

/** The axis pipeline's own population: the model's replies to the battery on its held-out questions. */
export interface BatteryMeasures {
  readonly perLayer: { layer: number; auc: number; roleSpearman: number; pc1: number }[];
  readonly roleMeans: { role: string; mix: number; value: number; n: number }[];
  readonly defaultMean: number;
  readonly runs: number;
  readonly kept: number;
  /** Role replies with no marker of any role: the model broke character, so the reply does not stand for the role. */
  readonly breaks: number;
}

/**
 * Generates, like the axis pipeline (src/engine/axisCompute.ts: the axis file's decoding, seed and
 * token count, responseProblem), one reply per battery prompt on the held-out questions for the default
 * and every generator role, and measures the committed axis on their mean activations. Role
 * replies the register classifier finds no role marker in are character breaks (trained at 20%)
 * and are left out, as the paper keeps only replies judged fully in role.
 */
export async function measureBattery(client: EngineClient, s: OpenSession, sets: EvalSets): Promise<BatteryMeasures> {
  const mixOf = new Map(sets.axis.items.filter((it) => it.persona !== DEFAULT_PERSONA).map((it) => [it.persona, it.mix]));
  const battery = loadBattery();
  const heldQuestions = new Set(battery.split.heldOutQuestions);
  const runs = planAxisRuns(battery, 'full', [...mixOf.keys()]).filter((r) => heldQuestions.has(r.questionId));
  const v = s.axis.validation;
  const maxTokens = Number(v['maxTokens'] ?? 48);
  // Axis files from before sampled axis computations have no temperature: they were greedy.
  const sampling = { temperature: Number(v['temperature'] ?? 0), topP: Number(v['topP'] ?? 1) };
  const seed = Number(v['seed'] ?? 0);
  const kept: { persona: string; acts: Float32Array[] }[] = [];
  let breaks = 0;
  for (const run of runs) {
    const prompt: ChatMessage[] = [...(run.systemPrompt === null ? [] : [{ role: 'system', content: run.systemPrompt }]), { role: 'user', content: run.question }];
    const g = await client.generate(prompt, { capping: false, maxTokens, sampling: runSampling(sampling, seed, run) });
    const text = g.text.trim();
    if (responseProblem(text, run.persona)) continue;
    if (run.persona !== DEFAULT_PERSONA && !hasRoleMarkers(sets.classify(text).counts)) {
      breaks++;
      continue;
    }
    kept.push({ persona: run.persona, acts: await replyActivations(client, prompt, text) });
  }
  const numLayers = s.info.numLayers;
  const defaults = kept.filter((k) => k.persona === DEFAULT_PERSONA).map((k) => k.acts);
  const roles = [...mixOf.entries()].map(([role, mix]) => ({ role, mix, acts: kept.filter((k) => k.persona === role).map((k) => k.acts) })).filter((r) => r.acts.length > 0);
  const perLayer = Array.from({ length: numLayers }, (_, layer) => {
    const proj = (acts: readonly Float32Array[][]): number[] => acts.map((a) => projectAt(s, a, layer));
    return {
      layer,
      auc: separationAuc(proj(defaults), roles.flatMap((r) => proj(r.acts))),
      roleSpearman: roleOrderSpearman(roles.map((r) => ({ role: r.role, mix: r.mix, value: mean(proj(r.acts)) }))),
      pc1: pc1AxisCosine(groupVectors(defaults, numLayers)[layer] as Float32Array, roles.map((r) => groupVectors(r.acts, numLayers)[layer] as Float32Array), s.spec.vectors[layer] as Float32Array),
    };
  });
  const ml = s.spec.monitorLayer;
  const roleMeans = roles.map((r) => ({ role: r.role, mix: r.mix, value: mean(r.acts.map((a) => projectAt(s, a, ml))), n: r.acts.length })).sort((a, b) => b.value - a.value);
  return { perLayer, roleMeans, defaultMean: mean(defaults.map((a) => projectAt(s, a, ml))), runs: runs.length, kept: kept.length, breaks };
}

/** Per-turn monitor-layer values of the six-turn drifting conversations. */
export async function measureDrift(client: EngineClient, s: OpenSession, sets: EvalSets): Promise<number[][]> {
  const out: number[][] = [];
  for (const it of sets.driftFull.items) out.push(await assistantTurnValues(client, s, it.messages));
  return out;
}

/** A named prompt set for generation. */
export interface PromptSet {
  readonly name: 'drift' | 'role0' | 'default' | 'graded';
  readonly prompts: readonly (readonly ChatMessage[])[];
  /** Prompted role per prompt (null: default assistant). */
  readonly roles: readonly (string | null)[];
  /** Sampling seed per prompt: the same for the uncapped and every capped reply of that prompt. */
  readonly seeds: readonly number[];
}

/** The generation sets of the proof: drift.json, the zero-mix roles of role.json, default.json, the graded roles of role.json. */
export function promptSets(sets: EvalSets, seedBase: number): Record<PromptSet['name'], PromptSet> {
  const zero = sets.role.items.filter((it) => sets.role.cappingRoles.includes(it.role));
  const graded = sets.role.items.filter((it) => !sets.role.cappingRoles.includes(it.role));
  // Seeds differ between sets (offsets 0, 1000, 2000, 3000), so no two prompts share a random stream by accident.
  const seeds = (n: number, offset: number): number[] => Array.from({ length: n }, (_, j) => seedBase + offset + j);
  return {
    drift: { name: 'drift', prompts: sets.drift.items.map((it) => it.messages), roles: sets.drift.items.map((it) => it.role), seeds: seeds(sets.drift.items.length, 0) },
    role0: { name: 'role0', prompts: zero.map((it) => it.messages), roles: zero.map((it) => it.role), seeds: seeds(zero.length, 1000) },
    default: { name: 'default', prompts: sets.default.items.map((it) => it.messages), roles: sets.default.items.map(() => null), seeds: seeds(sets.default.items.length, 2000) },
    graded: { name: 'graded', prompts: graded.map((it) => it.messages), roles: graded.map((it) => it.role), seeds: seeds(graded.length, 3000) },
  };
}

/** Every k-th prompt of a set (deterministic subset), keeping each prompt's seed. */
export function strideSet(set: PromptSet, k: number): PromptSet {
  const keep = (_: unknown, i: number): boolean => i % k === 0;
  return { name: set.name, prompts: set.prompts.filter(keep), roles: set.roles.filter(keep), seeds: set.seeds.filter(keep) };
}

/** Uncapped and capped replies of a prompt set under the same seeds. */
export interface PairedReplies {
  readonly uncapped: GeneratedText[];
  readonly capped: GeneratedText[];
}

/** Generates a set uncapped and capped under `axis` (the capped run uses the axis's band and floors). */
export async function generatePaired(client: EngineClient, axis: AxisSpec, set: PromptSet, o: { temperature: number; maxTokens: number }): Promise<PairedReplies> {
  return {
    uncapped: await generateReplies(client, axis, set.prompts, set.seeds, { ...o, capping: false }),
    capped: await generateReplies(client, axis, set.prompts, set.seeds, { ...o, capping: true }),
  };
}

/** The session's axis with other floors: `capLayers` at `percentile` of `population`; the other loaded layers off. */
export function doseAxis(s: OpenSession, capLayers: readonly number[], population: FloorPopulation, percentile: number): AxisSpec {
  return {
    ...s.spec,
    capLayers: [...capLayers],
    taus: Float32Array.from(capLayers, (l) => floorAt(s.axis, l, population, percentile)),
  };
}

/** Runs the whole proof; two sessions: the recommended one, and one with every layer instrumented for the dose table. */
export async function runProof(client: EngineClient, sets: EvalSets, o: ProofOptions): Promise<ProofData> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    o.onProgress?.(name);
    const r = await f();
    timings[name] = Date.now() - t0;
    return r;
  };
  const model = o.model ?? 'demo';
  const base = { packageRoot: o.packageRoot, cacheDir: o.cacheDir, model, dtype: 'auto', offline: true, ...(model === 'demo' ? {} : { axisFile: join(model, 'axis.json') }) };
  const s = await timed('load', () => openSession(client, base));
  const ml = s.spec.monitorLayer;
  const axisM = await timed('axis (teacher-forced)', () => measureAxis(client, s, sets));
  const batteryM = await timed('axis (battery replies)', () => measureBattery(client, s, sets));
  const driftValues = await timed('drift (scoring)', () => measureDrift(client, s, sets));
  const trend = driftTrend(driftValues);

  const gen = { temperature: o.temperature, maxTokens: o.maxTokens };
  const ps = promptSets(sets, o.seedBase);
  const replies: Record<string, PairedReplies> = {};
  for (const set of [ps.drift, ps.role0, ps.default]) {
    replies[set.name] = await timed(`generate ${set.name} (${set.prompts.length} x 2)`, () => generatePaired(client, s.spec, set, gen));
  }
  const gradedReplies = await timed(`generate graded roles (${ps.graded.prompts.length})`, () =>
    generateReplies(client, s.spec, ps.graded.prompts, ps.graded.seeds, { ...gen, capping: false }),
  );
  const r = (name: string): PairedReplies => replies[name] as PairedReplies;
  const texts = (rs: readonly GeneratedText[]): string[] => rs.map((x) => x.text);

  const cappingRows: CappingRow[] = (['drift', 'role0', 'default'] as const).map((name) => ({
    set: name,
    ...cappingEffect(texts(r(name).uncapped), texts(r(name).capped), sets.classify),
    validUncapped: templateValidity(r(name).uncapped, sets.match).percent,
    validCapped: templateValidity(r(name).capped, sets.match).percent,
  }));
  const row = (name: string): CappingRow => cappingRows.find((c) => c.set === name) as CappingRow;
  const roleTexts = [...texts(r('role0').uncapped), ...texts(gradedReplies)];
  const roleOf = [...ps.role0.roles, ...ps.graded.roles] as string[];
  const keeping = personaKeeping(roleTexts.map((text, i) => ({ text, role: roleOf[i] as string })), sets.classify, sets.role.heldOutRoles);
  const validCapped = templateValidity([...r('drift').capped, ...r('role0').capped, ...r('default').capped], sets.match);
  const validUncapped = templateValidity([...r('drift').uncapped, ...r('role0').uncapped, ...r('default').uncapped, ...gradedReplies], sets.match);

  // Dose-response: one session with every layer instrumented; a band's other layers stay off (-inf floor).
  const allLayers = Array.from({ length: s.info.numLayers }, (_, l) => l);
  const doseSession = await timed('load (all layers instrumented)', () => openSession(client, { ...base, choices: { capLayers: allLayers } }));
  const stride = Math.max(1, o.doseStride);
  const doseSets = [strideSet(ps.drift, stride), strideSet(ps.role0, stride), strideSet(ps.default, stride)] as const;
  const uncappedOf = (set: PromptSet): string[] => texts(r(set.name).uncapped.filter((_, i) => i % stride === 0));
  const dose: DoseRow[] = [];
  for (const population of o.doseStride > 0 ? (['response', 'token'] as const) : []) {
    for (const percentile of [25, 50, 75]) {
      for (const band of [s.spec.capLayers, allLayers]) {
        const axis = doseAxis(doseSession, band, population, percentile);
        const out: GeneratedText[][] = [];
        await timed(`dose: per-${population} p${percentile}, layers ${band.join(',')}`, async () => {
          for (const set of doseSets) out.push(await generateReplies(client, axis, set.prompts, set.seeds, { ...gen, capping: true }));
        });
        const [dDrift, dRole, dDefault] = out as [GeneratedText[], GeneratedText[], GeneratedText[]];
        dose.push({
          population,
          percentile,
          capLayers: [...band],
          taus: Array.from(axis.taus),
          drift: cappingEffect(uncappedOf(doseSets[0]), texts(dDrift), sets.classify),
          role0: cappingEffect(uncappedOf(doseSets[1]), texts(dRole), sets.classify),
          defaultCapped: registerShare(texts(dDefault), sets.classify),
          validCapped: templateValidity([...dDrift, ...dRole, ...dDefault], sets.match).percent,
        });
      }
    }
  }

  const at = axisM.perLayer[ml] as AxisMeasures['perLayer'][number];
  const genNote = `${o.temperature > 0 ? `temperature ${o.temperature}, one seed per prompt` : 'greedy'}, up to ${o.maxTokens} new tokens`;
  const capNote = `layers ${s.spec.capLayers.join(', ')}, floor p${s.spec.percentile} of per-${s.spec.population} means (tau ${Array.from(s.spec.taus, (t) => t.toFixed(2)).join(', ')})`;
  const targets: ProofTarget[] = [
    checkTarget('persona.default', 'default-assistant replies in the assistant register (uncapped)', row('default').uncapped, '>=', 95, `default.json, n=${row('default').n}, ${genNote}`),
    checkTarget('persona.role', 'role-prompted replies that speak as a role speak as the prompted one (uncapped)', keeping.share, '>=', 95, `role.json, the ${sets.role.trainingRoles.length} trained roles (never-trained ${sets.role.heldOutRoles.join(', ')} left out: the model has never seen their words): ${keeping.voiced} of ${keeping.trained} replies carry role markers; in persona = the prompted role has the most role markers. Threshold chosen here (the issue names none); the ${keeping.trained - keeping.voiced} replies with no role marker are character breaks (trained at 20%) or all-assistant graded replies`),
    checkTarget('axis.roleOrder', 'Spearman(role assistant-mix rate, role mean projection)', at.roleSpearman, '>=', 0.9, `layer ${ml}, ${axisM.roleMeans.length} roles x ${axisM.roleMeans[0]?.n ?? 0} generator replies at each role's mix on held-out questions (eval/axis-set.json), teacher-forced`),
    checkTarget('axis.auc', 'AUC held-out assistant vs held-out role replies', at.auc, '>=', 0.95, `layer ${ml}, ${axisM.defaultN} default vs ${axisM.roleMeans.reduce((a, x) => a + x.n, 0)} role replies of eval/axis-set.json (held-out questions, all ${axisM.roleMeans.length} roles), teacher-forced`),
    checkTarget('axis.pc1', `|cos(axis, PC1)|, default vector + all ${axisM.roleMeans.length} role vectors`, at.pc1, '>=', 0.8, `layer ${ml}, vectors = mean activation of each persona's axis-set.json replies`),
    checkTarget('drift.spearman', 'Spearman(per-turn value, turn index) on drifting conversations', trend.spearman, '<=', -0.5, `layer ${ml}, drift-full.json: ${driftValues.length} six-turn conversations, ${trend.pairs} turns pooled`),
    checkTarget('capping.drift', 'capping gain, assistant-register share on drifting conversations (pp)', row('drift').gain, '>=', 30, `drift.json n=${row('drift').n}, ${capNote}, ${genNote}`),
    checkTarget('capping.role0', 'capping gain on the zero-mix roles (pp)', row('role0').gain, '>=', 30, `role.json zero-mix roles (${sets.role.cappingRoles.join(', ')}), n=${row('role0').n}, ${capNote}`),
    checkTarget('capping.default', 'default-assistant replies in the assistant register, capped', row('default').capped, '>=', 95, `default.json n=${row('default').n}, ${capNote}`),
    checkTarget('capping.templates', 'generated sentences matching a generator template, capped', validCapped.percent, '>=', 95, `${validCapped.total} sentences of the capped drift, zero-mix role and default replies`),
  ];
  const samples = (['drift', 'role0', 'default'] as const).flatMap((name) =>
    [0, 1].map((i) => ({ set: name, role: ps[name].roles[i] ?? null, uncapped: r(name).uncapped[i]?.text ?? '', capped: r(name).capped[i]?.text ?? '' })),
  );
  return {
    createdAt: new Date().toISOString(),
    model: {
      fileHash: s.fileHash,
      axisCreatedAt: s.axis.createdAt,
      monitorLayer: ml,
      capLayers: [...s.spec.capLayers],
      taus: Array.from(s.spec.taus),
      population: s.spec.population,
      percentile: s.spec.percentile,
    },
    settings: { temperature: o.temperature, seedBase: o.seedBase, maxTokens: o.maxTokens, doseStride: o.doseStride },
    targets,
    perLayer: axisM.perLayer,
    battery: batteryM,
    roleMeans: axisM.roleMeans,
    defaultMean: axisM.defaultMean,
    drift: { spearman: trend.spearman, meanByTurn: [...trend.meanByTurn], conversations: driftValues.length },
    capping: cappingRows,
    templates: { uncapped: validUncapped.percent, capped: validCapped.percent, sentencesUncapped: validUncapped.total, sentencesCapped: validCapped.total },
    dose,
    doseN: { drift: doseSets[0].prompts.length, role0: doseSets[1].prompts.length, default: doseSets[2].prompts.length },
    samples,
    timingsMs: timings,
  };
}
