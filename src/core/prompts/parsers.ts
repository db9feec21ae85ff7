/**
 * The tree-sitter parsers prompt detection uses: one runtime (web-tree-sitter as Microsoft builds
 * it for VS Code, @vscode/tree-sitter-wasm) and its grammars for TypeScript, TSX, JavaScript and
 * Python, loaded from a folder of .wasm files on first use. Node indices are UTF-16 code-unit
 * offsets of the parsed string (the runtime parses JavaScript strings as UTF-16), the offsets the
 * rest of Persona Lens uses.
 */
import { join } from 'node:path';
import { Language, Parser, type Tree } from '@vscode/tree-sitter-wasm';

/** The grammars prompt detection parses with. */
export type Grammar = 'typescript' | 'tsx' | 'javascript' | 'python';

let runtime: Promise<void> | null = null;
let runtimeDir: string | null = null;

/** Parsers over the grammars in one folder; each grammar is loaded once, when first needed. */
export class PromptParsers {
  private readonly languages = new Map<Grammar, Promise<Language>>();
  private readonly parser: Promise<Parser>;

  /** `wasmDir` holds tree-sitter.wasm and tree-sitter-<grammar>.wasm (out/tree-sitter, copied there by esbuild.mjs; node_modules/@vscode/tree-sitter-wasm/wasm in tests). */
  constructor(private readonly wasmDir: string) {
    // The runtime is one WebAssembly module per process: the first folder given provides it.
    if (runtime === null) {
      runtimeDir = wasmDir;
      runtime = Parser.init({ locateFile: (file: string) => join(wasmDir, file) });
    }
    this.parser = runtime.then(() => new Parser());
  }

  /** The folder the runtime was loaded from (the first PromptParsers of the process). */
  static get runtimeFolder(): string | null {
    return runtimeDir;
  }

  /** Parses `text`; the caller must `delete()` the tree when done (it lives in WebAssembly memory). */
  async parse(grammar: Grammar, text: string): Promise<Tree> {
    const parser = await this.parser;
    parser.setLanguage(await this.language(grammar));
    const tree = parser.parse(text);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${grammar}`);
    return tree;
  }

  private language(grammar: Grammar): Promise<Language> {
    let l = this.languages.get(grammar);
    if (!l) {
      l = Language.load(join(this.wasmDir, `tree-sitter-${grammar}.wasm`));
      this.languages.set(grammar, l);
    }
    return l;
  }
}
