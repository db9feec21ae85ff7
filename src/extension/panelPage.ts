import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';

/** The drift panel's page: its markup inside the shared frame (strict CSP, nonce). */
export function panelPage(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewPage(webview, extensionUri, {
    title: 'Persona Lens: Drift',
    styles: ['tokenStrip.css', 'panel.css'],
    script: 'main.js',
    body: `<body data-ready="false">
<header>
  <div><h1 id="title">Persona Lens</h1><p id="status" role="status" aria-live="polite">Loading…</p></div>
  <div class="toolbar" role="toolbar" aria-label="Export">
    <vscode-button id="export-png" secondary>Export PNG</vscode-button>
    <vscode-button id="export-csv" secondary>Export CSV</vscode-button>
    <vscode-button id="export-json" secondary>Export JSON</vscode-button>
  </div>
</header>
<vscode-tabs id="tabs" selected-index="0">
  <vscode-tab-header slot="header">Drift</vscode-tab-header>
  <vscode-tab-panel>
    <div class="chart-wrap"><canvas id="drift-chart" tabindex="0" role="img" aria-label="Assistant-Axis value per assistant turn. Arrow keys move the selected turn; Enter reveals it in the editor."></canvas></div>
    <section id="turn" aria-labelledby="turn-title">
      <h2 id="turn-title">No turn selected</h2>
      <p id="turn-info"></p>
      <div class="actions">
        <vscode-button id="rerun" disabled>Re-run with capping</vscode-button>
        <label class="steer" for="steer-alpha">steer α <vscode-textfield id="steer-alpha" type="number" value="8" min="-50" max="50" step="1" aria-label="Steering strength α in spreads of the default Assistant (positive: toward the Assistant, negative: away)"></vscode-textfield></label>
        <vscode-button id="rerun-steer" secondary disabled>Re-run with capping and steering</vscode-button>
        <vscode-button id="sweep" secondary disabled>Capping sweep</vscode-button>
      </div>
      <div class="legend" aria-hidden="true"><span class="pl-tok neg">below</span><span id="strip-legend">token shade: projection relative to the assistant zone's edge</span><span class="pl-tok pos">above</span></div>
      <div id="strip" class="strip-box" aria-label="Tokens of the selected turn, shaded by their axis value"></div>
      <h3>Layer view</h3>
      <div class="layer-wrap"><canvas id="layer-chart" role="img" aria-label="The selected turn's value at every layer, with the monitor layer and the capping band"></canvas></div>
    </section>
  </vscode-tab-panel>
  <vscode-tab-header slot="header">Compare</vscode-tab-header>
  <vscode-tab-panel>
    <section id="compare" data-phase="idle">
      <p id="compare-status" role="status" aria-live="polite"></p>
      <div class="actions">
        <vscode-button id="cancel" hidden>Cancel</vscode-button>
        <vscode-button id="copy-capped" secondary disabled>Copy capped text</vscode-button>
        <vscode-button id="open-capped" secondary disabled>Open capped text in new editor</vscode-button>
      </div>
      <div class="compare-grid">
        <article id="col-original"></article>
        <article id="col-uncapped"></article>
        <article id="col-capped"></article>
        <article id="col-steered" hidden></article>
      </div>
      <h3>Word diff: without → with capping</h3>
      <p id="diff-summary"></p>
      <div id="diff"></div>
      <h3>Generation settings</h3>
      <table id="settings"></table>
    </section>
  </vscode-tab-panel>
  <vscode-tab-header slot="header">Sweep</vscode-tab-header>
  <vscode-tab-panel>
    <section id="sweep-view" data-phase="idle">
      <p id="sweep-status" role="status" aria-live="polite"></p>
      <div class="actions"><vscode-button id="sweep-cancel" hidden>Cancel</vscode-button></div>
      <div class="dose-wrap"><canvas id="dose-chart" role="img" aria-label="Dose-response: the re-run reply's axis value against the capping floor, one line per band"></canvas></div>
      <table id="sweep-grid" class="sweep-grid"></table>
      <p id="sweep-settings" class="note"></p>
    </section>
  </vscode-tab-panel>
</vscode-tabs>`,
  });
}
