import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';
import { ignoredRestrictedSettings } from './restrictedSettings';
import type { Log } from './log';
import { isRestricted, SETTINGS, SETTING_KEYS, toConfig, type PersonaLensConfig, type SettingClass, type SettingKey } from './settings';

/** What changed in one configuration event, by class. */
export interface ConfigChange {
  readonly keys: readonly SettingKey[];
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
    const keys = SETTING_KEYS.filter((k) => isRestricted(k));
    this.current = this.withOverride(this.read());
    this.emitter.fire({ keys, classes: new Set(keys.map((k) => SETTINGS[k].cls)) });
  });
  private current: PersonaLensConfig;
  /** A model used for this session only ("Try the Demo Model"); settings stay as the user left them. */
  private sessionModel: string | null = null;

  constructor(private readonly log?: Log) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = SETTING_KEYS.filter((k) => e.affectsConfiguration(`${CONFIG_SECTION}.${k}`));
      if (keys.length === 0) return;
      // Choosing a model or axis in the settings (or with Select Model) ends the session's override.
      if (keys.includes('model') || keys.includes('axisFile')) this.sessionModel = null;
      this.current = this.withOverride(this.read());
      this.log?.info(`Settings changed: ${keys.map((k) => `${k} = ${JSON.stringify(this.current[SETTINGS[k].field])}`).join(', ')}`);
      this.emitter.fire({ keys, classes: new Set(keys.map((k) => SETTINGS[k].cls)) });
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
    this.current = this.withOverride(this.read());
    this.emitter.fire({ keys: ['model', 'axisFile'], classes: new Set(['engine']) });
    return true;
  }

  private withOverride(c: PersonaLensConfig): PersonaLensConfig {
    return this.sessionModel === null ? c : Object.freeze({ ...c, model: this.sessionModel, axisFile: '' });
  }

  /** Full keys ("persona-lens.model") the workspace sets but Restricted Mode ignores. */
  ignoredUntrusted(): Promise<string[]> {
    return ignoredRestrictedSettings(SETTING_KEYS.filter((k) => isRestricted(k)));
  }

  /**
   * Reads every setting; restricted ones take their workspace value only in a trusted workspace. A
   * value that does not fit its declaration (settings.json is hand-edited) falls back to the default
   * and is logged once per read.
   */
  private read(): PersonaLensConfig {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const trusted = vscode.workspace.isTrusted;
    const { config, problems } = toConfig((key) => {
      if (isRestricted(key) && !trusted) {
        const i = cfg.inspect(key);
        return i?.globalValue ?? i?.defaultValue;
      }
      return cfg.get(key);
    });
    for (const p of problems) this.log?.warn(`Setting ignored: ${p}`);
    return config;
  }

  dispose(): void {
    this.trustSubscription.dispose();
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

