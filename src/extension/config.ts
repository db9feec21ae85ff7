import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';
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
  private current: PersonaLensConfig;

  constructor() {
    this.current = read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = Object.keys(SETTINGS).filter((k) => e.affectsConfiguration(`${CONFIG_SECTION}.${k}`));
      if (keys.length === 0) return;
      this.current = read();
      this.emitter.fire({ keys, classes: new Set(keys.map((k) => SETTINGS[k]!.cls)) });
    });
  }

  get value(): PersonaLensConfig {
    return this.current;
  }

  /** Keys whose workspace value is set but ignored because the workspace is not trusted. */
  ignoredUntrusted(): string[] {
    if (vscode.workspace.isTrusted) return [];
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    return Object.entries(SETTINGS)
      .filter(([k, s]) => s.restricted && hasWorkspaceValue(cfg.inspect(k)))
      .map(([k]) => `${CONFIG_SECTION}.${k}`);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function hasWorkspaceValue(i: { workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined): boolean {
  return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
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
