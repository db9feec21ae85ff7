// Per-token heat in the editor (issue 29 item 4): time to compute the shaded ranges of a 30-turn,
// ~20,000-token transcript (the paper's coding transcript, each message stretched to about 1.15 times
// its length, about 20k tokens with the demo tokenizer), as the extension does on every redraw: parse the file, map every scored token of the
// assistant turns from its message text to the file (JSON escapes), bucket and merge, and turn the
// offsets into line/column positions. Token spans are the demo tokenizer's real ones (tokenMap);
// the values are a seeded trend from the assistant zone of the demo axis into its role zone plus
// autocorrelated noise (neighbouring tokens' projections are alike), so every shade occurs. Then the same
// size of transcript in the real VS Code (bench/tokenHeatEditor.mjs, when the e2e setup is installed; one
// the demo model reads in its domain, see demoDomainTranscript): scored by the demo model, heat toggled
// and the text edited, with the extension's logged compute and setDecorations ("apply") time per redraw
// and the time to shaded text on screen.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { parseAxisFile } from '../src/core/axis/axisFile';
import { calibrationOf } from '../src/core/axis/calibration';
import { parse } from '../src/core/formats';
import { heatRanges } from '../src/core/heat/heatRanges';
import { createLineIndex } from '../src/core/textPosition';
import { toConversationScores, toEngineMessages, type EngineScore } from '../src/core/turnScores';
import { chatTokenizerFrom, mapTokens } from '../src/worker/tokenMap';
import { mulberry32 } from '../test/support/prng';
import { ROOT } from './models';
import { median, transcriptPath } from './util';

export interface TokenHeatResult {
  readonly turns: number;
  readonly tokens: number;
  readonly assistantTokens: number;
  readonly fileChars: number;
  readonly ranges: number;
  readonly byShade: Record<string, number>;
  readonly rounds: number;
  /** Parse + heat ranges + positions, the whole redraw minus VS Code's setDecorations. */
  readonly computeMsMedian: number;
  /** Heat ranges and positions only (the parse is shared with the per-turn values). */
  readonly heatMsMedian: number;
  /** The machine is shared: 1/5/15-minute load averages when the section ended. */
  readonly loadAverage: number[];
  readonly target: string;
  readonly raw: { compute: number[]; heat: number[] };
  /** The same transcript in the real VS Code (bench/tokenHeatEditor.mjs), or why it was not measured. */
  readonly editor: Record<string, unknown> | { readonly skipped: string };
}

/** How much each message is lengthened (by repeating it) to reach about 20k tokens. */
const STRETCH = 1.15;

export async function benchTokenHeat(rounds: number): Promise<TokenHeatResult> {
  const demo = join(ROOT, 'models', 'demo');
  const source = JSON.parse(readFileSync(transcriptPath('coding.json'), 'utf8')) as { conversation: { role: string; content: string }[] };
  const stretched = {
    conversation: source.conversation.map((m) => ({ role: m.role, content: `${m.content}\n\n${m.content}\n\n${m.content}`.slice(0, Math.round(m.content.length * STRETCH)) })),
  };
  const text = JSON.stringify(stretched, null, 2);
  const conversation = parse(text, 'coding.json').conversations[0];
  if (!conversation) throw new Error('the benchmark transcript did not parse');
  const tok = chatTokenizerFrom(await AutoTokenizer.from_pretrained(demo, { local_files_only: true }));
  const { messages, turnOffset } = toEngineMessages(conversation);
  const map = mapTokens(tok, messages, false);
  const axis = parseAxisFile(readFileSync(join(demo, 'axis.json'), 'utf8'), 'axis.json');
  const calibration = calibrationOf(axis, axis.monitorLayer);
  const cuts = calibration.zones;
  if (!cuts || cuts.roleTo === null) throw new Error('the demo axis draws no role zone');

  // A random walk from above the assistant cut to below the role cut over the conversation.
  const rand = mulberry32(29);
  let noise = 0;
  const top = cuts.assistantFrom + 0.5;
  const span = top - (cuts.roleTo - 0.5);
  const tableText: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const values: number[] = [];
  const turns: EngineScore['turns'][number][] = [];
  messages.forEach((m, i) => {
    const tokenStart = values.length;
    for (const p of map.places) {
      if (p.turn !== i) continue;
      tableText.push(m.content.slice(p.start, p.end));
      start.push(p.start);
      end.push(p.end);
      const trend = top - (span * i) / messages.length;
      noise = 0.9 * noise + (rand() - 0.5) * span * 0.2;
      values.push(trend + noise);
    }
    const mean = values.slice(tokenStart).reduce((a, b) => a + b, 0) / Math.max(1, values.length - tokenStart);
    turns.push({ turn: i, role: m.role, tokenStart, tokenEnd: values.length, found: true, means: Float32Array.of(mean) });
  });
  const engine: EngineScore = {
    layers: [axis.monitorLayer],
    monitorLayer: axis.monitorLayer,
    projections: [Float32Array.from(values)],
    tokens: { text: tableText, start: Int32Array.from(start), end: Int32Array.from(end) },
    scoredMessages: messages.length,
    fullTokens: map.ids.length,
    tokenLimit: null,
    turns,
  };
  const scores = toConversationScores(conversation, engine, { turnOffset, tau: null, model: 'demo', axis: 'demo', calibration });
  const assistantTokens = scores.turns.filter((t) => t.role === 'assistant').reduce((n, t) => n + t.tokens.length, 0);

  const redraw = (reparse: boolean): { ranges: number; byShade: Record<string, number> } => {
    const conv = reparse ? parse(text, 'coding.json').conversations[0] ?? conversation : conversation;
    const lines = createLineIndex(text);
    const byShade: Record<string, number> = {};
    let positions = 0;
    for (const r of heatRanges(conv, scores, text, { checkTokens: false })) {
      byShade[r.bucket] = (byShade[r.bucket] ?? 0) + 1;
      positions += lines.positionAt(r.start).line + lines.positionAt(r.end).line;
    }
    if (positions < 0) throw new Error('unreachable');
    return { ranges: Object.values(byShade).reduce((a, b) => a + b, 0), byShade };
  };
  const compute: number[] = [];
  const heat: number[] = [];
  let last = redraw(true);
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    last = redraw(true);
    compute.push(performance.now() - t0);
    t0 = performance.now();
    redraw(false);
    heat.push(performance.now() - t0);
  }
  const editor = measureInEditor(demoDomainTranscript());
  const result: TokenHeatResult = {
    turns: conversation.turns.length,
    tokens: map.ids.length,
    assistantTokens,
    fileChars: text.length,
    ranges: last.ranges,
    byShade: last.byShade,
    rounds,
    computeMsMedian: median(compute),
    heatMsMedian: median(heat),
    loadAverage: loadavg(),
    target: 'a redraw well under one frame budget of typing (< 50 ms) so heat can follow every edit',
    raw: { compute, heat },
    editor,
  };
  console.log(
    `  ${result.turns} turns, ${result.tokens} tokens (${assistantTokens} assistant), ${result.ranges} ranges: compute ${result.computeMsMedian.toFixed(1)} ms median (heat only ${result.heatMsMedian.toFixed(1)} ms; load ${result.loadAverage.map((l) => l.toFixed(1)).join(' ')})`,
  );
  console.log(`  in VS Code: ${JSON.stringify('skipped' in editor ? editor : { toggle: editor['toggle'], edit: editor['edit'], ranges: editor['ranges'] })}`);
  return result;
}

/**
 * A 30-turn, ~22k-token transcript the demo model reads in its domain (its own sample's turns in turn,
 * each assistant reply repeated 24 times: 10 of 15 replies in domain). The paper's transcripts are out
 * of the demo model's domain, and out-of-domain turns get no heat (their values mean nothing), so the
 * editor run would draw nothing on them.
 */
function demoDomainTranscript(): string {
  const sample = JSON.parse(readFileSync(join(ROOT, 'samples', 'drifting-conversation.json'), 'utf8')) as { messages: { role: string; content: string }[] };
  const body = sample.messages.filter((m) => m.role !== 'system');
  const turns = Array.from({ length: 30 }, (_, i) => {
    const m = body[i % body.length] as { role: string; content: string };
    return { role: m.role, content: Array<string>(m.role === 'assistant' ? 24 : 2).fill(m.content).join(' ') };
  });
  return JSON.stringify({ messages: [sample.messages[0], ...turns] }, null, 2);
}

/** Runs bench/tokenHeatEditor.mjs on `text` when the e2e setup (code-server, playwright) is installed. */
function measureInEditor(text: string): TokenHeatResult['editor'] {
  if (!existsSync(join(ROOT, 'test', 'e2e', 'node_modules', 'code-server')))
    return { skipped: 'the e2e setup is not installed (bash test/e2e/setup.sh)' };
  const dir = mkdtempSync(join(tmpdir(), 'pl-heat-bench-'));
  try {
    const file = join(dir, 'long-chat.json');
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'tokenHeatEditor.mjs'), file], { encoding: 'utf8', timeout: 20 * 60_000, cwd: ROOT });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    if (r.status !== 0 || !line.startsWith('{')) return { skipped: `the editor run failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-500)}` };
    return JSON.parse(line) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
