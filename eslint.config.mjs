// Lint rules, including the import boundaries between layers (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only src/extension may import vscode.' };
const modelRuntime = [
  { name: 'onnxruntime-node', message: 'Only src/worker owns the model runtime.' },
  { name: '@huggingface/transformers', message: 'Only src/worker owns the model runtime.' },
];

export default tseslint.config(
  { ignores: ['out/**', 'out-test/**', 'node_modules/**', 'test/e2e/node_modules/**', 'test-results/**', 'test/fixtures/prompts/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode, ...modelRuntime, { name: 'worker_threads', message: 'src/core is pure.' }, { name: 'node:worker_threads', message: 'src/core is pure.' }],
          patterns: [{ group: ['**/worker/**', '**/engine/**', '**/protocol/**', '**/model/**', '**/io/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/core imports nothing from other layers.' }],
        },
      ],
    },
  },
  {
    // Node-side file reading shared by the CLI and the extension (Inspect .eval archives).
    files: ['src/io/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode, ...modelRuntime, { name: 'worker_threads', message: 'src/io only reads files.' }, { name: 'node:worker_threads', message: 'src/io only reads files.' }],
          patterns: [{ group: ['**/worker/**', '**/engine/**', '**/protocol/**', '**/model/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/io imports only src/core.' }],
        },
      ],
    },
  },
  {
    // The host<->worker contract (messages, error codes) and the model folder on disk: read by both sides.
    files: ['src/protocol/**/*.ts', 'src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode, ...modelRuntime, { name: 'worker_threads', message: 'Shared by host and worker.' }, { name: 'node:worker_threads', message: 'Shared by host and worker.' }],
          patterns: [{ group: ['**/worker/**', '**/engine/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/protocol and src/model import only src/core, src/io and each other.' }],
        },
      ],
    },
  },
  {
    // The worker thread: owns the model runtime; never reaches back into the host.
    files: ['src/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode], patterns: [{ group: ['**/engine/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'The worker thread talks to the host only through src/protocol messages.' }] },
      ],
    },
  },
  {
    // Host-side engine access shared by the CLI and the extension: spawns the worker, never loads its code.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode, ...modelRuntime], patterns: [{ group: ['**/worker/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/engine reaches the worker only through messages (src/protocol).' }] },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode, ...modelRuntime], patterns: [{ group: ['**/worker/**', '**/extension/**', '**/webview/**'], message: 'The CLI reaches the model only through src/engine.' }] },
      ],
    },
  },
  {
    files: ['bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode], patterns: [{ group: ['**/extension/**', '**/webview/**'], message: 'Not from this layer.' }] },
      ],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: modelRuntime,
          patterns: [
            { group: ['**/webview/**', '!**/webview/protocol', '!**/webview/promptProtocol', '!**/webview/continueProtocol'], message: 'The host takes only the message schemas (webview/protocol.ts, promptProtocol.ts, continueProtocol.ts) from the webviews.' },
            { group: ['**/worker/**'], message: 'The extension reaches the model only through src/engine.' },
          ],
        },
      ],
    },
  },
  {
    // The panel's data mapping and its re-run stream run in plain Node unit tests: no vscode there.
    files: ['src/extension/panelData.ts', 'src/extension/rerunFeed.ts', 'src/extension/sweepFeed.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'panelData.ts, rerunFeed.ts and sweepFeed.ts are vscode-free, so they are unit-tested in Node.' }, ...modelRuntime],
          patterns: [
            { group: ['**/webview/**', '!**/webview/protocol'], message: 'The panel takes only its message schemas (webview/protocol.ts).' },
            { group: ['**/worker/**'], message: 'The extension reaches the model only through src/engine.' },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode, ...modelRuntime], patterns: [{ regex: '(^|/)src/(?!core/report/|core/scores$)', message: 'The webview bundle takes only the pure markup, formatting and score types of src/core.' }] },
      ],
    },
  },
);
