// Types of shared.mjs for the TypeScript tests and benchmarks.
/** ../shared beside the repository root. */
export declare const SHARED_DIR: string;
/** The Assistant Axis paper's public persona-drift transcripts (JSON, the paper's format). */
export declare const TRANSCRIPTS_DIR: string;
/** Real exported ONNX graphs (onnxruntime-genai builder, onnxruntime transformer optimizer) with their tokenizers. */
export declare const GRAPHS_DIR: string;
/** Real tokenizers (tokenizer.json + tokenizer_config.json), e.g. qwen3. */
export declare const TOKENIZERS_DIR: string;
