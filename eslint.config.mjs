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
          patterns: [{ group: ['**/worker/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/core imports nothing from other layers.' }],
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
          patterns: [{ group: ['**/worker/**', '**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/io imports only src/core.' }],
        },
      ],
    },
  },
  {
    files: ['src/worker/**/*.ts', 'src/cli/**/*.ts', 'bench/**/*.ts'],
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
          patterns: [{ group: ['**/webview/**', '!**/webview/protocol', '!**/webview/promptProtocol'], message: 'The host takes only the message schemas (webview/protocol.ts, webview/promptProtocol.ts) from the webviews.' }],
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
