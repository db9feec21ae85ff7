// Random-weight benchmark models: the small engine model and the real shapes of ../shared/models/configs/
// shapes.json (SmolLM2-135M, Qwen2.5-0.5B; vocabulary padded to the real size). Each is generated once, in a
// child process (so its weights do not count in the benchmark's memory), and kept in the OS temp folder.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DIR } from '../test/support/shared.mjs';
import { writeTinyModel, type TinyModelSpec } from '../test/support/tinyModels';

export const ROOT = join(__dirname, '..');

/** A benchmark model: a name, the generator's spec, and its capping band (about 70%..89% of depth, design.md). */
export interface BenchModel {
  readonly name: string;
  readonly spec: Partial<TinyModelSpec>;
  readonly capLayers: readonly number[];
}

/** The engine benchmark's own model: realistic-ish, quick to generate and run. */
export const ENGINE_MODEL: BenchModel = {
  name: 'engine-12x384',
  spec: {
    layout: 'genai',
    dtype: 'fp32',
    numLayers: 12,
    hiddenSize: 384,
    numHeads: 6,
    numKvHeads: 2,
    intermediateSize: 1024,
    maxPositions: 4096,
    seed: 7,
  },
  capLayers: [8, 9, 10],
};

interface ShapeEntry {
  readonly hidden_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly intermediate_size: number;
  readonly vocab_size: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number | string;
}

/** Capping band at about 70%..89% of depth. */
function band(layers: number): number[] {
  const from = Math.round(layers * 0.7);
  const to = Math.round(layers * 0.89);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * A real model's shape with random weights: genai-builder layout (fp32, GroupQueryAttention). Weights of a
 * model under 2 GB stay inside model.onnx (as onnx-community's SmolLM2-135M export); larger ones go to
 * model.onnx_data (protobuf's 2 GB limit, as Qwen2.5-0.5B's fp32 export).
 */
export function realShape(
  key: string,
  name: string,
  tokenizer: 'bytes' | 'qwen3',
  externalData: boolean,
): BenchModel {
  const shapes = JSON.parse(
    readFileSync(join(SHARED_DIR, 'models', 'configs', 'shapes.json'), 'utf8'),
  ) as Record<string, ShapeEntry>;
  const s = shapes[key];
  if (!s) throw new Error(`shapes.json has no entry '${key}'`);
  return {
    name,
    spec: {
      layout: 'genai',
      dtype: 'fp32',
      numLayers: s.num_hidden_layers,
      hiddenSize: s.hidden_size,
      numHeads: s.num_attention_heads,
      numKvHeads: s.num_key_value_heads,
      intermediateSize: s.intermediate_size,
      vocabSize: s.vocab_size,
      rmsNormEps: s.rms_norm_eps,
      ropeTheta: typeof s.rope_theta === 'number' ? s.rope_theta : Number.parseFloat(s.rope_theta),
      // Long enough for the longest benchmark prompt; the rotary table grows with it.
      maxPositions: 4096,
      tokenizer,
      externalData: externalData ? 'onnx_data' : 'none',
      seed: 11,
    },
    capLayers: band(s.num_hidden_layers),
  };
}

export const SMOLLM2_135M = (): BenchModel =>
  realShape('HuggingFaceTB/SmolLM2-135M(-Instruct)', 'smollm2-135m', 'bytes', false);
export const QWEN25_05B = (): BenchModel =>
  realShape('Qwen/Qwen2.5-0.5B-Instruct', 'qwen2.5-0.5b', 'qwen3', true);

/** Bump when the generator's output for the same spec changes, so old benchmark models are regenerated. */
const GENERATION = 2;

/** Folder of a benchmark model, generated (in a child process) when missing. */
export function ensureModel(m: BenchModel): string {
  const dir = join(tmpdir(), `persona-lens-bench-${m.name}-g${GENERATION}`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [__filename, '--generate-model', dir, JSON.stringify(m.spec)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`generating the benchmark model ${m.name} failed (exit ${r.status})`);
  console.log(`generated ${m.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${dir}`);
  return dir;
}

/** The child process's side of ensureModel. */
export async function generateModel(dir: string, spec: string): Promise<void> {
  // config.json is written last by writeTinyModel: a killed generation leaves no folder that counts as done.
  await writeTinyModel(dir, JSON.parse(spec) as Partial<TinyModelSpec>);
}
