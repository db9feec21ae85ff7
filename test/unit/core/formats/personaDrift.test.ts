import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../../src/core/formats';
import { invariantProblems } from './helpers';
import { TRANSCRIPTS_DIR } from '../../../support/shared.mjs';

const files = readdirSync(TRANSCRIPTS_DIR).filter((f) => f.endsWith('.json')).sort();

test('the four persona-drift transcripts of the paper are present', () => {
  assert.deepEqual(files, ['coding.json', 'philosophy.json', 'therapy.json', 'writing.json']);
});

for (const file of files) {
  test(`persona drift ${file}: every turn found, in order, at its exact place`, () => {
    const text = readFileSync(join(TRANSCRIPTS_DIR, file), 'utf8');
    const expected = JSON.parse(text) as { conversation: { role: string; content: string }[]; model: string; turns: number };
    const r = parse(text, file);
    assert.equal(r.format, 'assistant-axis');
    assert.equal(r.conversations.length, 1);
    const turns = r.conversations[0]?.turns ?? [];
    assert.ok(turns.length >= 28 && turns.length <= 30, `${turns.length} turns`);
    assert.equal(turns.length, expected.conversation.length);
    assert.equal(turns.length, expected.turns);
    turns.forEach((t, i) => {
      assert.equal(t.role, expected.conversation[i]?.role);
      assert.equal(t.text, expected.conversation[i]?.content);
      assert.equal(t.encoding, 'json-string');
      // The range starts right after the opening quote of this message's "content" value.
      assert.match(text.slice(Math.max(0, t.range.start - 14), t.range.start), /"content":\s*"$/);
    });
    assert.ok(turns.every((t, i) => i === 0 || t.range.start > (turns[i - 1]?.range.end ?? 0)), 'turns in text order');
    assert.equal(r.conversations[0]?.metadata.model, expected.model);
    assert.deepEqual(invariantProblems(text, r), []);
    assert.deepEqual(r.diagnostics, []);
  });
}
