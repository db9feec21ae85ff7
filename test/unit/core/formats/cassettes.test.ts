// VCR cassettes (YAML recordings of API calls): each interaction is the request's messages plus the
// response's reply, with ranges in the YAML, through the JSON a quoted YAML string holds or a YAML structure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Document, parseDocument, Scalar } from 'yaml';
import { parse } from '../../../../src/core/formats';
import { unquoteYaml } from '../../../../src/core/formats/yamlText';
import { mulberry32 } from '../../../../src/core/random';
import { fixture, invariantProblems, slice } from './helpers';

test('vcrpy cassette: the request body (single-quoted, folded) and the reply (double-quoted, escaped) with exact ranges', () => {
  const text = fixture('cassette-openai-chat.yaml');
  const r = parse(text, 'test_agent_execute_task_basic.yaml');
  assert.equal(r.format, 'vcr-cassette');
  assert.equal(r.conversations.length, 1);
  const c = r.conversations[0];
  assert.equal(c?.label, 'interaction 1');
  assert.equal(c?.metadata.uri, 'https://api.openai.com/v1/chat/completions');
  assert.deepEqual(
    c?.turns.map((t) => [t.role, t.encoding]),
    [
      ['system', 'yaml-single-json'],
      ['user', 'yaml-single-json'],
      ['assistant', 'yaml-double-json'],
    ],
  );
  assert.equal(c?.turns[0]?.text, 'You are test role. test backstory\nYour personal goal is: test goal');
  // The user prompt spans four folded YAML lines: the range covers them, the text is unfolded.
  assert.match(
    c?.turns[1]?.text ?? '',
    /^\nCurrent Task: Calculate 2 \+ 2\n\nThis is the expected criteria for your final answer: The result of the calculation\nyou MUST/,
  );
  assert.ok(slice(text, c?.turns[1]?.range ?? { start: 0, end: 0 }).includes('\n      2 + 2'));
  assert.equal(c?.turns[2]?.text, 'The result of the calculation 2 + 2 is 4.');
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('pydantic-ai cassette: parsed_body YAML structures, Anthropic tool_use and tool_result, one conversation per interaction', () => {
  const text = fixture('cassette-anthropic-parsed-body.yaml');
  const r = parse(text, 'test_anthropic_tool_output.yaml');
  assert.equal(r.format, 'vcr-cassette');
  assert.deepEqual(
    r.conversations.map((c) => c.turns.map((t) => `${t.role}/${t.kind}: ${t.text}`)),
    [
      [
        'user/message: What is the largest city in the user country?',
        'assistant/toolCall: {"name":"get_user_country","arguments":{}}',
      ],
      [
        'user/message: What is the largest city in the user country?',
        'assistant/toolCall: {"name":"get_user_country","arguments":{}}',
        'tool/toolResult: Mexico',
        'assistant/toolCall: {"name":"final_result","arguments":{"city":"Mexico City","country":"Mexico"}}',
      ],
    ],
  );
  const user = r.conversations[0]?.turns[0];
  assert.equal(user?.encoding, 'parts');
  assert.equal(user?.parts?.[0]?.encoding, 'yaml');
  assert.equal(
    slice(text, user?.parts?.[0]?.range ?? { start: 0, end: 0 }),
    'What is the largest city in the user country?',
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('a cassette of other calls (embeddings) is not a transcript; compressed and streamed bodies are reported', () => {
  const embeddings = [
    'interactions:',
    '- request:',
    `    body: '{"input": ["some text"], "model": "text-embedding-3-small"}'`,
    '    method: POST',
    '    uri: https://api.openai.com/v1/embeddings',
    '  response:',
    '    body:',
    `      string: '{"data": []}'`,
    'version: 1',
  ].join('\n');
  assert.equal(parse(embeddings, 'embed.yaml').format, 'unknown');
  const compressed = [
    'interactions:',
    '- request:',
    `    body: '{"messages": [{"role": "user", "content": "Hi"}], "model": "gpt-4o"}'`,
    '    uri: https://api.openai.com/v1/chat/completions',
    '  response:',
    '    body:',
    '      string: !!binary |',
    '        H4sIAAAAAAAAA6tWKkktLlGyUlAqSS0uUagFAHXfGJMQAAAA',
    'version: 1',
  ].join('\n');
  const r = parse(compressed, 'gz.yaml');
  assert.equal(r.format, 'vcr-cassette');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.text),
    ['Hi'],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [
      ['info', 'no-assistant-turn'],
      ['info', 'unrecognized-record'],
    ],
  );
  assert.match(slice(compressed, r.diagnostics[1]?.range ?? { start: 0, end: 0 }), /^\|\n/);
  assert.deepEqual(invariantProblems(compressed, r), []);
});

test('unquoteYaml agrees with the yaml library on quoted scalars, folded or not, and maps every character', () => {
  const rnd = mulberry32(27);
  const pieces = [
    'a',
    'b',
    ' ',
    '  ',
    "'",
    '"',
    '\\',
    '\n',
    '\n\n',
    '\t',
    'é',
    '😀',
    '{"k": "v"}',
    'word',
    'x'.repeat(30),
    '\u0085',
    '#',
    ':',
  ];
  for (let run = 0; run < 400; run++) {
    let value = '';
    for (let k = 0; k < 1 + Math.floor(rnd() * 12); k++)
      value += pieces[Math.floor(rnd() * pieces.length)] ?? '';
    for (const type of [Scalar.QUOTE_SINGLE, Scalar.QUOTE_DOUBLE] as const) {
      const doc = new Document({ body: value });
      const node = doc.get('body', true) as Scalar;
      node.type = type;
      const yaml = doc.toString({ lineWidth: 24, minContentWidth: 8 });
      const parsed = parseDocument(yaml).get('body', true) as Scalar;
      assert.equal(parsed.value, value, 'the yaml library round-trips');
      if (parsed.type !== type || !parsed.range) continue; // the library may pick another style
      const [start, end] = parsed.range;
      const u = unquoteYaml(yaml, start + 1, end - 1, type === Scalar.QUOTE_SINGLE ? 'single' : 'double');
      assert.equal(u?.text, value, `${type} ${JSON.stringify(yaml)}`);
      assert.equal(u?.map.length, value.length + 1);
      assert.ok(
        u && [...u.map].every((m, i, all) => m >= start && m <= end && (i === 0 || m >= (all[i - 1] ?? 0))),
        'the map runs forward inside the scalar',
      );
    }
  }
});
