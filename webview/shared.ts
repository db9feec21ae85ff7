/**
 * The pieces of src/core/report the panel shares with the editor, the CLI and the HTML report,
 * so a value and a strip read the same everywhere. The lint rules let the webview take src/core/report
 * (pure string functions, no Node or vscode import) and nothing else from src/.
 */
export { stripScale, tokenStripHtml, type StripScale } from '../src/core/report/tokenStrip';
export { formatValue, formatDelta, firstWords } from '../src/core/report/format';
export { readingLabel, zoneLegend } from '../src/core/report/reading';
