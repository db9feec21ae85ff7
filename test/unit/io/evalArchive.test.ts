// Inspect AI .eval logs (zip archives) read with yauzl: samples listed from the central directory,
// each opened as a one-sample JSON log document that the inspect-eval format reads exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalSampleDocument, evalSampleEntries, parse } from '../../../src/core/formats';
import { listEvalSamples, readEvalSampleDocument } from '../../../src/io/evalArchive';
import { invariantProblems, repoRoot } from '../core/formats/helpers';
import yazl from 'yazl';

const fixture = (name: string): string => join(repoRoot(), 'test', 'fixtures', 'formats', name);

test('a .eval log lists its samples in id then epoch order, with the header', async () => {
  const index = await listEvalSamples(fixture('inspect-four-samples.eval'));
  assert.deepEqual(
    index.samples.map((s) => [s.id, s.epoch, s.entry]),
    [
      ['1', 1, 'samples/1_epoch_1.json'],
      ['1', 2, 'samples/1_epoch_2.json'],
      ['2', 1, 'samples/2_epoch_1.json'],
      ['2', 2, 'samples/2_epoch_2.json'],
    ],
  );
  assert.equal((index.header as { eval: { task: string } }).eval.task, 'popularity');
});

test('a sample opens as a one-sample Inspect JSON log: exact ranges, attachments resolved', async () => {
  const file = fixture('inspect-read-sample.eval');
  const { samples } = await listEvalSamples(file);
  const doc = await readEvalSampleDocument(file, samples[0]!);
  assert.equal(doc.includes('attachment://'), false);
  const r = parse(doc, 'sample.json');
  assert.equal(r.format, 'inspect-eval');
  assert.equal(r.conversations.length, 1);
  assert.equal(r.conversations[0]?.metadata.task, 'popularity');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.role),
    ['system', 'user', 'assistant'],
  );
  assert.equal(r.conversations[0]?.turns[2]?.text, 'Yes\n');
  assert.deepEqual(invariantProblems(doc, r), []);
  assert.deepEqual(r.diagnostics, []);
});

test('tool calls in a .eval sample: assistant turns with their calls, tool results as tool turns', async () => {
  const file = fixture('inspect-tool-calls.eval');
  const { samples } = await listEvalSamples(file);
  const doc = await readEvalSampleDocument(file, samples[0]!);
  const r = parse(doc, 'sample.json');
  const turns = r.conversations[0]?.turns ?? [];
  assert.deepEqual(
    turns.slice(0, 3).map((t) => `${t.role}/${t.kind}`),
    ['user/message', 'assistant/message', 'tool/toolResult'],
  );
  assert.equal(
    turns[1]?.text,
    'Executing bash with args: {\'cmd\': \'ls\'}\n{"name":"bash","arguments":{"cmd":"ls"}}',
  );
  assert.equal(turns[2]?.toolCallId, 'hardcoded_0');
  assert.equal(turns.at(-1)?.text, 'done');
  assert.deepEqual(invariantProblems(doc, r), []);
});

test('attachment:// references resolve from the sample (monolith) or an index table (chunked); unknown ones stay', () => {
  const sample = {
    id: 1,
    epoch: 1,
    messages: [
      { role: 'user', content: 'attachment://abc' },
      { role: 'assistant', content: 'attachment://zzz' },
    ],
    attachments: { abc: 'Hello' },
    events: [{ big: 1 }],
  };
  const doc = JSON.parse(evalSampleDocument({ version: 2, eval: { task: 't' } }, sample)) as {
    samples: { messages: { content: string }[]; events?: unknown }[];
  };
  assert.deepEqual(
    doc.samples[0]?.messages.map((m) => m.content),
    ['Hello', 'attachment://zzz'],
  );
  assert.equal(doc.samples[0]?.events, undefined, 'events stay in the archive');
  const chunked = JSON.parse(
    evalSampleDocument({}, { messages: [{ role: 'user', content: 'attachment://0' }] }, (k) =>
      k === '0' ? 'From the table' : undefined,
    ),
  ) as { samples: { messages: { content: string }[] }[] };
  assert.equal(chunked.samples[0]?.messages[0]?.content, 'From the table');
});

test('entry names: monolith and chunked samples, numeric ids in numeric order, other entries ignored', () => {
  assert.deepEqual(
    evalSampleEntries([
      'header.json',
      'samples/10_epoch_1.json',
      'samples/9_epoch_1.json',
      'samples/b_epoch_1/sample.json',
      'samples/b_epoch_1/messages/0.json',
      '_journal/start.json',
    ]).map((s) => [s.id, s.shape, s.entry]),
    [
      ['9', 'monolith', 'samples/9_epoch_1.json'],
      ['10', 'monolith', 'samples/10_epoch_1.json'],
      ['b', 'chunked', 'samples/b_epoch_1/'],
    ],
  );
});

test('a file that is not a zip is refused with a message saying so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-eval-'));
  try {
    const bad = join(dir, 'broken.eval');
    writeFileSync(bad, '{"not": "a zip"}');
    await assert.rejects(
      listEvalSamples(bad),
      /not a readable Inspect \.eval log \(a zip archive\): End of central directory/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Writes a zip of JSON entries with yazl (deflated, as Inspect writes them). */
async function writeZip(path: string, entries: Record<string, unknown>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, value] of Object.entries(entries))
    zip.addBuffer(Buffer.from(JSON.stringify(value)), name);
  zip.end();
  await new Promise<void>((resolve, reject) =>
    zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject),
  );
}

test('a chunked sample (shell, message chunks by first index, an attachment table) reads like a monolith one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-eval-'));
  try {
    const file = join(dir, 'chunked.eval');
    await writeZip(file, {
      'header.json': { version: 2, status: 'success', eval: { task: 'chunky', model: 'm' } },
      'samples/7_epoch_1/sample.json': { id: 7, epoch: 1, target: 'blue' },
      // Chunks are named by their first index; "10" sorts after "2" numerically, not as text.
      'samples/7_epoch_1/messages/10.json': [{ role: 'assistant', content: 'Third chunk.' }],
      'samples/7_epoch_1/messages/0.json': [
        { role: 'system', content: 'attachment://0' },
        { role: 'user', content: 'Colour?' },
      ],
      'samples/7_epoch_1/messages/2.json': [
        { role: 'assistant', content: 'Blue.' },
        { role: 'user', content: 'Sure?' },
      ],
      'samples/7_epoch_1/attachments/0.json': ['You answer in one word.'],
    });
    const { samples } = await listEvalSamples(file);
    assert.deepEqual(
      samples.map((s) => [s.id, s.shape]),
      [['7', 'chunked']],
    );
    const doc = await readEvalSampleDocument(file, samples[0]!);
    const r = parse(doc, 'sample.json');
    assert.equal(r.format, 'inspect-eval');
    assert.deepEqual(
      r.conversations[0]?.turns.map((t) => t.text),
      ['You answer in one word.', 'Colour?', 'Blue.', 'Sure?', 'Third chunk.'],
    );
    assert.equal(r.conversations[0]?.metadata.target, 'blue');
    assert.deepEqual(invariantProblems(doc, r), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bare sample (one entry of the archive, unwrapped) reads as Inspect with the same turns as its document', async () => {
  const file = fixture('inspect-tool-calls.eval');
  const { samples } = await listEvalSamples(file);
  const docText = await readEvalSampleDocument(file, samples[0]!);
  const sample = (JSON.parse(docText) as { samples: unknown[] }).samples[0];
  const bare = JSON.stringify(sample);
  const r = parse(bare, '0_epoch_1.json');
  assert.equal(r.format, 'inspect-eval');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.text),
    parse(docText, 'sample.json').conversations[0]?.turns.map((t) => t.text),
  );
  assert.deepEqual(invariantProblems(bare, r), []);
});

test('attachment:// content in a bare sample points at the attachments entry', () => {
  const text = JSON.stringify(
    {
      id: 3,
      epoch: 1,
      target: 'x',
      messages: [
        { role: 'user', content: 'attachment://a1b2' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Short.' },
            { type: 'text', text: 'attachment://c3d4' },
          ],
        },
      ],
      attachments: { a1b2: 'A long user prompt.', c3d4: 'A long reply.' },
    },
    null,
    2,
  );
  const r = parse(text, '3_epoch_1.json');
  assert.equal(r.format, 'inspect-eval');
  assert.deepEqual(
    r.conversations[0]?.turns.map((t) => t.text),
    ['A long user prompt.', 'Short.\nA long reply.'],
  );
  assert.deepEqual(invariantProblems(text, r), []);
});
