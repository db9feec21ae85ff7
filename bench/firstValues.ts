// Time to first values through the real CLI (`persona-lens score`, a fresh process each run): a 30-turn
// transcript of about 2,000 tokens (the paper's coding transcript, each message cut to fit) on a benchmark
// model, with a random axis file made for that graph. Cold: an empty cache folder (graph hashed,
// instrumented and written); warm: the same folder again. The time is from process start to the first
// byte of output (the values), so the worker's shutdown is not counted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { AXIS_FORMAT, AXIS_VERSION, encodeVector, type AxisFile } from '../src/core/axis/axisFile';
import { unitVector } from '../src/core/axis/axisSpec';
import { sha256File } from '../src/model/graphFiles';
import { chatTokenizerFrom, mapTokens } from '../src/worker/tokenMap';
import { mulberry32 } from '../test/support/prng';
import { ensureModel, ROOT, type BenchModel } from './models';
import { median, transcriptPath } from './util';
import { defaultThreads } from '../src/worker/engine';

const TRANSCRIPT = 'coding.json';

export interface FirstValuesResult {
  readonly model: string;
  readonly turns: number;
  readonly tokens: number;
  readonly rounds: number;
  readonly coldSMedian: number;
  readonly warmSMedian: number;
  /** CPU seconds of the whole CLI process (main and worker thread; Linux only, else null): onnxruntime
   * runs on one core here, so this is about what the time would be on an idle machine. */
  readonly coldCpuSMedian: number | null;
  readonly warmCpuSMedian: number | null;
  readonly loadAverage: number[];
  readonly target: string;
  readonly raw: { cold: number[]; warm: number[]; coldCpu: number[]; warmCpu: number[] };
  /** Threads onnxruntime ran with (the CLI's default: every CPU the process may use). */
  readonly threads: number;
  /** Seconds spent in each step of the last cold and warm run, from the CLI's progress lines. */
  readonly phases: { readonly cold: Phases; readonly warm: Phases };
}

/**
 * Where the time goes, from the CLI's plain progress lines on stderr: start (process start to 'loading
 * model': Node and the bundle), hash (to 'instrumenting graph': the graph hash, the axis file, the worker's
 * start and the folder check), instrument ('instrumenting graph' to 'starting session': rewrite and write, or the cache
 * hit), session (to 'scoring': onnxruntime's session creation and the tokenizer), score (to the first byte).
 */
export interface Phases {
  readonly start: number;
  readonly hash: number;
  readonly instrument: number;
  readonly session: number;
  readonly score: number;
}

const PHASE_LINES: readonly [keyof Phases, RegExp][] = [
  ['start', /^loading model/],
  ['instrument', /^instrumenting graph/],
  ['session', /^starting session/],
  ['score', /^(\d+% )?scoring /],
];

function phasesFrom(marks: ReadonlyMap<keyof Phases, number>, end: number): Phases {
  const at = (k: keyof Phases): number => marks.get(k) ?? Number.NaN;
  const s = (ms: number): number => Number((ms / 1000).toFixed(2));
  return {
    start: s(at('start')),
    hash: s(at('instrument') - at('start')),
    instrument: s(at('session') - at('instrument')),
    session: s(at('score') - at('session')),
    score: s(end - at('score')),
  };
}

/**
 * CPU seconds used by this process's finished children (Linux: cutime + cstime of /proc/self/stat, in
 * clock ticks of 1/100 s), or null where there is no such file.
 */
function childrenCpuSeconds(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** The transcript cut so its rendering is about `tokens` long (each message to the same number of characters). */
async function writeTranscript(
  modelDir: string,
  tokens: number,
  file: string,
): Promise<{ turns: number; tokens: number }> {
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true }));
  const source = JSON.parse(readFileSync(transcriptPath(TRANSCRIPT), 'utf8')) as {
    conversation: { role: string; content: string }[];
  };
  const cut = (chars: number): { role: string; content: string }[] =>
    source.conversation.map((m) => ({ ...m, content: m.content.slice(0, chars) }));
  let lo = 1;
  let hi = 4000;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (mapTokens(tok, cut(mid), false).ids.length <= tokens) lo = mid;
    else hi = mid - 1;
  }
  const conversation = cut(lo);
  writeFileSync(file, JSON.stringify({ ...source, conversation }, null, 2));
  return { turns: conversation.length, tokens: mapTokens(tok, conversation, false).ids.length };
}

/** A random axis file that fits the model's graph (hash, shape, dtype), so the CLI accepts it. */
async function writeAxis(modelDir: string, m: BenchModel, file: string): Promise<void> {
  const layers = m.spec.numLayers as number;
  const hidden = m.spec.hiddenSize as number;
  const r = mulberry32(5);
  const table = Array.from({ length: 101 }, (_, i) => (i - 50) / 10);
  const axis: AxisFile = {
    format: AXIS_FORMAT,
    version: AXIS_VERSION,
    model: {
      id: m.name,
      revision: null,
      fileHash: `sha256:${await sha256File(join(modelDir, 'onnx', 'model.onnx'))}`,
      dtype: 'fp32',
      numLayers: layers,
      hiddenSize: hidden,
    },
    battery: { hash: 'random', subset: 'none', roles: 0, questions: 0, responses: 0 },
    createdAt: new Date().toISOString(),
    monitorLayer: Math.floor(layers / 2),
    cappingLayers: [...m.capLayers],
    defaults: { floorPopulation: 'response', percentile: 25 },
    layers: Array.from({ length: layers }, (_, layer) => ({
      layer,
      unit: encodeVector(unitVector(Float32Array.from({ length: hidden }, () => r() * 2 - 1))),
      norm: 1,
      floors: { response: table, token: table },
      pc1Cosine: null,
      auc: null,
    })),
    validation: { note: 'random axis for benchmarks' },
  };
  writeFileSync(file, JSON.stringify(axis));
}

/** Seconds from spawning the CLI to its first byte on stdout, and its CPU seconds; fails on a non-zero exit. */
function runCli(args: readonly string[]): Promise<{ s: number; cpuS: number | null; phases: Phases }> {
  return new Promise((resolveRun, reject) => {
    const cpu0 = childrenCpuSeconds();
    const t0 = performance.now();
    let first: number | null = null;
    let stderr = '';
    const marks = new Map<keyof Phases, number>();
    const child = spawn(process.execPath, [join(ROOT, 'out', 'cli.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', () => (first ??= performance.now()));
    child.stderr.on('data', (d: Buffer) => {
      const now = performance.now() - t0;
      const from = stderr.length;
      stderr += d.toString();
      for (const line of stderr.slice(stderr.lastIndexOf('\n', from - 1) + 1).split('\n'))
        for (const [k, re] of PHASE_LINES) if (re.test(line) && !marks.has(k)) marks.set(k, now);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || first === null)
        reject(new Error(`persona-lens ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      else {
        const cpu1 = childrenCpuSeconds();
        resolveRun({
          s: (first - t0) / 1000,
          cpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
          phases: phasesFrom(marks, first - t0),
        });
      }
    });
  });
}

/** Cold and warm first-values time through the CLI on model `m`. */
export async function benchFirstValues(
  m: BenchModel,
  rounds: number,
  tokens = 2000,
): Promise<FirstValuesResult> {
  const dir = ensureModel(m);
  const work = mkdtempSync(join(tmpdir(), 'persona-lens-bench-cli-'));
  try {
    const transcript = join(work, 'transcript.json');
    const axisPath = join(work, 'axis.json');
    const shape = await writeTranscript(dir, tokens, transcript);
    await writeAxis(dir, m, axisPath);
    const cold: number[] = [];
    const warm: number[] = [];
    const coldCpu: number[] = [];
    const warmCpu: number[] = [];
    const phases: { cold?: Phases; warm?: Phases } = {};
    for (let r = 0; r < rounds; r++) {
      const cache = join(work, `cache-${r}`);
      const args = [
        'score',
        transcript,
        '--model',
        dir,
        '--axis',
        axisPath,
        '--cache-dir',
        cache,
        '--offline',
        '--format',
        'json',
      ];
      for (const [times, cpus, which] of [
        [cold, coldCpu, 'cold'],
        [warm, warmCpu, 'warm'],
      ] as const) {
        const run = await runCli(args);
        times.push(run.s);
        if (run.cpuS !== null) cpus.push(run.cpuS);
        phases[which] = run.phases;
      }
      rmSync(cache, { recursive: true, force: true });
      console.log(
        `  ${m.name} first values, round ${r + 1}/${rounds}: cold ${cold.at(-1)?.toFixed(1)} s (CPU ${coldCpu.at(-1)?.toFixed(1)}), warm ${warm.at(-1)?.toFixed(1)} s (CPU ${warmCpu.at(-1)?.toFixed(1)}); steps cold ${JSON.stringify(phases.cold)}, warm ${JSON.stringify(phases.warm)}`,
      );
    }
    const cpuMedian = (xs: number[]): number | null => (xs.length > 0 ? Number(median(xs).toFixed(2)) : null);
    return {
      model: m.name,
      ...shape,
      rounds,
      coldSMedian: Number(median(cold).toFixed(2)),
      warmSMedian: Number(median(warm).toFixed(2)),
      coldCpuSMedian: cpuMedian(coldCpu),
      warmCpuSMedian: cpuMedian(warmCpu),
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
      target: 'warm <= 10 s at SmolLM2-135M shape',
      raw: { cold, warm, coldCpu, warmCpu },
      threads: defaultThreads(),
      phases: { cold: phases.cold as Phases, warm: phases.warm as Phases },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
