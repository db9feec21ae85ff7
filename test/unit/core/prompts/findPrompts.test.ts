// Prompt detection on files written the ways the SDKs document passing a system prompt
// (test/fixtures/prompts; each file's header names its source):
// - OpenAI Node SDK README "Usage" (chat.completions with a developer message; responses with instructions)
//   and the OpenAI Agents SDK quickstart (new Agent({ name, instructions }));
// - OpenAI Python SDK README "Usage" (chat.completions.create messages, responses.create instructions=);
// - Anthropic TypeScript and Python SDK READMEs (messages.create with system), the "System prompts"
//   guide, and prompt caching (system as a list of text blocks);
// - Vercel AI SDK docs "Generating Text" and "Prompts" (generateText/streamText with system);
// - LangChain.js and LangChain docs "Build a simple LLM application" (SystemMessage, ChatPromptTemplate
//   message tuples, SystemMessagePromptTemplate.fromTemplate), pydantic-ai Agent(system_prompt=),
//   AutoGen AssistantAgent(system_message=);
// - Prompty files, *.prompt.md (VS Code prompt files, with front matter) and *.system.txt.
// Every system prompt must be found with the exact range of its text between the quotes, and no
// other string of the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPrompts, PromptParsers, promptFileKind, type FoundPrompt } from '../../../../src/core/prompts';

const DIR = join(process.cwd(), 'test', 'fixtures', 'prompts');
const parsers = new PromptParsers(join(process.cwd(), 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm'));

interface Expected {
  /** The literal's source between its quotes (for a concatenation: each piece's), exactly as in the file. */
  readonly pieces: readonly string[];
  /** The prompt's value. */
  readonly text: string;
  readonly via: string;
  readonly static?: boolean;
  /** The identifier the prompt is used through, when it is a constant. */
  readonly usedAt?: string;
  readonly transform?: 'dedent';
}

const EXPECTED: Readonly<Record<string, readonly Expected[]>> = {
  'openai-chat.ts': [
    {
      pieces: ['You are Sam, the support assistant of Acme.\nAnswer in two sentences at most.'],
      text: 'You are Sam, the support assistant of Acme.\nAnswer in two sentences at most.',
      via: 'role: "system"',
      usedAt: 'SUPPORT_PROMPT',
    },
    { pieces: ['Talk like a pirate.'], text: 'Talk like a pirate.', via: 'role: "developer"' },
    { pieces: ["The customer's name is ${userName}. Greet them by name."], text: "The customer's name is ${userName}. Greet them by name.", via: 'role: "system"', static: false },
  ],
  'openai-responses.mjs': [
    { pieces: ['You are a coding assistant that talks like a pirate'], text: 'You are a coding assistant that talks like a pirate', via: 'instructions:' },
    {
      pieces: ['You provide assistance with historical queries. Explain important events and context clearly.'],
      text: 'You provide assistance with historical queries. Explain important events and context clearly.',
      via: 'instructions:',
    },
  ],
  'anthropic-messages.ts': [
    {
      pieces: ["You are a seasoned data scientist at a Fortune 500 company. Don't guess: say \\\"I don't know\\\"."],
      text: 'You are a seasoned data scientist at a Fortune 500 company. Don\'t guess: say "I don\'t know".',
      via: 'system:',
    },
    { pieces: ['You are an AI assistant tasked with analyzing literary works.\\n'], text: 'You are an AI assistant tasked with analyzing literary works.\n', via: 'system:' },
  ],
  'vercel-ai.ts': [
    {
      pieces: ['You help planning travel itineraries. ', "Respond to the users\\' request with a list of the best stops to make in their destination."],
      text: "You help planning travel itineraries. Respond to the users' request with a list of the best stops to make in their destination.",
      via: 'system:',
    },
    { pieces: ['You are a friendly assistant \\u2014 keep answers short.'], text: 'You are a friendly assistant \u2014 keep answers short.', via: 'system:' },
  ],
  'langchain.js': [
    { pieces: ['Translate the following from English into Italian'], text: 'Translate the following from English into Italian', via: 'SystemMessage(...)' },
    { pieces: ['Translate the following from English into {language}'], text: 'Translate the following from English into {language}', via: '["system", ...]' },
    { pieces: ['You are a helpful assistant that answers in {style}.'], text: 'You are a helpful assistant that answers in {style}.', via: 'SystemMessagePromptTemplate.fromTemplate(...)' },
    { pieces: ['You are terse.'], text: 'You are terse.', via: 'SystemMessage(...)' },
  ],
  'openai_chat.py': [
    { pieces: ['You are a careful assistant. ', 'Answer in plain English.'], text: 'You are a careful assistant. Answer in plain English.', via: '"role": "system"', usedAt: 'SYSTEM_PROMPT' },
    { pieces: ['Talk like a pirate.'], text: 'Talk like a pirate.', via: '"role": "developer"' },
    { pieces: ['You are a coding assistant that talks like a pirate.'], text: 'You are a coding assistant that talks like a pirate.', via: 'instructions=' },
    { pieces: ['The customer is {name!r}; use {{their}} name.'], text: 'The customer is {name!r}; use {their} name.', via: '"role": "system"', static: false },
    {
      pieces: ['\\\n                    You review pull requests.\n                      Be kind.\n                    '],
      text: 'You review pull requests.\n  Be kind.\n',
      via: '"role": "system"',
      transform: 'dedent',
    },
  ],
  'anthropic_messages.py': [
    {
      pieces: ["You are a seasoned data scientist at a Fortune 500 company. Say \"I don\\'t know\" when unsure."],
      text: 'You are a seasoned data scientist at a Fortune 500 company. Say "I don\'t know" when unsure.',
      via: 'system=',
    },
    { pieces: ['You are an AI assistant tasked with analyzing literary works.\\n'], text: 'You are an AI assistant tasked with analyzing literary works.\n', via: 'system=' },
  ],
  'langchain_agents.py': [
    { pieces: ['Translate the following from English into Italian'], text: 'Translate the following from English into Italian', via: 'SystemMessage(...)' },
    { pieces: ['Translate the following from English into {language}'], text: 'Translate the following from English into {language}', via: '("system", ...)' },
    { pieces: ['Be concise, reply with one sentence.'], text: 'Be concise, reply with one sentence.', via: 'system_prompt=' },
    // \N{...} needs Unicode's name table: the value keeps the escape as written, and the prompt is flagged.
    { pieces: ['You are a helpful assistant \\N{EM DASH} brief and kind.'], text: 'You are a helpful assistant \\N{EM DASH} brief and kind.', via: 'system_message=', static: false },
  ],
  'support.system.txt': [
    { pieces: ['You are the help desk of a small library.\nAnswer questions about opening hours and loans only.'], text: 'You are the help desk of a small library.\nAnswer questions about opening hours and loans only.', via: '*.system.txt' },
  ],
  'release-notes.prompt.md': [
    { pieces: ['You write release notes for Persona Lens.\nKeep each item to one line.'], text: 'You write release notes for Persona Lens.\nKeep each item to one line.', via: '*.prompt.md' },
  ],
  'assistant.prompty': [
    { pieces: ['You are a patient support assistant for {{product}}.'], text: 'You are a patient support assistant for {{product}}.', via: '.prompty system section', static: false },
  ],
};

/** The offset of `piece` in `src`, required to be unique so the expected range is unambiguous. */
function uniqueOffset(src: string, piece: string, file: string): number {
  const at = src.indexOf(piece);
  assert.ok(at >= 0, `${file}: fixture does not contain ${JSON.stringify(piece)}`);
  assert.equal(src.indexOf(piece, at + 1), -1, `${file}: ${JSON.stringify(piece)} occurs twice; make the expectation unique`);
  return at;
}

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`${file}: every system prompt, with exact ranges, and nothing else`, async () => {
    const src = readFileSync(join(DIR, file), 'utf8');
    const scan = await findPrompts(src, join(DIR, file), parsers);
    assert.deepEqual(scan.notes, []);
    const describe = (ps: readonly FoundPrompt[]): string => ps.map((p) => JSON.stringify(p.text)).join(', ');
    assert.equal(scan.prompts.length, expected.length, `found ${describe(scan.prompts)}`);
    expected.forEach((e, i) => {
      const p = scan.prompts[i] as FoundPrompt;
      assert.equal(p.text, e.text);
      assert.equal(p.via, e.via);
      assert.equal(p.static, e.static ?? true, `static of ${JSON.stringify(e.text)}`);
      assert.equal(p.transform, e.transform);
      const starts = e.pieces.map((piece) => uniqueOffset(src, piece, file));
      const first = starts[0] as number;
      const lastPiece = e.pieces[e.pieces.length - 1] as string;
      assert.deepEqual(p.range, { start: first, end: (starts[starts.length - 1] as number) + lastPiece.length }, `range of ${JSON.stringify(e.text)}`);
      // Each text part covers exactly one piece (concatenations: one part per literal).
      const texts = p.parts.filter((x) => x.kind === 'text');
      if (p.static) assert.deepEqual(texts.map((x) => src.slice(x.range.start, x.range.end)), e.pieces);
      // Inside code the content is bounded by the literal's quotes.
      if (p.language !== 'prompt-file') {
        assert.ok(/["'`]/.test(src[first - 1] ?? ''), `the range of ${JSON.stringify(e.text)} starts right after a quote`);
        assert.ok(p.literalRange.start < p.range.start && p.literalRange.end > p.range.end);
      }
      if (e.usedAt) {
        assert.ok(p.usedAt, 'reached through a constant');
        assert.equal(src.slice(p.usedAt.start, p.usedAt.end), e.usedAt);
        assert.ok(p.usedAt.start > p.literalRange.end, 'the use comes after the declaration');
      } else assert.equal(p.usedAt, undefined);
    });
  });
}

test('a template substitution or f-string field is a part of its own, with its source', async () => {
  const src = readFileSync(join(DIR, 'openai-chat.ts'), 'utf8');
  const p = (await findPrompts(src, 'openai-chat.ts', parsers)).prompts.find((x) => !x.static);
  assert.ok(p);
  assert.deepEqual(
    p.parts.map((x) => (x.kind === 'text' ? ['text', x.text] : ['substitution', x.source, src.slice(x.range.start, x.range.end)])),
    [
      ['text', "The customer's name is "],
      ['substitution', '${userName}', '${userName}'],
      ['text', '. Greet them by name.'],
    ],
  );
});

test('offsets are UTF-16 code units, as in the editor', async () => {
  const src = 'const r = await client.messages.create({ model: "m", system: "Ünïcode 😀 prompt", messages: [] });\n';
  const [p] = (await findPrompts(src, 'x.ts', parsers)).prompts;
  assert.ok(p);
  assert.equal(src.slice(p.range.start, p.range.end), 'Ünïcode 😀 prompt');
  assert.equal(p.text, 'Ünïcode 😀 prompt');
});

test('a constant assigned twice is not resolved, and a syntax error is noted without losing the other prompts', async () => {
  const twice = 'let p = "A";\nif (x) p = "B";\nclient.messages.create({ model: "m", system: p, messages: [] });\n';
  assert.deepEqual((await findPrompts(twice, 'twice.js', parsers)).prompts, []);
  const grown = 'P = "A"\nP += " and B"\nclient.messages.create(model="m", system=P)\n';
  assert.deepEqual((await findPrompts(grown, 'grown.py', parsers)).prompts, []);
  const broken = 'messages = [{"role": "system", "content": "Still found."}]\ndef broken(:\n    pass\n';
  const scan = await findPrompts(broken, 'broken.py', parsers);
  assert.deepEqual(scan.prompts.map((p) => p.text), ['Still found.']);
  assert.match(scan.notes[0] ?? '', /syntax error/);
});

test('file kinds: code by extension, prompt files by glob (user globs too), others not read', () => {
  assert.deepEqual(promptFileKind('src/app.tsx'), { kind: 'code', grammar: 'tsx' });
  assert.deepEqual(promptFileKind('bot/main.py'), { kind: 'code', grammar: 'python' });
  assert.deepEqual(promptFileKind('prompts/Support.System.TXT'), { kind: 'prompt-file', glob: '*.system.txt' });
  assert.deepEqual(promptFileKind('a.prompty'), { kind: 'prompty' });
  assert.equal(promptFileKind('notes.md'), null);
  assert.deepEqual(promptFileKind('prompts/tone.md', ['prompts/**/*.md']), { kind: 'prompt-file', glob: 'prompts/**/*.md' });
});
