/**
 * The frame every Persona Lens webview page shares: a strict Content Security Policy with a fresh
 * nonce (no remote content, no inline script or style), the page's stylesheets from media/ and its
 * bundled script from out/webview/. The body is the page's own.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** One page: its title, stylesheets (files in media/), body markup and script (a file in out/webview/). */
export interface WebviewPageParts {
  readonly title: string;
  readonly styles: readonly string[];
  readonly body: string;
  readonly script: string;
}

/** The whole HTML of a webview page. */
export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPageParts): string {
  const nonce = randomBytes(16).toString('base64');
  const uri = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  // Lit (vscode-elements) styles its components with constructable stylesheets (adoptedStyleSheets),
  // which style-src does not govern; no 'unsafe-inline' is needed for scripts or styles.
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.styles.map((s) => `<link rel="stylesheet" href="${uri('media', s)}" nonce="${nonce}">`).join('\n')}
<title>${page.title}</title>
</head>
${page.body}
<script nonce="${nonce}" src="${uri('out', 'webview', page.script)}"></script>
</body>
</html>`;
}
