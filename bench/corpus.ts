// Corpus scoring through the real CLI (`persona-lens score FOLDER --format jsonl`, a fresh process per
// run) on the demo model: conversations per minute with --jobs 1 and --jobs 2, interleaved round by
// round in one run because the CPU is shared. The corpus is demo-format (OpenAI chat) transcripts cut
// from the paper's persona-drift conversations. Two rates per run: end to end (process start to exit,
// model loads included) and scoring (first record to last, the steady rate a large corpus sees).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadsPerJob } from '../src/cli/corpusOptions';
import { ROOT } from './models';
import { median, transcriptPath } from './util';

const SOURCES = ['coding.json', 'philosophy.json', 'therapy.json', 'writing.json'];
const FILES = 12;
const PER_FILE = 4;

export interface CorpusJobsResult {
  readonly jobs: number;
  /** onnxruntime intra-op threads each job's session gets (the CLI's default for this --jobs). */
  readonly threadsPerJob: number | null;
  readonly wallSMedian: number;
  readonly conversationsPerMinute: number;
  readonly scoringConversationsPerMinute: number;
  readonly raw: { wallS: number[]; scoringS: number[] };
}

export interface CorpusResult {
  readonly model: 'demo';
  readonly files: number;
  readonly conversations: number;
  readonly messagesPerConversation: number;
  readonly rounds: number;
  readonly cores: number;
  readonly runs: CorpusJobsResult[];
  /** conversations per minute, 2 jobs / 1 job (end to end and scoring only). */
  readonly speedup: number;
  readonly scoringSpeedup: number;
  readonly loadAverage: number[];
}

/** FILES JSONL files of PER_FILE conversations each, every one a different cut of a persona-drift transcript. */
function writeCorpus(dir: string): number {
  let messages = 0;
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let c = 0; c < PER_FILE; c++) {
      const k = f * PER_FILE + c;
      const source = JSON.parse(readFileSync(transcriptPath(SOURCES[k % SOURCES.length] as string), 'utf8')) as {
        conversation: { role: string; content: string }[];
      };
      // 12 messages of up to 400 characters from a different starting pair each time.
      const start = 2 * (Math.floor(k / SOURCES.length) % 4);
      const cut = source.conversation.slice(start, start + 12).map((m) => ({ role: m.role, content: m.content.slice(0, 400) }));
      messages = cut.length;
      lines.push(JSON.stringify({ messages: cut }));
    }
    writeFileSync(join(dir, `chats-${String(f).padStart(2, '0')}.jsonl`), lines.join('\n') + '\n');
  }
  return messages;
}

/** One CLI run: wall seconds and seconds from the first record to the last. */
function run(args: string[]): Promise<{ wallS: number; scoringS: number; records: number }> {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    let first: number | null = null;
    let last = 0;
    let records = 0;
    let stderr = '';
    const child = spawn(process.execPath, [join(ROOT, 'out', 'cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      const now = performance.now();
      first ??= now;
      last = now;
      records += d.toString().split('\n').length - 1;
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || first === null) reject(new Error(`persona-lens ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      else resolveRun({ wallS: (performance.now() - t0) / 1000, scoringS: (last - first) / 1000, records });
    });
  });
}

export async function benchCorpus(rounds: number): Promise<CorpusResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-corpus-'));
  try {
    const corpus = join(dir, 'corpus');
    const cache = join(dir, 'cache');
    mkdirSync(corpus);
    const messagesPerConversation = writeCorpus(corpus);
    const conversations = FILES * PER_FILE;
    const args = (jobs: number): string[] => ['score', corpus, '--model', 'demo', '--cache-dir', cache, '--format', 'jsonl', '--quiet', '--jobs', String(jobs)];
    await run(args(1)); // warm the instrumented-graph cache: both variants then start alike
    const jobsList = [1, 2];
    const raw = new Map(jobsList.map((j) => [j, { wallS: [] as number[], scoringS: [] as number[] }]));
    for (let r = 0; r < rounds; r++) {
      for (const j of r % 2 ? [...jobsList].reverse() : jobsList) {
        const x = await run(args(j));
        if (x.records !== conversations) throw new Error(`--jobs ${j}: ${x.records} records, expected ${conversations}`);
        raw.get(j)!.wallS.push(x.wallS);
        raw.get(j)!.scoringS.push(x.scoringS);
        console.log(`  --jobs ${j}: ${x.wallS.toFixed(2)} s end to end, ${x.scoringS.toFixed(2)} s first to last record`);
      }
    }
    const runs = jobsList.map((jobs): CorpusJobsResult => {
      const m = raw.get(jobs)!;
      const wall = median(m.wallS);
      // First to last record spans conversations - 1 completions.
      const scoring = median(m.scoringS);
      return {
        jobs,
        threadsPerJob: threadsPerJob(undefined, jobs) ?? null,
        wallSMedian: Number(wall.toFixed(3)),
        conversationsPerMinute: Number(((conversations / wall) * 60).toFixed(1)),
        scoringConversationsPerMinute: Number((((conversations - 1) / scoring) * 60).toFixed(1)),
        raw: m,
      };
    });
    const [one, two] = runs as [CorpusJobsResult, CorpusJobsResult];
    return {
      model: 'demo',
      files: FILES,
      conversations,
      messagesPerConversation,
      rounds,
      cores: availableParallelism(),
      runs,
      speedup: Number((two.conversationsPerMinute / one.conversationsPerMinute).toFixed(3)),
      scoringSpeedup: Number((two.scoringConversationsPerMinute / one.scoringConversationsPerMinute).toFixed(3)),
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
