import { basename } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_PROMPT_GLOBS, findPrompts, matchPrompt, promptFileKind, PromptParsers, type FoundPrompt, type PromptScan } from '../core/prompts';
import { firstWords } from '../core/report/format';
import type { Config } from './config';
import { CommandId } from './ids';
import type { Log } from './log';
import type { PromptChoice, PromptStudio } from './promptStudio';

/** The part of the built-in Git extension's API (vscode.git, API version 1) read here. */
interface GitApi {
  getRepository(uri: vscode.Uri): { readonly rootUri: vscode.Uri; show(ref: string, path: string): Promise<string> } | null;
}

/**
 * System prompts in the editor: a CodeLens above each prompt src/core/prompts finds (code literals,
 * prompt files, the user's globs) with "Stress-test prompt", "Compare with…" and "Compare with HEAD".
 * Scans are cached per document version; the grammars load on the first scan.
 */
export class PromptLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly parsers: PromptParsers;
  private readonly scans = new Map<string, { version: number; scan: Promise<PromptScan> }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    extensionUri: vscode.Uri,
    private readonly config: Config,
    private readonly studio: PromptStudio,
    private readonly log: Log,
  ) {
    this.parsers = new PromptParsers(vscode.Uri.joinPath(extensionUri, 'out', 'tree-sitter').fsPath);
    this.disposables = [
      this.changed,
      config.onDidChange((c) => {
        if (c.keys.includes('codeLens') || c.keys.includes('prompts.files')) {
          this.scans.clear();
          this.changed.fire();
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.scans.delete(d.uri.toString())),
      vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'untitled' }], this),
      vscode.commands.registerCommand(CommandId.stressTestPrompt, (uri?: string, index?: number) => this.stressCommand(uri, index)),
      vscode.commands.registerCommand(CommandId.comparePrompt, (uri?: string, index?: number) => this.compareCommand(uri, index)),
      vscode.commands.registerCommand(CommandId.comparePromptWithHead, (uri?: string, index?: number) => this.compareHeadCommand(uri, index)),
    ];
  }

  /** The prompt-file globs: the defaults plus the user's (persona-lens.prompts.files). */
  private globs(): string[] {
    const mine = this.config.value.promptFiles.split(',').map((g) => g.trim()).filter(Boolean);
    return [...DEFAULT_PROMPT_GLOBS, ...mine];
  }

  /** The document's prompts (cached per version); none for files that cannot hold any. */
  scan(doc: vscode.TextDocument): Promise<PromptScan> {
    const key = doc.uri.toString();
    const known = this.scans.get(key);
    if (known && known.version === doc.version) return known.scan;
    const scan = promptFileKind(doc.fileName, this.globs()) === null ? Promise.resolve({ prompts: [], notes: [] }) : findPrompts(doc.getText(), doc.fileName, this.parsers, this.globs());
    this.scans.set(key, { version: doc.version, scan });
    return scan;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.config.value.codeLens || promptFileKind(doc.fileName, this.globs()) === null) return [];
    let scan: PromptScan;
    try {
      scan = await this.scan(doc);
    } catch (e) {
      this.log.error(`Looking for system prompts in ${doc.fileName} failed`, e);
      return [];
    }
    return scan.prompts.flatMap((p, i) => {
      const at = doc.lineAt(doc.positionAt(p.literalRange.start).line).range;
      const args = [doc.uri.toString(), i];
      const note = p.static ? '' : ' (its run-time substitutions are tested as written)';
      return [
        new vscode.CodeLens(at, { title: 'Stress-test prompt', tooltip: `Run this system prompt through the probe set and plot each probe's trajectory${note}`, command: CommandId.stressTestPrompt, arguments: args }),
        new vscode.CodeLens(at, { title: 'Compare with…', tooltip: 'Stress-test this prompt and another on the same probes and seeds', command: CommandId.comparePrompt, arguments: args }),
        new vscode.CodeLens(at, { title: 'Compare with HEAD', tooltip: 'Compare this prompt with its version at git HEAD', command: CommandId.comparePromptWithHead, arguments: args }),
      ];
    });
  }

  /** The prompt a command is about: from the lens's arguments, else the one at (or a pick in) the active editor. */
  private async target(uri: string | undefined, index: number | undefined): Promise<{ doc: vscode.TextDocument; prompts: readonly FoundPrompt[]; index: number } | null> {
    const doc = uri ? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)) : vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showInformationMessage('Persona Lens: open a file with a system prompt first.');
      return null;
    }
    const { prompts, notes } = await this.scan(doc);
    if (prompts.length === 0) {
      void vscode.window.showInformationMessage(`Persona Lens: no system prompt found in ${basename(doc.fileName)}${notes.length ? ` (${notes.join('; ')})` : ''}.`);
      return null;
    }
    if (index !== undefined && prompts[index]) return { doc, prompts, index };
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === doc) {
      // The prompt on the cursor's line: from the palette, "the prompt I am on" is enough.
      const line = editor.selection.active.line;
      const here = prompts.findIndex((p) => doc.positionAt(p.literalRange.start).line <= line && line <= doc.positionAt(p.literalRange.end).line);
      if (here >= 0) return { doc, prompts, index: here };
    }
    if (prompts.length === 1) return { doc, prompts, index: 0 };
    const pick = await vscode.window.showQuickPick(
      prompts.map((p, i) => ({ label: label(doc, p, i), detail: firstWords(p.text, 100), i })),
      { title: 'Persona Lens: which system prompt?' },
    );
    return pick ? { doc, prompts, index: pick.i } : null;
  }

  private async stressCommand(uri?: string, index?: number): Promise<void> {
    const t = await this.target(uri, index);
    if (!t) return;
    await this.studio.stress(choice(t.doc, t.prompts, t.index));
  }

  private async compareCommand(uri?: string, index?: number): Promise<void> {
    const t = await this.target(uri, index);
    if (!t) return;
    const a = choice(t.doc, t.prompts, t.index);
    // Other prompts of the open documents, then a file picker for any prompt or code file.
    const items: (vscode.QuickPickItem & { pick?: () => Promise<PromptChoice | null> })[] = [];
    for (const doc of vscode.workspace.textDocuments) {
      if (promptFileKind(doc.fileName, this.globs()) === null) continue;
      const { prompts } = await this.scan(doc).catch(() => ({ prompts: [] as FoundPrompt[] }));
      prompts.forEach((p, i) => {
        if (doc === t.doc && i === t.index) return;
        items.push({ label: label(doc, p, i), detail: firstWords(p.text, 100), pick: () => Promise.resolve(choice(doc, prompts, i)) });
      });
    }
    items.push({ label: '$(file) Choose a file…', detail: 'A prompt file, or a code file with prompts', pick: () => this.pickFile() });
    const picked = await vscode.window.showQuickPick(items, { title: `Persona Lens: compare ${a.source} with…` });
    const b = picked?.pick ? await picked.pick() : null;
    if (b) await this.studio.compare(a, b);
  }

  private async pickFile(): Promise<PromptChoice | null> {
    const [uri] = (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Persona Lens: a file with the other system prompt' })) ?? [];
    if (!uri) return null;
    const t = await this.target(uri.toString(), undefined);
    return t ? choice(t.doc, t.prompts, t.index) : null;
  }

  private async compareHeadCommand(uri?: string, index?: number): Promise<void> {
    const t = await this.target(uri, index);
    if (!t) return;
    const name = basename(t.doc.fileName);
    const head = await this.atHead(t.doc);
    if (typeof head === 'string') {
      void vscode.window.showWarningMessage(`Persona Lens: cannot compare ${name} with HEAD: ${head}`);
      return;
    }
    const scan = await findPrompts(head.text, t.doc.fileName, this.parsers, this.globs());
    const old = matchPrompt(t.prompts, t.index, scan.prompts);
    if (!old) {
      void vscode.window.showWarningMessage(
        `Persona Lens: ${name} at HEAD has ${scan.prompts.length} system prompt(s) and the file now has ${t.prompts.length}; which one was prompt ${t.index + 1} cannot be told. Use "Compare with…" to pick it.`,
      );
      return;
    }
    const now = choice(t.doc, t.prompts, t.index);
    if (old.text === now.text) {
      void vscode.window.showInformationMessage(`Persona Lens: prompt ${t.index + 1} of ${name} is unchanged since HEAD; "Stress-test prompt" shows its result.`);
      return;
    }
    const oldIndex = scan.prompts.indexOf(old);
    await this.studio.compare({ text: old.text, source: `${name} at HEAD, prompt ${oldIndex + 1}`, static: old.static }, now);
  }

  /** The document's file at git HEAD, or why it cannot be read. */
  private async atHead(doc: vscode.TextDocument): Promise<{ text: string } | string> {
    if (doc.uri.scheme !== 'file') return 'it is not saved in a folder under git.';
    const ext = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>('vscode.git');
    if (!ext) return 'the built-in Git extension is disabled.';
    const api = (ext.isActive ? ext.exports : await ext.activate()).getAPI(1);
    const repo = api.getRepository(doc.uri);
    if (!repo) return 'it is not in a git repository (or Git has not opened the repository yet).';
    try {
      return { text: await repo.show('HEAD', doc.uri.fsPath) };
    } catch (e) {
      this.log.info(`git show HEAD:${doc.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      return 'the file is not in HEAD (untracked, or added since the last commit).';
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function label(doc: vscode.TextDocument, p: FoundPrompt, i: number): string {
  return `${basename(doc.fileName)}, prompt ${i + 1} (line ${doc.positionAt(p.literalRange.start).line + 1}, ${p.via})`;
}

function choice(doc: vscode.TextDocument, prompts: readonly FoundPrompt[], i: number): PromptChoice {
  const p = prompts[i] as FoundPrompt;
  return { text: p.text, source: `${basename(doc.fileName)}, prompt ${i + 1} (line ${doc.positionAt(p.literalRange.start).line + 1})`, static: p.static };
}
