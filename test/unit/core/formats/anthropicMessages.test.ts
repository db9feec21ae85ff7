import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems, slice } from './helpers';

test('Anthropic: top-level system, image and thinking placeholders, tool_use in the assistant turn, tool_result turns', () => {
  const text = fixture('anthropic-messages.json');
  const r = parse(text, 'anthropic-messages.json');
  assert.equal(r.format, 'anthropic-messages');
  const c = r.conversations[0];
  assert.equal(c?.system?.text, 'You are a travel planning assistant. Use the weather tool before recommending outdoor plans.');
  assert.equal(c?.system?.role, 'system');
  const turns = c?.turns ?? [];
  assert.deepEqual(
    turns.map((t) => [t.role, t.kind]),
    [
      ['user', 'message'],
      ['assistant', 'message'],
      ['tool', 'toolResult'],
      ['assistant', 'message'],
      ['tool', 'toolResult'],
      ['user', 'message'],
      ['assistant', 'message'],
    ],
  );
  assert.equal(turns[0]?.text, '[image]\nThis is the view from our hotel in Lisbon. Is tomorrow good for a walk to Belém?');
  // The assistant's tool_use is part of its turn, rendered as the engine sees it; its range is the block.
  assert.equal(
    turns[1]?.text,
    '[thinking]\nLet me check tomorrow\'s forecast for Lisbon.\n{"name":"get_weather","arguments":{"city":"Lisbon","day":"tomorrow"}}',
  );
  const call = turns[1]?.parts?.[2];
  assert.deepEqual([call?.encoding, call?.name, call?.toolCallId], ['toolCall', 'get_weather', 'toolu_01A09q90qw90lq917835lq9']);
  assert.ok(slice(text, call?.range ?? { start: 0, end: 0 }).startsWith('{"type": "tool_use"'));
  assert.equal(turns[2]?.toolCallId, 'toolu_01A09q90qw90lq917835lq9');
  assert.equal(turns[2]?.text, 'Sunny, 21°C, light wind from the north-west.');
  assert.equal(turns[3]?.encoding, 'json-string');
  assert.equal(turns[4]?.text, 'Tram 15E: every 8 minutes.');
  assert.equal(turns[6]?.text, 'Yes. Tram 15E runs every 8 minutes from Belém back to Praça da Figueira.');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, slice(text, d.range).slice(0, 18)]),
    [
      ['placeholder', '{"type": "image", '],
      ['placeholder', '{"type": "thinking'],
    ],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Anthropic: system given as text blocks becomes a multi-part system turn', () => {
  const text = JSON.stringify(
    {
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Bonjour.' },
      ],
    },
    null,
    2,
  );
  const r = parse(text, 'request.json');
  assert.equal(r.format, 'anthropic-messages');
  assert.equal(r.conversations[0]?.system?.text, 'You are terse.\nAnswer in French.');
  assert.equal(r.conversations[0]?.system?.parts?.length, 2);
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});
