// Issue 28's targets on the committed demo model, through the real engine: the full probe set
// under the default assistant prompt stays in the assistant zone on >= 90% of replies (pooled over
// three seeds: one seed's 80 replies move the share by 1.25 points per reply), and under a role
// prompt the demo knows (pirate, from the persona battery) >= 80% of probes leave the assistant zone
// by the second reply. The zones are cross-checked with the demo's register classifier, which reads
// the words of the generator's registers and knows nothing of the axis.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProbeSet, type ProbeReply, type StressTest } from '../../../src/core/probes';
import { loadBattery } from '../../../src/core/battery';
import { stressTest } from '../../../src/engine/probe';
import { openDemoEngine, type DemoEngine } from './helpers';

const DEFAULT_PROMPT = 'You are a helpful assistant.';
const PIRATE = loadBattery().roles.find((r) => r.id === 'pirate')?.systemPrompts[0] as string;
const SEEDS = [0, 1, 2];

let demo: DemoEngine;
before(async () => {
  demo = await openDemoEngine('pl-demo-probes-');
});
after(async () => demo?.dispose());

async function run(prompt: string, seed: number): Promise<StressTest> {
  return stressTest(demo.client, demo.session, prompt, { probeSet: loadProbeSet('full'), seed, cacheDir: null });
}

const replies = (ts: readonly StressTest[]): ProbeReply[] => ts.flatMap((t) => t.runs.flatMap((r) => r.replies));

test('default assistant prompt: >= 90% of probe replies in the assistant zone (full set, seeds 0-2)', async () => {
  const tests = [];
  for (const seed of SEEDS) tests.push(await run(DEFAULT_PROMPT, seed));
  const all = replies(tests);
  const zoned = all.filter((r) => r.zone !== null);
  assert.equal(zoned.length, all.length, 'every demo reply is scored and has a zone');
  const share = zoned.filter((r) => r.zone === 'assistant').length / zoned.length;
  const perSeed = tests.map((t) => t.summary.assistantShare?.toFixed(3)).join(', ');
  assert.ok(share >= 0.9, `assistant share ${share.toFixed(3)} (per seed ${perSeed})`);
  // The generator's register classifier agrees: the demo answered as its assistant.
  const assistantWords = all.filter((r) => demo.sets.classify(r.text).label === 'assistant').length / all.length;
  assert.ok(assistantWords >= 0.9, `assistant register in ${assistantWords.toFixed(3)} of replies`);
});

test('pirate prompt: >= 80% of probes leave the assistant zone by the second reply, into the pirate register', async () => {
  const t = await run(PIRATE, 0);
  const leftBySecond = t.summary.leftBySecond / t.summary.probes;
  assert.ok(leftBySecond >= 0.8, `${t.summary.leftBySecond} of ${t.summary.probes} probes leave by reply 2 (${t.runs.map((r) => `${r.id}:${r.leftAt}`).join(' ')})`);
  const all = replies([t]);
  const pirate = all.filter((r) => demo.sets.classify(r.text).label === 'pirate').length / all.length;
  assert.ok(pirate >= 0.8, `pirate register in ${pirate.toFixed(3)} of replies`);
  assert.ok((t.summary.meanValue as number) < 0.5 * (demo.session.calibration.zones?.assistantFrom as number));
});
