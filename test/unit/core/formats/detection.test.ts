// Detection never steals another format's files: every format's samples are read as that format, and
// every other format's detector scores them lower than their own does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS, makeInput, parse } from '../../../../src/core/formats';
import { fixture, repoRoot } from './helpers';

/** Each text fixture and the format it is in. */
const EXPECTED: Readonly<Record<string, string>> = {
  'aider.chat.history.md': 'aider',
  'anthropic-messages.json': 'anthropic-messages',
  'assistant-axis.json': 'assistant-axis',
  'cassette-anthropic-parsed-body.yaml': 'vcr-cassette',
  'cassette-openai-chat.yaml': 'vcr-cassette',
  'chatgpt-conversations.json': 'chatgpt-export',
  'claude-ai-conversations.json': 'claude-ai-export',
  'claude-code-session.jsonl': 'claude-code',
  'inspect-eval.json': 'inspect-eval',
  'mt-bench-question.jsonl': 'eval-dataset',
  'mt-bench-reference.jsonl': 'eval-dataset',
  'open-webui-chat.json': 'open-webui',
  'openai-array.json': 'openai-chat',
  'openai-finetune.jsonl': 'openai-chat',
  'openai-request.json': 'openai-chat',
  'openai-responses-request.json': 'openai-responses',
  'openai-responses-response.json': 'openai-responses',
  'sharegpt.json': 'sharegpt',
  'sharegpt.jsonl': 'sharegpt',
  'sillytavern-aqua.jsonl': 'sillytavern',
  'support-bot.prompty': 'prompty',
  'transcript-bold.md': 'markdown',
  'transcript-headings.md': 'markdown',
  'transcript-plain.txt': 'markdown',
};

test('every text fixture is listed here (new samples need an expected format)', () => {
  const dir = join(repoRoot(), 'test', 'fixtures', 'formats');
  const texts = readdirSync(dir).filter((f) => !f.endsWith('.eval') && f !== 'SOURCES.md');
  assert.deepEqual(texts.sort(), Object.keys(EXPECTED).sort());
});

for (const [name, format] of Object.entries(EXPECTED)) {
  test(`${name} is read as ${format}, and no other format claims it`, () => {
    const text = fixture(name);
    assert.equal(parse(text, name).format, format);
    const input = makeInput(text, name);
    const own = FORMATS.find((f) => f.id === format)?.detect(input) ?? 0;
    for (const other of FORMATS) {
      if (other.id === format) continue;
      assert.ok(
        other.detect(input) < own,
        `${other.id} scores ${other.detect(input)} on ${name}, ${format} ${own}`,
      );
    }
    // JSON formats go by content: the same text under a neutral name is still read the same way.
    if (/\.jsonl?$/.test(name))
      assert.equal(parse(text, name.endsWith('.jsonl') ? 'data.jsonl' : 'data.json').format, format);
  });
}
