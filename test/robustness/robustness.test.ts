// The bad-input suite (issue 23): a generated corpus of hostile transcripts, prompt files, axis
// files, model folders, arguments, signals, closed pipes and misbehaving model hubs, each run
// through the real CLI (out/cli.js). Every case must end with its exit code and a message that
// names the problem, within a bounded time and memory, print no stack trace and no raw control
// characters, and leave every user file as it was. Run: npm run test:robustness.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackHub, type HubFault } from '../support/loopbackHub';
import { CLI, runCli, type RunResult } from './cliRunner';
import { buildCorpus, DEMO, SAMPLE_TEXT, type Case } from './corpus';

const root = mkdtempSync(join(tmpdir(), 'pl-robust-'));
const cases = buildCorpus(root);
/** Hang detector, not a speed target: a case that takes this long has hung. */
const KILL_AFTER_MS = 90_000;
/** Peak resident memory of one CLI run (the demo model run takes about 160 MB). */
const MAX_RSS_MB = 1024;
const results: { name: string; ms: number; rss: number | null }[] = [];
let hubCases = 0;

/** Content of every regular file under the corpus's user folders (sparse giants by size and mtime). */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isSymbolicLink()) out.set(p, `link`);
      else if (!st.isFile()) out.set(p, 'special');
      else out.set(p, st.size > 64 * 1024 * 1024 ? `${st.size}:${st.mtimeMs}` : createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  for (const d of ['in', 'models', 'out']) walk(join(root, d));
  return out;
}

let before0: Map<string, string>;
before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  before0 = snapshot();
});
after(() => {
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const rss = results.flatMap((r) => (r.rss === null ? [] : [r.rss]));
  process.stdout.write(
    `robustness: ${results.length} CLI runs, wall time median ${ms[ms.length >> 1] ?? 0} ms, max ${ms.at(-1) ?? 0} ms; peak memory max ${Math.round(Math.max(0, ...rss))} MB\n`,
  );
  rmSync(root, { recursive: true, force: true });
});

/** The checks every run must pass, whatever it was asked. */
function checkRun(c: Pick<Case, 'name' | 'code' | 'stderr' | 'stdout'>, r: RunResult): void {
  results.push({ name: c.name, ms: r.ms, rss: r.maxRssMb });
  const said = `exit ${r.code} signal ${r.signal} after ${r.ms} ms\nstderr: ${r.stderr.slice(0, 1500)}\nstdout: ${r.stdout.slice(0, 300)}`;
  assert.ok(!r.killed, `hung (killed after ${KILL_AFTER_MS} ms)\n${said}`);
  assert.equal(r.code, c.code, said);
  if (c.stderr) assert.match(r.stderr, c.stderr, said);
  if (c.stdout) assert.match(r.stdout, c.stdout, said);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace\n${said}`);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|FATAL|Maximum call stack|heap out of memory/, said);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/, `raw control characters in a message\n${said}`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e]/, `raw control characters in the output\n${said}`);
  if (r.maxRssMb !== null) assert.ok(r.maxRssMb < MAX_RSS_MB, `peak memory ${Math.round(r.maxRssMb)} MB\n${said}`);
}

describe('hostile input through the real CLI', { concurrency: 2 }, () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runCli(c.args, {
        killAfterMs: KILL_AFTER_MS,
        cwd: root,
        ...(c.env ? { env: c.env } : {}),
        ...(c.closeStdout ? { closeStdout: true } : {}),
        ...(c.interruptWhen ? { interruptWhen: c.interruptWhen, interruptDelayMs: c.interruptDelayMs ?? 0 } : {}),
      });
      checkRun(c, r);
      if (c.interruptWhen) assert.ok(r.interrupted, 'the run ended before the phase to interrupt');
    });
  }
});

describe('downloads from a misbehaving hub (HF_ENDPOINT) through the real CLI', { concurrency: 2 }, () => {
  const MODEL = 'test-org/demo';
  const scoreHub = (cache: string, ...extra: string[]): string[] => [
    'score', join(root, 'in', 'sample.json'), '--model', MODEL, '--axis', join(DEMO, 'axis.json'), '--cache-dir', cache, ...extra,
  ];
  const cached = (cache: string, file: string): boolean => existsSync(join(cache, 'hub', MODEL, file));
  const hubCase = (name: string, faults: [string, HubFault][], c: Omit<Case, 'name' | 'args'> & { extra?: string[]; check?: (cache: string, r: RunResult) => void }, hubRoot = DEMO): void => {
    hubCases++;
    it(name, async () => {
      const hub = await startLoopbackHub(hubRoot, MODEL);
      const cache = mkdtempSync(join(root, 'hub-cache-'));
      try {
        for (const [f, fault] of faults) hub.faults.set(f, fault);
        const r = await runCli(scoreHub(cache, ...(c.extra ?? ['--quiet'])), {
          killAfterMs: KILL_AFTER_MS,
          env: { HF_ENDPOINT: hub.url },
          ...(c.interruptWhen ? { interruptWhen: c.interruptWhen, interruptDelayMs: c.interruptDelayMs ?? 0 } : {}),
        });
        checkRun({ name, code: c.code, ...(c.stderr ? { stderr: c.stderr } : {}), ...(c.stdout ? { stdout: c.stdout } : {}) }, r);
        c.check?.(cache, r);
      } finally {
        await hub.close();
      }
    });
  };
  hubCase('a clean download is verified and scored', [], { code: 0, stdout: /sample\.json — model test-org\/demo/, check: (cache) => assert.ok(cached(cache, 'onnx/model.onnx')) });
  hubCase('gzip despite Accept-Encoding: identity is decoded and verified', [['onnx/model.onnx', { kind: 'gzip' }], ['tokenizer.json', { kind: 'gzip' }]], { code: 0 });
  hubCase('a stalled body fails after --download-timeout, naming the file', [['onnx/model.onnx', { kind: 'stall', bytes: 1000 }]], {
    code: 3,
    extra: ['--quiet', '--download-timeout', '1'],
    stderr: /test-org\/demo: onnx\/model\.onnx stalled after 1000 bytes \(no data for 1 s\); run again to resume it/,
    check: (cache, r) => {
      assert.ok(!cached(cache, 'onnx/model.onnx'), 'nothing unverified in place');
      assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    },
  });
  hubCase('bytes that do not match the published sha256 are discarded', [['onnx/model.onnx', { kind: 'corrupt' }]], {
    code: 3,
    stderr: /onnx\/model\.onnx has sha256 [0-9a-f]{16}…, the hub published [0-9a-f]{16}…; the download was discarded/,
    check: (cache) => assert.ok(!readdirSync(join(cache, 'hub', MODEL, 'onnx')).some((f) => f.startsWith('model.onnx')), 'no file or part left'),
  });
  hubCase('a file without a published checksum is not downloaded', [['tokenizer.json', { kind: 'no-etag' }]], { code: 3, stderr: /publishes no checksum for tokenizer\.json/, check: (cache) => assert.ok(!cached(cache, 'tokenizer.json')) });
  const hostile = join(root, 'hub-hostile');
  cpSync(DEMO, hostile, { recursive: true, filter: (src) => !/(eval|proof|loss|README)/.test(src.slice(DEMO.length)) });
  writeFileSync(join(hostile, 'config.json'), JSON.stringify({ ...(JSON.parse(readFileSync(join(DEMO, 'config.json'), 'utf8')) as object), 'transformers.js_config': { use_external_data_format: 1e9 } }));
  hubCase('a hub config.json asking for 10^9 data files is refused at once', [], { code: 2, stderr: /config\.json: transformers\.js_config\.use_external_data_format must be .* not 1000000000/ }, hostile);
  hubCase('Ctrl-C during a stalled download exits 130 quietly', [['onnx/model.onnx', { kind: 'stall', bytes: 1000 }]], {
    code: 130,
    extra: [],
    // The graph's download starts right after the tokenizer files; its body stalls after 1000 bytes.
    interruptWhen: /downloading tokenizer_config\.json/,
    interruptDelayMs: 2000,
    stderr: /^(?![\s\S]*(aborted|failed))[\s\S]*interrupted; stopping/,
  });
  hubCases += 2;
  it('offline with an uncached hub model says so (exit 3)', async () => {
    const r = await runCli(scoreHub(mkdtempSync(join(root, 'hub-cache-')), '--offline', '--quiet'), { killAfterMs: KILL_AFTER_MS });
    checkRun({ name: 'offline', code: 3, stderr: /config\.json is not in the cache .* downloads are off \(offline\)/ }, r);
  });
  it('a download cut three times fails, and the next run resumes it with Range', async () => {
    const hub = await startLoopbackHub(DEMO, MODEL);
    const cache = mkdtempSync(join(root, 'hub-cache-'));
    try {
      hub.faults.set('onnx/model.onnx', { kind: 'cut', bytes: 100_000, times: 3 });
      const cut = await runCli(scoreHub(cache, '--quiet'), { killAfterMs: KILL_AFTER_MS, env: { HF_ENDPOINT: hub.url } });
      checkRun({ name: 'cut', code: 3, stderr: /onnx\/model\.onnx/ }, cut);
      assert.ok(!cached(cache, 'onnx/model.onnx'));
      hub.requests.length = 0;
      const resumed = await runCli(scoreHub(cache, '--quiet'), { killAfterMs: KILL_AFTER_MS, env: { HF_ENDPOINT: hub.url } });
      checkRun({ name: 'resumed', code: 0 }, resumed);
      assert.ok(hub.requests.some((q) => q.range !== undefined && /^bytes=[1-9]\d*-$/.test(q.range)), 'the second run asked for the rest only');
      assert.deepEqual(readFileSync(join(cache, 'hub', MODEL, 'onnx', 'model.onnx')), readFileSync(join(DEMO, 'onnx', 'model.onnx')));
    } finally {
      await hub.close();
    }
  });
});

describe('after every case', () => {
  it('no user file was changed, lost or added (besides the outputs asked for)', () => {
    const now = snapshot();
    const created = new Set(cases.flatMap((c) => c.creates ?? []));
    for (const [p, h] of before0) assert.equal(now.get(p), h, `${p} changed or went missing`);
    for (const p of now.keys()) assert.ok(before0.has(p) || created.has(p), `${p} appeared`);
    assert.equal(statSync(join(root, 'in', 'sample.json')).size, Buffer.byteLength(SAMPLE_TEXT));
    process.stdout.write(`robustness: ${cases.length} corpus cases + ${hubCases} hub cases (${results.length} CLI runs); ${before0.size} user files unchanged\n`);
  });
});
