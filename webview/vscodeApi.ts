// What every Persona Lens webview page gets from VS Code: the messaging API (acquirable once per
// page) and its elements by id, failing loudly when the host's markup and the page disagree.

/** The part of VS Code's webview API the pages use, typed by the messages a page may post. */
export interface VsCodeApi<Out> {
  postMessage(message: Out): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi<Out>(): VsCodeApi<Out>;

/** The page's API handle and an element lookup that names the page in its error. */
export function pageApi<Out>(page: string): {
  vscode: VsCodeApi<Out>;
  byId: <T extends HTMLElement = HTMLElement>(id: string) => T;
} {
  const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const e = document.getElementById(id);
    if (!e) throw new Error(`Persona Lens ${page}: element #${id} is missing`);
    return e as T;
  };
  return { vscode: acquireVsCodeApi<Out>(), byId };
}
