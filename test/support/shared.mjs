// @ts-check
// The one place that knows where ../shared sits: read-only facts, data and models shared between
// checkouts, beside the repository root (never copied into the repository). Plain JavaScript so the
// e2e harness (run by Node as is) and the TypeScript unit tests and benchmarks (bundled by esbuild)
// share it; shared.d.mts gives TypeScript its types. Tests, benchmarks and npm scripts run from the
// repository root, so the working directory is the root.
import { join } from 'node:path';

/** ../shared beside the repository root. */
export const SHARED_DIR = join(process.cwd(), '..', 'shared');
/** The Assistant Axis paper's public persona-drift transcripts (JSON, the paper's format). */
export const TRANSCRIPTS_DIR = join(SHARED_DIR, 'data', 'assistant-axis', 'transcripts', 'persona_drift');
/** Real exported ONNX graphs (onnxruntime-genai builder, onnxruntime transformer optimizer) with their tokenizers. */
export const GRAPHS_DIR = join(SHARED_DIR, 'models', 'graphs');
/** Real tokenizers (tokenizer.json + tokenizer_config.json), e.g. qwen3. */
export const TOKENIZERS_DIR = join(SHARED_DIR, 'models', 'tokenizers');
