/**
 * The few parts of the `vscode` API that the extension's engine host, status bar and analyzer touch,
 * for unit tests in plain Node (test/run-unit.mjs aliases `vscode` to this file). Behaviour only
 * where the code under test depends on it (events, cancellation, URIs); UI calls are recorded.
 */
import { join } from 'node:path';

export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event = (listener: (e: T) => unknown): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  private cancelled = false;
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event,
  };
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Uri {
  readonly scheme = 'file';
  private constructor(readonly fsPath: string) {}
  get path(): string {
    return this.fsPath;
  }
  static file(path: string): Uri {
    return new Uri(path);
  }
  static parse(s: string): Uri {
    return new Uri(s.replace(/^file:\/\//, ''));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(join(base.fsPath, ...parts));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

/** What the tests read back: every status bar item made, and every notification shown. */
export const recorded = {
  statusItems: [] as { text: string; tooltip: unknown; backgroundColor: unknown }[],
  messages: [] as string[],
};

export const workspace = {
  asRelativePath: (u: Uri | string) => (typeof u === 'string' ? u : u.fsPath),
};

export const window = {
  createStatusBarItem: () => {
    const item = { text: '', tooltip: undefined as unknown, backgroundColor: undefined as unknown, name: '', command: '', show: () => undefined, dispose: () => undefined };
    recorded.statusItems.push(item);
    return item;
  },
  showInformationMessage: (message: string) => {
    recorded.messages.push(message);
    return Promise.resolve(undefined);
  },
  showWarningMessage: (message: string) => {
    recorded.messages.push(message);
    return Promise.resolve(undefined);
  },
  showErrorMessage: (message: string) => {
    recorded.messages.push(message);
    return Promise.resolve(undefined);
  },
};
