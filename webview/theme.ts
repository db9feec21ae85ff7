/** Colours come from the VS Code theme through its --vscode-* CSS variables, never hex literals. */

export interface ChartColors {
  readonly line: string;
  readonly below: string;
  readonly floor: string;
  readonly text: string;
  readonly grid: string;
  readonly series: readonly string[];
  /** The transcript's recorded projections (second series). */
  readonly recorded: string;
  /** Capped re-run points. */
  readonly rerun: string;
  /** The capping band and the monitor-layer mark of the layer view. */
  readonly band: string;
  readonly monitor: string;
  /** Behind the plot when it is exported as PNG (a canvas is transparent). */
  readonly background: string;
  /** Shading of the assistant and role zones (translucent), and values out of the model's domain. */
  readonly assistantZone: string;
  readonly roleZone: string;
  readonly muted: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** Reads the current theme's chart colours (call again after a themeChanged message). */
export function readColors(): ChartColors {
  const text = cssVar('--vscode-editor-foreground', 'CanvasText');
  return {
    line: cssVar('--vscode-charts-blue', text),
    below: cssVar('--vscode-charts-red', text),
    floor: cssVar('--vscode-charts-orange', text),
    text,
    grid: cssVar('--vscode-charts-lines', 'GrayText'),
    series: [
      '--vscode-charts-blue',
      '--vscode-charts-green',
      '--vscode-charts-purple',
      '--vscode-charts-yellow',
    ].map((n) => cssVar(n, text)),
    recorded: cssVar('--vscode-charts-purple', text),
    rerun: cssVar('--vscode-charts-green', text),
    band: cssVar('--vscode-charts-orange', text),
    monitor: cssVar('--vscode-charts-blue', text),
    background: cssVar('--vscode-editor-background', 'Canvas'),
    assistantZone: translucent(cssVar('--vscode-charts-green', text), 0.12),
    roleZone: translucent(cssVar('--vscode-charts-red', text), 0.12),
    muted: cssVar('--vscode-disabledForeground', 'GrayText'),
  };
}

/**
 * `color` at `alpha` as rgba(): theme variables hold any CSS colour (hex, rgb(), names), so the
 * canvas parses it and a one-pixel draw reads back its channels.
 */
function translucent(color: string, alpha: number): string {
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!ctx) return color;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return `rgba(${r ?? 0}, ${g ?? 0}, ${b ?? 0}, ${alpha})`;
}
