import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';
import { ignoredRestrictedSettings } from './restrictedSettings';
import { SETTINGS, type PersonaLensConfig, type SettingClass } from './settings';

/** What changed in one configuration event, by class. */
export interface ConfigChange {
  readonly keys: readonly string[];
  readonly classes: ReadonlySet<SettingClass>;
}

/**
 * The one reader of `persona-lens.*` settings. Restricted settings (model paths, cache
 * folders) take their workspace value only in a trusted workspace; VS Code already drops it
 * in Restricted Mode through `restrictedConfigurations`, and this guards the same rule for
 * hosts that do not.
 */
export class Config implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConfigChange>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  /** Trusting the folder brings its restricted settings (model, axis, cache paths) into effect. */
  private readonly trustSubscription = vscode.workspace.onDidGrantWorkspaceTrust(() => {
    const keys = Object.entries(SETTINGS).filter(([, s]) => s.restricted).map(([k]) => k);
    this.current = this.withOverride(read());
    this.emitter.fire({ keys, classes: new Set(keys.map((k) => SETTINGS[k]!.cls)) });
  });
  private current: PersonaLensConfig;
  /** A model used for this session only ("Try the Demo Model"); settings stay as the user left them. */
  private sessionModel: string | null = null;

  constructor() {
    this.current = read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = Object.keys(SETTINGS).filter((k) => e.affectsConfiguration(`${CONFIG_SECTION}.${k}`));
      if (keys.length === 0) return;
      // Choosing a model or axis in the settings (or with Select Model) ends the session's override.
      if (keys.includes('model') || keys.includes('axisFile')) this.sessionModel = null;
      this.current = this.withOverride(read());
      this.emitter.fire({ keys, classes: new Set(keys.map((k) => SETTINGS[k]!.cls)) });
    });
  }

  get value(): PersonaLensConfig {
    return this.current;
  }

  /**
   * Uses `model` (with its own stored axis) until VS Code restarts or the user picks a model or
   * axis in the settings; nothing is written to settings. Returns false when it is in use already.
   */
  useModelForSession(model: string): boolean {
    if (this.current.model === model && !this.current.axisFile) return false;
    this.sessionModel = model;
    this.current = this.withOverride(read());
    this.emitter.fire({ keys: ['model', 'axisFile'], classes: new Set(['engine']) });
    return true;
  }

  private withOverride(c: PersonaLensConfig): PersonaLensConfig {
    return this.sessionModel === null ? c : Object.freeze({ ...c, model: this.sessionModel, axisFile: '' });
  }

  /** Full keys ("persona-lens.model") the workspace sets but Restricted Mode ignores. */
  ignoredUntrusted(): Promise<string[]> {
    return ignoredRestrictedSettings(Object.keys(SETTINGS).filter((k) => SETTINGS[k]!.restricted));
  }

  dispose(): void {
    this.trustSubscription.dispose();
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function read(): PersonaLensConfig {
  const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const trusted = vscode.workspace.isTrusted;
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    let v = cfg.get(key);
    if (spec.restricted && !trusted) {
      const i = cfg.inspect(key);
      v = i?.globalValue ?? i?.defaultValue;
    }
    out[spec.field] = v;
  }
  return Object.freeze(out as unknown as PersonaLensConfig);
}
