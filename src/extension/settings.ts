/**
 * The shape of the `persona-lens.*` settings, free of any vscode import so a unit test can
 * check it against package.json. Each key is classed by what a change to it requires.
 */

import type { DecorationPosition } from './decorationAnchor';

/** view: redraw; scoring: re-score open transcripts; engine: restart the model worker; host: applied at once, nothing reloads. */
export type SettingClass = 'view' | 'scoring' | 'engine' | 'host';

export interface PersonaLensConfig {
  /** "demo", a Hugging Face model id, or a local model folder. */
  readonly model: string;
  /** Axis file; empty = the axis stored for the model (computed with "Compute Axis for Model"). */
  readonly axisFile: string;
  readonly dtype: 'auto' | 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
  /** onnxruntime intra-op threads; 0 = its default. */
  readonly threads: number;
  /** Where downloaded models, rewritten graphs and axes are cached; empty = extension storage. */
  readonly cacheDir: string;
  /** Never contact a model hub; only cached or local models load. */
  readonly offline: boolean;
  /** Minutes without work after which the model worker is stopped to free memory; 0 = never. */
  readonly idleShutdownMinutes: number;
  /** Zero-based layer whose projections are shown; -1 = the axis's recommended layer. */
  readonly monitorLayer: number;
  /** Layers capped when re-running a turn, e.g. "2-3"; empty = the axis's recommended band. */
  readonly cappingLayers: string;
  /** Percentile of the floor population used as tau. */
  readonly cappingTauPercentile: number;
  readonly cappingFloorPopulation: 'response' | 'token';
  /** Also alarm (red) on assistant turns that fall more than this below the first assistant turn; 0 = only the role zone alarms. */
  readonly alarmDropFromFirst: number;
  readonly generationMaxTokens: number;
  readonly generationSeed: number;
  readonly analyzeOnOpen: boolean;
  readonly analyzeOnSave: boolean;
  readonly analyzeDebounceMs: number;
  readonly maxTokensPerConversation: number;
  readonly maxFileSizeMB: number;
  readonly decorationPosition: DecorationPosition;
  readonly codeLens: boolean;
  /** Open the drift panel beside the editor when a file is analysed from a command. */
  readonly panelOpenOnAnalyze: boolean;
}

interface SettingSpec {
  readonly field: keyof PersonaLensConfig;
  readonly cls: SettingClass;
  /** Points at a path or executable: honoured from workspace settings only when trusted. */
  readonly restricted?: boolean;
}

/** Setting key (after "persona-lens.") -> its field and class. */
export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  model: { field: 'model', cls: 'engine', restricted: true },
  axisFile: { field: 'axisFile', cls: 'engine', restricted: true },
  dtype: { field: 'dtype', cls: 'engine' },
  threads: { field: 'threads', cls: 'engine' },
  cacheDir: { field: 'cacheDir', cls: 'engine', restricted: true },
  offline: { field: 'offline', cls: 'engine' },
  'engine.idleShutdownMinutes': { field: 'idleShutdownMinutes', cls: 'host' },
  monitorLayer: { field: 'monitorLayer', cls: 'scoring' },
  'capping.layers': { field: 'cappingLayers', cls: 'scoring' },
  'capping.tauPercentile': { field: 'cappingTauPercentile', cls: 'scoring' },
  'capping.floorPopulation': { field: 'cappingFloorPopulation', cls: 'scoring' },
  'alarm.dropFromFirst': { field: 'alarmDropFromFirst', cls: 'scoring' },
  'generation.maxTokens': { field: 'generationMaxTokens', cls: 'view' },
  'generation.seed': { field: 'generationSeed', cls: 'view' },
  'analyze.onOpen': { field: 'analyzeOnOpen', cls: 'view' },
  'analyze.onSave': { field: 'analyzeOnSave', cls: 'view' },
  'analyze.debounceMs': { field: 'analyzeDebounceMs', cls: 'view' },
  maxTokensPerConversation: { field: 'maxTokensPerConversation', cls: 'scoring' },
  maxFileSizeMB: { field: 'maxFileSizeMB', cls: 'scoring' },
  'decorations.position': { field: 'decorationPosition', cls: 'view' },
  codeLens: { field: 'codeLens', cls: 'view' },
  'panel.openOnAnalyze': { field: 'panelOpenOnAnalyze', cls: 'view' },
};
