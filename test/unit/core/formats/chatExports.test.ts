// Chat app exports: ChatGPT (a message tree per conversation), Claude.ai, Open WebUI (a tree via history.currentId).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../../src/core/formats';
import { fixture, invariantProblems, slice } from './helpers';

test('ChatGPT export: the shown branch; hidden root and custom instructions are not turns, the instructions are the system prompt', () => {
  const text = fixture('chatgpt-conversations.json');
  const r = parse(text, 'conversations.json');
  assert.equal(r.format, 'chatgpt-export');
  assert.equal(r.conversations.length, 1);
  const c = r.conversations[0];
  assert.equal(c?.label, 'How photosynthesis works');
  assert.deepEqual(
    c?.turns.map((t) => t.role),
    ['user', 'assistant', 'user', 'assistant'],
  );
  assert.equal(c?.turns[0]?.text, 'Can you explain how photosynthesis works in simple terms?');
  assert.equal(c?.turns[2]?.text, 'Why is sunlight important?');
  assert.match(
    c?.system?.text ?? '',
    /^The user provided the additional info about how they would like you to respond:\n```Please keep the initial response/,
  );
  assert.equal(c?.system?.rawRole, 'user_editable_context');
  assert.deepEqual(invariantProblems(text, r), []);
  assert.deepEqual(r.diagnostics, []);
});

// Edits and regenerations: the shape of a real export with a branch (an edited first prompt), written
// small. ChatGPT shows the path to current_node; the other leaf is a branch.
const branched = JSON.stringify([
  {
    title: 'Runtime question',
    current_node: 'a2',
    mapping: {
      root: { id: 'root', message: null, parent: null, children: ['sys'] },
      sys: {
        id: 'sys',
        message: {
          author: { role: 'system' },
          content: { content_type: 'text', parts: [''] },
          metadata: { is_visually_hidden_from_conversation: true },
        },
        parent: 'root',
        children: ['u1', 'u2'],
      },
      u1: {
        id: 'u1',
        message: {
          author: { role: 'user' },
          content: { content_type: 'text', parts: ['What is it?'] },
          recipient: 'all',
        },
        parent: 'sys',
        children: ['e1'],
      },
      e1: {
        id: 'e1',
        message: { author: { role: 'assistant' }, content: { content_type: 'text', parts: [''] } },
        parent: 'u1',
        children: ['a1'],
      },
      a1: {
        id: 'a1',
        message: { author: { role: 'assistant' }, content: { content_type: 'text', parts: ['A runtime.'] } },
        parent: 'e1',
        children: [],
      },
      u2: {
        id: 'u2',
        message: {
          author: { role: 'user' },
          content: { content_type: 'text', parts: ['What is it, and do I need it?'] },
        },
        parent: 'sys',
        children: ['t2'],
      },
      t2: {
        id: 't2',
        message: { author: { role: 'assistant' }, content: { content_type: 'thoughts', thoughts: [] } },
        parent: 'u2',
        children: ['c2'],
      },
      c2: {
        id: 'c2',
        message: {
          author: { role: 'assistant' },
          content: { content_type: 'code', language: 'python', text: 'print(1)' },
          recipient: 'python',
        },
        parent: 't2',
        children: ['o2'],
      },
      o2: {
        id: 'o2',
        message: {
          author: { role: 'tool', name: 'python' },
          content: { content_type: 'execution_output', text: '1' },
        },
        parent: 'c2',
        children: ['a2'],
      },
      a2: {
        id: 'a2',
        message: {
          author: { role: 'assistant' },
          content: {
            content_type: 'multimodal_text',
            parts: ['Yes.', { content_type: 'image_asset_pointer', asset_pointer: 'file-service://x' }],
          },
        },
        parent: 'o2',
        children: [],
      },
    },
  },
]);

test('ChatGPT export: current_node picks the branch; other leaves are further conversations marked as branches', () => {
  const r = parse(branched, 'conversations.json');
  assert.equal(r.format, 'chatgpt-export');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.branch ?? false, c.turns.map((t) => `${t.role}/${t.kind}`)]),
    [
      [
        'Runtime question',
        false,
        ['user/message', 'assistant/toolCall', 'tool/toolResult', 'assistant/message'],
      ],
      ['Runtime question (branch 1)', true, ['user/message', 'assistant/message']],
    ],
  );
  const shown = r.conversations[0]?.turns ?? [];
  assert.equal(shown[1]?.text, 'print(1)');
  assert.equal(shown[1]?.name, 'python');
  assert.equal(shown[3]?.text, 'Yes.\n[image_asset_pointer]');
  // Reasoning is not a turn (an info), and the image part is a placeholder (an info); nothing else.
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [
      ['info', 'placeholder'],
      ['info', 'placeholder'],
    ],
  );
  assert.deepEqual(invariantProblems(branched, r), []);
});

test('Claude.ai export: content blocks as Claude shows them (thinking as a placeholder), sender human/assistant', () => {
  const text = fixture('claude-ai-conversations.json');
  const r = parse(text, 'conversations.json');
  assert.equal(r.format, 'claude-ai-export');
  const c = r.conversations[0];
  assert.equal(c?.label, 'Thinking Demo');
  assert.deepEqual(
    c?.turns.map((t) => [t.role, t.rawRole]),
    [
      ['user', 'human'],
      ['assistant', 'assistant'],
    ],
  );
  assert.equal(c?.turns[0]?.text, 'Can you greet me?');
  assert.equal(c?.turns[1]?.text, "[thinking]\nHello there! It's great to hear from you.");
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Claude.ai export: with parent links, the chain to current_leaf_message_uuid; tool_use joins the assistant turn', () => {
  const text = JSON.stringify([
    {
      uuid: 'c',
      name: 'Edited',
      current_leaf_message_uuid: 'a2',
      chat_messages: [
        {
          uuid: 'u1',
          sender: 'human',
          text: 'First try',
          parent_message_uuid: '00000000-0000-4000-8000-000000000000',
        },
        { uuid: 'a1', sender: 'assistant', text: 'Old answer', parent_message_uuid: 'u1' },
        {
          uuid: 'u2',
          sender: 'human',
          text: 'Second try',
          parent_message_uuid: '00000000-0000-4000-8000-000000000000',
        },
        {
          uuid: 'a2',
          sender: 'assistant',
          text: '',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', name: 'web_search', input: { query: 'x' } },
            { type: 'tool_result', name: 'web_search', content: [{ type: 'text', text: 'found' }] },
            { type: 'text', text: 'Done.' },
          ],
          parent_message_uuid: 'u2',
        },
      ],
    },
  ]);
  const r = parse(text, 'conversations.json');
  assert.equal(r.format, 'claude-ai-export');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [
      ['user', 'Second try'],
      ['assistant', 'Let me look.\n{"name":"web_search","arguments":{"query":"x"}}'],
      ['tool', 'found'],
      ['assistant', 'Done.'],
    ],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Open WebUI export: the chain to history.currentId, ranges in history.messages', () => {
  const text = fixture('open-webui-chat.json');
  const r = parse(text, 'chat-export.json');
  assert.equal(r.format, 'open-webui');
  const c = r.conversations[0];
  assert.equal(c?.label, '🧠 Goldwater Rule Ethics');
  assert.deepEqual(
    c?.turns.map((t) => t.role),
    ['user', 'assistant'],
  );
  assert.match(c?.turns[1]?.text ?? '', /Goldwater Rule/);
  // The range is the copy inside history.messages, not the flat "messages" list after it.
  const historyAt = text.indexOf('"history"');
  const flatAt = text.indexOf('"messages": [');
  assert.ok(
    (c?.turns[0]?.range.start ?? 0) > historyAt && (flatAt < 0 || (c?.turns[1]?.range.end ?? 0) < flatAt),
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Open WebUI export: regenerated replies are branches; the export wraps each chat in {id, title, chat}', () => {
  const text = JSON.stringify([
    {
      id: 'x',
      title: 'Regenerated',
      chat: {
        history: {
          currentId: 'a2',
          messages: {
            u: { id: 'u', parentId: null, childrenIds: ['a1', 'a2'], role: 'user', content: 'Hi' },
            a1: { id: 'a1', parentId: 'u', childrenIds: [], role: 'assistant', content: 'Hello (first)' },
            a2: { id: 'a2', parentId: 'u', childrenIds: [], role: 'assistant', content: 'Hello (second)' },
          },
        },
        messages: [],
      },
    },
  ]);
  const r = parse(text, 'chat-export.json');
  assert.equal(r.format, 'open-webui');
  assert.deepEqual(
    r.conversations.map((c) => [c.branch ?? false, c.turns.map((t) => t.text)]),
    [
      [false, ['Hi', 'Hello (second)']],
      [true, ['Hi', 'Hello (first)']],
    ],
  );
  assert.equal(slice(text, r.conversations[0]?.turns[1]?.range ?? { start: 0, end: 0 }), 'Hello (second)');
});

test('a one-line export keeps exact ranges', () => {
  const oneLine = JSON.stringify(JSON.parse(fixture('chatgpt-conversations.json')));
  assert.equal(oneLine.includes('\n'), false);
  const r = parse(oneLine, 'conversations.json');
  assert.equal(r.format, 'chatgpt-export');
  assert.equal(r.conversations[0]?.turns.length, 4);
  assert.deepEqual(invariantProblems(oneLine, r), []);
});

test('ChatGPT export: custom instructions as a hidden system message, memory and the analysis channel are not turns', () => {
  const node = (id: string, parent: string | null, children: string[], message: object | null): object => ({
    id,
    parent,
    children,
    message,
  });
  const text = JSON.stringify({
    title: 'Hidden parts',
    current_node: 'a',
    mapping: {
      r: node('r', null, ['s'], null),
      s: node('s', 'r', ['m'], {
        author: { role: 'system' },
        content: { content_type: 'text', parts: ['Answer in French.'] },
        metadata: { is_visually_hidden_from_conversation: true, is_user_system_message: true },
      }),
      m: node('m', 's', ['u'], {
        author: { role: 'user' },
        content: { content_type: 'model_editable_context', model_set_context: 'Likes cats.' },
      }),
      u: node('u', 'm', ['t'], {
        author: { role: 'user' },
        content: { content_type: 'text', parts: ['Hello'] },
      }),
      t: node('t', 'u', ['a'], {
        author: { role: 'assistant' },
        channel: 'analysis',
        content: { content_type: 'text', parts: ['Thinking...'] },
      }),
      a: node('a', 't', [], {
        author: { role: 'assistant' },
        channel: 'final',
        content: { content_type: 'text', parts: ['Bonjour !'] },
      }),
    },
  });
  const r = parse(text, 'conversation.json');
  assert.equal(r.format, 'chatgpt-export');
  assert.equal(r.conversations[0]?.system?.text, 'Answer in French.');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => [t.role, t.text]),
    [
      ['user', 'Hello'],
      ['assistant', 'Bonjour !'],
    ],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});

test('Open WebUI export without a history tree (older exports): the flat messages list', () => {
  const text = JSON.stringify([
    {
      id: 'x',
      title: 'Old',
      chat: {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
        ],
      },
    },
  ]);
  const r = parse(text, 'chat-export.json');
  assert.equal(r.format, 'open-webui');
  assert.deepEqual(
    r.conversations.map((c) => [c.label, c.turns.map((t) => t.text)]),
    [['Old', ['Hi', 'Hello!']]],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});
