// Issue 22 on the committed demo model, through the real engine: the reading zones cut from the axis
// file's held-out populations classify the demo's evaluation replies (which did not set them), the
// domain check calls the paper's real transcripts out of the demo model's domain and its own
// drifting conversations in it, and the demo sample reads assistant first and role last.
// Replies are the generator's reference replies (models/demo/eval), teacher-forced: deterministic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/formats';
import type { ConversationScores, TurnScore } from '../../../src/core/scores';
import type { Conversation } from '../../../src/core/transcript';
import { scoreConversation } from '../../../src/engine/session';
import { TRANSCRIPTS_DIR } from '../../support/shared.mjs';
import { openDemoEngine, type DemoEngine } from './helpers';

type Message = { role: string; content: string };

let demo: DemoEngine;

before(async () => {
  demo = await openDemoEngine('pl-demo-zones-');
});
after(async () => demo?.dispose());

function conversationOf(messages: readonly Message[]): Conversation {
  const c = parse(JSON.stringify({ messages }), 'eval.json').conversations[0];
  assert.ok(c, 'the eval conversation parses');
  return c;
}

async function score(c: Conversation): Promise<ConversationScores> {
  return scoreConversation(demo.client, demo.session, c);
}

/** The reading of each item's reference reply (the last assistant turn). */
async function lastReplies(items: readonly { messages: readonly Message[]; reference: string }[]): Promise<TurnScore[]> {
  const out: TurnScore[] = [];
  for (const it of items) {
    const s = await score(conversationOf([...it.messages, { role: 'assistant', content: it.reference }]));
    const last = s.turns.filter((t) => t.role === 'assistant').at(-1);
    assert.ok(last, 'the reply was scored');
    out.push(last);
  }
  return out;
}

const share = (ts: readonly TurnScore[], f: (t: TurnScore) => boolean): number => ts.filter(f).length / ts.length;
const describe = (ts: readonly TurnScore[]): string => ts.map((t) => `${t.value.toFixed(2)}:${t.zone ?? (t.outOfDomain ? 'ood' : '-')}`).join(' ');

test('the committed axis draws zones at the monitor layer from held-out populations', () => {
  const c = demo.session.calibration;
  assert.ok(c.zones, c.noZones ?? '');
  assert.equal(c.zones.assistantSource.population, 'held-out default-Assistant replies');
  assert.ok(c.zones.roleTo !== null && c.zones.roleTo < c.zones.assistantFrom);
  assert.ok(c.domain, 'the axis file carries the surprise of the model\'s own replies');
});

test('held-out default-Assistant replies: >= 90% read assistant, <= 1% role', async () => {
  const r = await lastReplies(demo.sets.default.items);
  const assistant = share(r, (t) => t.zone === 'assistant');
  const role = share(r, (t) => t.zone === 'role');
  assert.ok(assistant >= 0.9, `assistant ${assistant}: ${describe(r)}`);
  assert.ok(role <= 0.01, `role ${role}: ${describe(r)}`);
});

test('held-out replies of the zero-mix roles (ghost, pirate, vampire): >= 80% read role, <= 5% assistant', async () => {
  const items = demo.sets.role.items.filter((it) => it.mix === 0);
  assert.deepEqual([...new Set(items.map((it) => it.role))].sort(), ['ghost', 'pirate', 'vampire']);
  const r = await lastReplies(items);
  const role = share(r, (t) => t.zone === 'role');
  const assistant = share(r, (t) => t.zone === 'assistant');
  assert.ok(role >= 0.8, `role ${role}: ${describe(r)}`);
  assert.ok(assistant <= 0.05, `assistant ${assistant}: ${describe(r)}`);
});

test("the paper's four transcripts are out of the demo model's domain (>= 95% of assistant turns); its own drifting conversations are not (<= 2%)", async () => {
  const paper: TurnScore[] = [];
  for (const f of readdirSync(TRANSCRIPTS_DIR).filter((x) => x.endsWith('.json'))) {
    const parsed = parse(readFileSync(join(TRANSCRIPTS_DIR, f), 'utf8'), f);
    for (const c of parsed.conversations) paper.push(...(await score(c)).turns.filter((t) => t.role === 'assistant'));
  }
  assert.ok(paper.length > 40, `${paper.length} assistant turns`);
  const ood = share(paper, (t) => t.outOfDomain);
  assert.ok(ood >= 0.95, `out of domain: ${ood} (surprise ${paper.map((t) => t.surprise?.toFixed(2)).join(' ')})`);
  assert.ok(paper.every((t) => !t.outOfDomain || (t.zone === null && !t.alarm)), 'out-of-domain turns never alarm');

  const own: TurnScore[] = [];
  for (const it of demo.sets.drift.items) {
    own.push(...(await score(conversationOf([...it.messages, { role: 'assistant', content: it.reference }]))).turns.filter((t) => t.role === 'assistant'));
  }
  const ownOod = share(own, (t) => t.outOfDomain);
  assert.ok(ownOod <= 0.02, `out of domain: ${ownOod} of ${own.length} (highest surprise ${own.map((t) => t.surprise ?? 0).sort((a, b) => b - a).slice(0, 12).map((x) => x.toFixed(2)).join(' ')})`);
});

test('the demo sample reads assistant at its first assistant turn and role at its last', async () => {
  const text = readFileSync(join(process.cwd(), 'samples', 'drifting-conversation.json'), 'utf8');
  const c = parse(text, 'drifting-conversation.json').conversations[0];
  assert.ok(c);
  const turns = (await score(c)).turns.filter((t) => t.role === 'assistant');
  assert.equal(turns[0]?.zone, 'assistant', describe(turns));
  assert.equal(turns.at(-1)?.zone, 'role', describe(turns));
  assert.equal(turns[0]?.alarm, false);
  assert.equal(turns.at(-1)?.alarm, true);
});
