import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJsonFormat, FORMATS, listFormats, parse } from '../../../../src/core/formats';
import { finishConversation, spanTurn } from '../../../../src/core/formats/conversation';
import { items, prop, stringSpan } from '../../../../src/core/formats/json/jsonNodes';
import { fixture, invariantProblems } from './helpers';

test('the registry lists every format once, in detection order', () => {
  const ids = listFormats().map((f) => f.id);
  assert.deepEqual(ids, [
    'inspect-eval',
    'chatgpt-export',
    'claude-ai-export',
    'open-webui',
    'claude-code',
    'sillytavern',
    'assistant-axis',
    'sharegpt',
    'openai-responses',
    'anthropic-messages',
    'openai-chat',
    'eval-dataset',
    'prompty',
    'vcr-cassette',
    'aider',
    'markdown',
  ]);
  assert.ok(listFormats().every((f) => f.label.length > 0 && f.extensions.every((e) => e.startsWith('.'))));
});

test('each sample is detected by its content, whatever its extension says', () => {
  const cases: [string, string, string][] = [
    ['openai-array.json', 'data.txt.json', 'openai-chat'],
    ['openai-request.json', 'request', 'openai-chat'],
    ['openai-finetune.jsonl', 'train.jsonl', 'openai-chat'],
    ['anthropic-messages.json', 'body.json', 'anthropic-messages'],
    ['sharegpt.json', 'sharegpt.json', 'sharegpt'],
    ['sharegpt.jsonl', 'data.jsonl', 'sharegpt'],
    ['assistant-axis.json', 'pirate.json', 'assistant-axis'],
    ['inspect-eval.json', 'log.json', 'inspect-eval'],
    ['transcript-headings.md', 'chat.md', 'markdown'],
    ['transcript-bold.md', 'chat.markdown', 'markdown'],
    ['transcript-plain.txt', 'chat.txt', 'markdown'],
    ['support-bot.prompty', 'bot.prompty', 'prompty'],
  ];
  for (const [name, fileName, format] of cases) assert.equal(parse(fixture(name), fileName).format, format, name);
});

test('a plain {"messages"} body with string contents is read as OpenAI, not Anthropic', () => {
  const text = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}';
  assert.equal(parse(text, 'x.json').format, 'openai-chat');
});

test('adding a format is one definition: a custom JSON format is detected and parsed with JSONL framing for free', () => {
  // A made-up log shape: {"dialog": [{"speaker": "Q" | "A", "utterance": "..."}]}.
  const qa = defineJsonFormat({
    id: 'qa-log',
    label: 'Q/A log',
    extensions: ['.qa.json'],
    score: (node) => (prop(node, 'dialog')?.type === 'array' ? 0.9 : 0),
    read(record, text, sink) {
      const turns = items(prop(record.node, 'dialog')).flatMap((u) => {
        const span = stringSpan(text, prop(u, 'utterance'));
        if (!span) return [];
        return [spanTurn(prop(u, 'speaker')?.value === 'A' ? 'assistant' : 'user', span, 'json-string')];
      });
      return [finishConversation({ turns, range: record.range, ...(record.label ? { label: record.label } : {}) }, sink)];
    },
  });
  const text = '{"dialog": [{"speaker": "Q", "utterance": "2+2?"}, {"speaker": "A", "utterance": "4"}]}\n{"dialog": [{"speaker": "Q", "utterance": "Hi"}]}\n';
  const r = parse(text, 'log.jsonl', { formats: [...FORMATS, qa] });
  assert.equal(r.format, 'qa-log');
  assert.deepEqual(
    r.conversations.map((c) => c.turns.map((t) => t.text)),
    [['2+2?', '4'], ['Hi']],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['no-assistant-turn'],
  );
  assert.deepEqual(invariantProblems(text, r), []);
  // Without it, the same file is not recognised.
  assert.equal(parse(text, 'log.jsonl').format, 'unknown');
});
