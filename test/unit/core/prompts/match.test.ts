// "Compare with HEAD" finds the same prompt in the file's older version: two versions of a TS file,
// both scanned by the real detector, with prompts edited, added before and reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findPrompts, matchPrompt, PromptParsers } from '../../../../src/core/prompts';

const parsers = new PromptParsers(join(process.cwd(), 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm'));
const scan = async (text: string) => (await findPrompts(text, 'agent.ts', parsers)).prompts;

const HEAD = `
import Anthropic from '@anthropic-ai/sdk';
const client = new Anthropic();
await client.messages.create({ model: 'm', system: 'You are a terse reviewer.', messages: [] });
await openai.chat.completions.create({ model: 'm', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'hi' }] });
`;

test('an edited prompt matches its HEAD version by marker and rank', async () => {
  const head = await scan(HEAD);
  const now = await scan(HEAD.replace('You are a helpful assistant.', 'You are a pirate. Arr.'));
  assert.equal(head.length, 2);
  assert.equal(matchPrompt(now, 1, head)?.text, 'You are a helpful assistant.');
  assert.equal(matchPrompt(now, 0, head)?.text, 'You are a terse reviewer.');
});

test('a prompt added before another with a different marker does not shift the match', async () => {
  const head = await scan(HEAD);
  const now = await scan(HEAD.replace("await client.messages", "const agent = new Agent({ name: 'x', instructions: 'Plan first.' });\nawait client.messages"));
  assert.equal(now.length, 3);
  const i = now.findIndex((p) => p.text === 'You are a helpful assistant.');
  assert.equal(matchPrompt(now, i, head)?.text, 'You are a helpful assistant.');
  const added = now.findIndex((p) => p.text === 'Plan first.');
  assert.equal(matchPrompt(now, added, head), null, 'a new prompt has no HEAD version');
});

test('when prompts of the same marker were added, the match is refused rather than guessed', async () => {
  const head = await scan(HEAD);
  const now = await scan(`${HEAD}\nawait client.messages.create({ model: 'm', system: 'Second reviewer.', messages: [] });\n`);
  assert.equal(now.length, 3);
  assert.equal(matchPrompt(now, 0, head), null);
  assert.equal(matchPrompt(now, 5, head), null, 'an index out of range matches nothing');
});
