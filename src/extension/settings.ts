/**
 * The `persona-lens.*` settings, declared once: each key's field, class, JSON type, default and
 * bounds. The config type is derived from this table, every value read is checked against it (a bad
 * value falls back to the default and is reported), and a unit test checks it against package.json.
 * Free of any vscode import.
 */

/** view: redraw; scoring: re-score open transcripts; engine: restart the model worker; host: applied at once, nothing reloads. */
export type SettingClass = 'view' | 'scoring' | 'engine' | 'host';

interface SpecBase {
  /** Field of PersonaLensConfig the value lands in. */
  readonly field: string;
  readonly cls: SettingClass;
  /** Points at a path or executable: honoured from workspace settings only when trusted. */
  readonly restricted?: boolean;
}
interface StringSpec extends SpecBase {
  readonly type: 'string';
  readonly default: string;
  readonly enum?: readonly string[];
  /** The manifest's JSON-schema pattern, checked here too. */
  readonly pattern?: string;
}
interface NumberSpec extends SpecBase {
  readonly type: 'number' | 'integer';
  readonly default: number;
  readonly minimum?: number;
  readonly maximum?: number;
}
interface BooleanSpec extends SpecBase {
  readonly type: 'boolean';
  readonly default: boolean;
}
export type SettingSpec = StringSpec | NumberSpec | BooleanSpec;

/** Setting key (after "persona-lens.") -> its declaration. The order is the manifest's. */
export const SETTINGS = {
  /** "demo", a Hugging Face model id, or a local model folder. */
  model: { field: 'model', cls: 'engine', restricted: true, type: 'string', default: 'demo' },
  /** Axis file; empty = the axis stored for the model (computed with "Compute Axis for Model"). */
  axisFile: { field: 'axisFile', cls: 'engine', restricted: true, type: 'string', default: '' },
  dtype: { field: 'dtype', cls: 'engine', type: 'string', default: 'auto', enum: ['auto', 'fp32', 'fp16', 'q8', 'q4', 'q4f16'] },
  /** onnxruntime intra-op threads; 0 = every CPU the process may use (src/worker/engine.ts defaultThreads). */
  threads: { field: 'threads', cls: 'engine', type: 'integer', default: 0, minimum: 0, maximum: 64 },
  /** Where downloaded models, rewritten graphs and axes are cached; empty = extension storage. */
  cacheDir: { field: 'cacheDir', cls: 'engine', restricted: true, type: 'string', default: '' },
  /** Never contact a model hub; only cached or local models load. */
  offline: { field: 'offline', cls: 'engine', type: 'boolean', default: false },
  /** Minutes without work after which the model worker is stopped to free memory; 0 = never. */
  'engine.idleShutdownMinutes': { field: 'idleShutdownMinutes', cls: 'host', type: 'number', default: 10, minimum: 0 },
  /** Zero-based layer whose projections are shown; -1 = the axis's recommended layer. */
  monitorLayer: { field: 'monitorLayer', cls: 'scoring', type: 'integer', default: -1, minimum: -1 },
  /** Layers capped when re-running a turn, e.g. "2-3"; empty = the axis's recommended band. */
  'capping.layers': {
    field: 'cappingLayers',
    cls: 'scoring',
    type: 'string',
    default: '',
    pattern: '^(\\s*\\d+(\\s*-\\s*\\d+)?\\s*(,\\s*\\d+(\\s*-\\s*\\d+)?\\s*)*)?$',
  },
  /** Percentile of the floor population used as the capping floor tau. */
  'capping.tauPercentile': { field: 'cappingTauPercentile', cls: 'scoring', type: 'number', default: 25, minimum: 0, maximum: 100 },
  'capping.floorPopulation': { field: 'cappingFloorPopulation', cls: 'scoring', type: 'string', default: 'response', enum: ['response', 'token'] },
  /** Also alarm (red) on assistant turns that fall more than this below the first assistant turn; 0 = only the role zone alarms. */
  'alarm.dropFromFirst': { field: 'alarmDropFromFirst', cls: 'scoring', type: 'number', default: 0, minimum: 0 },
  'generation.maxTokens': { field: 'generationMaxTokens', cls: 'view', type: 'integer', default: 128, minimum: 1, maximum: 4096 },
  'generation.seed': { field: 'generationSeed', cls: 'view', type: 'integer', default: 0 },
  /** The capping sweep's floors, percentiles of the floor population (src/core/interventions/sweepPlan.ts). */
  'sweep.percentiles': {
    field: 'sweepPercentiles',
    cls: 'view',
    type: 'string',
    default: '5,25,50',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*(,\\s*\\d+(\\.\\d+)?\\s*){0,19}$',
  },
  /** The capping sweep's bands: axis, wide, all. */
  'sweep.bands': {
    field: 'sweepBands',
    cls: 'view',
    type: 'string',
    default: 'axis,wide,all',
    pattern: '^\\s*(axis|wide|all)\\s*(,\\s*(axis|wide|all)\\s*){0,2}$',
  },
  'analyze.onOpen': { field: 'analyzeOnOpen', cls: 'view', type: 'boolean', default: false },
  'analyze.onSave': { field: 'analyzeOnSave', cls: 'view', type: 'boolean', default: false },
  'analyze.debounceMs': { field: 'analyzeDebounceMs', cls: 'view', type: 'integer', default: 500, minimum: 0, maximum: 10000 },
  maxTokensPerConversation: { field: 'maxTokensPerConversation', cls: 'scoring', type: 'integer', default: 8192, minimum: 16 },
  maxFileSizeMB: { field: 'maxFileSizeMB', cls: 'scoring', type: 'number', default: 10, minimum: 0.1 },
  'decorations.position': { field: 'decorationPosition', cls: 'view', type: 'string', default: 'auto', enum: ['auto', 'firstLine', 'lineStart', 'end'] },
  codeLens: { field: 'codeLens', cls: 'view', type: 'boolean', default: true },
  /** Shade each assistant token by its own value (src/extension/tokenHeat.ts). */
  tokenHeat: { field: 'tokenHeat', cls: 'view', type: 'boolean', default: false },
  /** Comma-separated globs of files kept whole as system prompts, besides *.prompt.md, *.system.md, *.system.txt and .prompty. */
  'prompts.files': { field: 'promptFiles', cls: 'view', type: 'string', default: '' },
  /** Probe set a "Stress-test prompt" runs: quick (one probe per category) or full. */
  'prompts.probeSet': { field: 'promptProbeSet', cls: 'view', type: 'string', default: 'quick', enum: ['quick', 'full'] },
  /** Open the drift panel beside the editor when a file is analysed from a command. */
  'panel.openOnAnalyze': { field: 'panelOpenOnAnalyze', cls: 'view', type: 'boolean', default: true },
} as const satisfies Record<string, SettingSpec>;

/** A setting key after "persona-lens.". */
export type SettingKey = keyof typeof SETTINGS;

type ValueOf<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'string' }
    ? string
    : S extends { readonly type: 'boolean' }
      ? boolean
      : number;

/** Every setting's value, by field: the shape config.ts hands out (frozen). */
export type PersonaLensConfig = { readonly [K in SettingKey as (typeof SETTINGS)[K]['field']]: ValueOf<(typeof SETTINGS)[K]> };

/** Every setting key, typed. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** True for settings that point at paths: honoured from workspace settings only when trusted. */
export function isRestricted(key: SettingKey): boolean {
  const spec: SettingSpec = SETTINGS[key];
  return spec.restricted === true;
}

/** Why `value` does not fit the setting, or null when it does (undefined counts as unset and fits). */
export function settingProblem(spec: SettingSpec, value: unknown): string | null {
  if (value === undefined) return null;
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'is not true or false';
    case 'string':
      if (typeof value !== 'string') return 'is not text';
      if (spec.enum && !spec.enum.includes(value)) return `is not one of ${spec.enum.join(', ')}`;
      if (spec.pattern && !new RegExp(spec.pattern).test(value)) return 'is not in the expected form';
      return null;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'is not a number';
      if (spec.type === 'integer' && !Number.isInteger(value)) return 'is not a whole number';
      if (spec.minimum !== undefined && value < spec.minimum) return `is below ${spec.minimum}`;
      if (spec.maximum !== undefined && value > spec.maximum) return `is above ${spec.maximum}`;
      return null;
  }
}

/**
 * The config from raw values by key (what the settings hold), with each bad value replaced by its
 * default; `problems` names the keys that were replaced and why.
 */
export function toConfig(raw: (key: SettingKey) => unknown): { config: PersonaLensConfig; problems: string[] } {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of SETTING_KEYS) {
    const spec: SettingSpec = SETTINGS[key];
    const value = raw(key);
    const problem = settingProblem(spec, value);
    if (problem) problems.push(`persona-lens.${key} ${problem} (${JSON.stringify(value)}); using ${JSON.stringify(spec.default)}`);
    out[spec.field] = value === undefined || problem ? spec.default : value;
  }
  return { config: Object.freeze(out) as PersonaLensConfig, problems };
}
