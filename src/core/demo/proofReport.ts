/**
 * The demo model's proof report (models/demo/proof.md and proof.json): every metric with its
 * target and verdict, the per-layer axis checks, the drift trend, the capping effect and the
 * dose-response table. Pure data and Markdown; the runner (tools/demo-model/proof) fills it.
 */
import type { CappingEffect, ProofTarget } from './proofMetrics';

/** Capping effect on one prompt set, with template validity of both variants. */
export interface CappingRow extends CappingEffect {
  readonly set: string;
  readonly validUncapped: number;
  readonly validCapped: number;
}

/** One floor setting of the dose-response table. */
export interface DoseRow {
  readonly population: 'response' | 'token';
  readonly percentile: number;
  readonly capLayers: readonly number[];
  readonly taus: readonly number[];
  readonly drift: CappingEffect;
  readonly role0: CappingEffect;
  readonly defaultCapped: number;
  readonly validCapped: number;
}

export interface ProofData {
  readonly createdAt: string;
  readonly model: {
    readonly fileHash: string;
    readonly axisCreatedAt: string;
    readonly monitorLayer: number;
    readonly capLayers: readonly number[];
    readonly taus: readonly number[];
    readonly population: 'response' | 'token';
    readonly percentile: number;
  };
  readonly settings: { readonly temperature: number; readonly seedBase: number; readonly maxTokens: number; readonly doseStride: number };
  readonly targets: readonly ProofTarget[];
  readonly perLayer: readonly { layer: number; auc: number; roleSpearman: number; pc1: number }[];
  readonly roleMeans: readonly { role: string; mix: number; value: number; n: number }[];
  readonly defaultMean: number;
  /** The same checks on the model's own replies to the battery (held-out questions), decoded as the axis pipeline decodes. */
  readonly battery: {
    readonly perLayer: readonly { layer: number; auc: number; roleSpearman: number; pc1: number }[];
    readonly roleMeans: readonly { role: string; mix: number; value: number; n: number }[];
    readonly defaultMean: number;
    readonly runs: number;
    readonly kept: number;
    readonly breaks: number;
  };
  readonly drift: { readonly spearman: number; readonly meanByTurn: readonly number[]; readonly conversations: number };
  readonly capping: readonly CappingRow[];
  readonly templates: { readonly uncapped: number; readonly capped: number; readonly sentencesUncapped: number; readonly sentencesCapped: number };
  readonly dose: readonly DoseRow[];
  readonly doseN: { readonly drift: number; readonly role0: number; readonly default: number };
  readonly samples: readonly { set: string; role: string | null; uncapped: string; capped: string }[];
  readonly timingsMs: Readonly<Record<string, number>>;
}

const SET_LABEL: Record<string, string> = { drift: 'drifting conversations (drift.json)', role0: 'zero-mix roles (role.json)', default: 'default assistant (default.json)' };

/** Markdown report of a proof run. */
export function proofMarkdown(d: ProofData): string {
  const f = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
  const sign = (x: number, digits = 2): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(digits)}` : 'n/a');
  const passed = d.targets.filter((t) => t.pass).length;
  const lines: string[] = [
    '# Demo model proof',
    '',
    `Computed by the project's TypeScript pipeline (EngineClient, instrumented ONNX graph, \`models/demo/axis.json\`) on ${d.createdAt}.`,
    `Model graph ${d.model.fileHash} (axis computed ${d.model.axisCreatedAt}). Monitor layer ${d.model.monitorLayer}; capping band ${d.model.capLayers.join(', ')} with the default floor (p${d.model.percentile} of per-${d.model.population} means: tau ${d.model.taus.map((t) => f(t)).join(', ')}).`,
    `Generation: ${d.settings.temperature > 0 ? `temperature ${d.settings.temperature}, one seed per prompt (${d.settings.seedBase} + set offset + prompt index), the same for the uncapped and the capped reply` : 'greedy'}, up to ${d.settings.maxTokens} new tokens. Register and template checks: \`eval/register-lexicons.json\`, \`eval/sentence-templates.json\` (src/core/demo).`,
    '',
    `**${passed} of ${d.targets.length} targets met.** Regenerate with \`npm run demo:proof\`.`,
    '',
    '| target | measured | threshold | verdict | population |',
    '| --- | ---: | ---: | --- | --- |',
    ...d.targets.map((t) => `| ${cell(t.label)} | ${f(t.value, Math.abs(t.threshold) >= 2 ? 1 : 3)} | ${t.comparison} ${t.threshold} | ${t.pass ? 'pass' : '**FAIL**'} | ${cell(t.detail)} |`),
    '',
    'Targets, thresholds and why the missed ones are missed: `models/demo/README.md` (Proof) and `docs/demo-model.md`.',
    '',
    '## Axis per layer (teacher-forced generator replies on held-out questions, eval/axis-set.json)',
    '',
    '| layer | AUC | Spearman(mix, role mean) | \\|cos PC1\\| |',
    '| ---: | ---: | ---: | ---: |',
    ...d.perLayer.map((l) => `| ${l.layer}${l.layer === d.model.monitorLayer ? ' (monitor)' : ''} | ${f(l.auc, 3)} | ${f(l.roleSpearman, 3)} | ${f(l.pc1, 3)} |`),
    '',
    `Mean projection at layer ${d.model.monitorLayer}: default ${sign(d.defaultMean)}; roles (assistant-mix rate):`,
    '',
    '| role | mix | mean | replies |',
    '| --- | ---: | ---: | ---: |',
    ...d.roleMeans.map((r) => `| ${r.role} | ${r.mix} | ${sign(r.value)} | ${r.n} |`),
    '',
    '### The same checks on the axis pipeline\'s own population',
    '',
    `The model's own replies to the battery prompts on the held-out questions, decoded as the axis pipeline decodes (the axis file's temperature, top-p, seed and token count; ${d.battery.runs} runs of the default and the ${d.roleMeans.length} generator roles; ${d.battery.kept} kept after the pipeline's response filter and after leaving out ${d.battery.breaks} role replies with no role marker, i.e. character breaks). This population measures how the model answers, not how the axis orders graded text at known mix rates.`,
    '',
    '| layer | AUC | Spearman(mix, role mean) | \\|cos PC1\\| |',
    '| ---: | ---: | ---: | ---: |',
    ...d.battery.perLayer.map((l) => `| ${l.layer} | ${f(l.auc, 3)} | ${f(l.roleSpearman, 3)} | ${f(l.pc1, 3)} |`),
    '',
    `Layer ${d.model.monitorLayer} means: default ${sign(d.battery.defaultMean)}; ${d.battery.roleMeans.map((r) => `${r.role} (${r.mix}) ${sign(r.value)} n=${r.n}`).join(', ')}.`,
    '',
    '## Drift',
    '',
    `Mean value by assistant turn (layer ${d.model.monitorLayer}, ${d.drift.conversations} conversations): ${d.drift.meanByTurn.map((x) => sign(x)).join(', ')}. Pooled Spearman with the turn index ${f(d.drift.spearman, 3)}.`,
    '',
    '## Capping at the recommended band, default floor',
    '',
    '| set | n | assistant share uncapped | capped | gain (pp) | template-valid uncapped | capped |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...d.capping.map((c) => `| ${SET_LABEL[c.set] ?? c.set} | ${c.n} | ${f(c.uncapped, 1)}% | ${f(c.capped, 1)}% | ${sign(c.gain, 1)} | ${f(c.validUncapped, 1)}% | ${f(c.validCapped, 1)}% |`),
    '',
    `Template-valid sentences: ${f(d.templates.uncapped, 1)}% of ${d.templates.sentencesUncapped} uncapped (all generated sets), ${f(d.templates.capped, 1)}% of ${d.templates.sentencesCapped} capped.`,
    '',
    '## Dose-response',
    '',
    ...(d.dose.length === 0
      ? ['Not run (`--dose-stride 0`).']
      : [
          `Assistant share, uncapped -> capped, same seeds; n = ${d.doseN.drift} drift / ${d.doseN.role0} zero-mix role / ${d.doseN.default} default prompts${d.settings.doseStride > 1 ? ` (1 prompt in ${d.settings.doseStride} of each set, to keep the run short)` : ''}. Floors are the axis file's percentiles of default-Assistant projections: per-response means or per-token values.`,
          '',
          '| floor population | percentile | capped layers | tau | drift | zero-mix roles | default, capped | template-valid, capped |',
          '| --- | ---: | --- | --- | --- | --- | ---: | ---: |',
        ]),
    ...d.dose.map(
      (r) =>
        `| per-${r.population} | ${r.percentile} | ${r.capLayers.join(', ')} | ${r.taus.map((t) => f(t)).join(', ')} | ${f(r.drift.uncapped, 1)} -> ${f(r.drift.capped, 1)} (${sign(r.drift.gain, 1)}) | ${f(r.role0.uncapped, 1)} -> ${f(r.role0.capped, 1)} (${sign(r.role0.gain, 1)}) | ${f(r.defaultCapped, 1)}% | ${f(r.validCapped, 1)}% |`,
    ),
    '',
    '## Samples (first two prompts of each set)',
    '',
    ...d.samples.flatMap((s) => [`- ${s.set}${s.role ? ` (${s.role})` : ''}, uncapped: ${quote(s.uncapped)}`, `  capped: ${quote(s.capped)}`]),
    '',
    '## Time',
    '',
    ...Object.entries(d.timingsMs).map(([k, ms]) => `- ${k}: ${(ms / 1000).toFixed(1)} s`),
    '',
  ];
  return lines.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function quote(s: string): string {
  return `"${s.replace(/\s+/g, ' ').replace(/\|/g, '\\|')}"`;
}
