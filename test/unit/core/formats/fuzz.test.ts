// Property tests: mutated samples never make parse throw, never yield a range outside the text,
// and every turn's text stays equal to its source slice after unescaping.
// Reproduce a failure with PERSONA_LENS_FUZZ_SEED=<seed printed in the message>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../../src/core/formats';
import { mulberry32 } from '../../../../src/core/random';
import { invariantProblems, repoRoot } from './helpers';
import { TRANSCRIPTS_DIR } from '../../../support/shared.mjs';

// Tokens that matter to one parser or another, so mutations hit the interesting paths.
const TOKENS = ['"', '\\', '\\u00', '\\"', '{', '}', '[', ']', ',', ':', '\n', '\r\n', ' ', '\t', 'null', '"role"', '"content"',
  '"tool"', '"type": "image"', '## User\n', '## Assistant\n', '**User:** ', 'Assistant: ', 'user:\n', '---\n', '```\n', '\uFFFD', '\u0000', '😀', '\uD83D'];

type Mutation = (s: string, rnd: () => number) => { text: string; what: string };

const pick = (n: number, rnd: () => number): number => Math.floor(rnd() * n);

const mutations: Mutation[] = [
  (s, rnd) => {
    const at = pick(s.length + 1, rnd);
    return { text: s.slice(0, at), what: `truncate at ${at}` };
  },
  (s, rnd) => {
    const bytes = new TextEncoder().encode(s);
    const flips: string[] = [];
    for (let k = 0; k < 1 + pick(3, rnd); k++) {
      const i = pick(bytes.length, rnd);
      const bit = 1 << pick(8, rnd);
      bytes[i] = (bytes[i] ?? 0) ^ bit;
      flips.push(`${i}^${bit}`);
    }
    return { text: new TextDecoder('utf-8').decode(bytes), what: `flip bytes ${flips.join(',')}` };
  },
  (s, rnd) => {
    const at = pick(s.length + 1, rnd);
    const len = pick(40, rnd);
    return { text: s.slice(0, at) + s.slice(at + len), what: `delete ${len} at ${at}` };
  },
  (s, rnd) => {
    const at = pick(s.length + 1, rnd);
    const tok = TOKENS[pick(TOKENS.length, rnd)] ?? '';
    return { text: s.slice(0, at) + tok + s.slice(at), what: `insert ${JSON.stringify(tok)} at ${at}` };
  },
  (s, rnd) => {
    const from = pick(s.length + 1, rnd);
    const len = pick(200, rnd);
    const at = pick(s.length + 1, rnd);
    return { text: s.slice(0, at) + s.slice(from, from + len) + s.slice(at), what: `copy ${len} from ${from} to ${at}` };
  },
  (s, rnd) => {
    const i = pick(Math.max(1, s.length - 1), rnd);
    return { text: s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2), what: `swap at ${i}` };
  },
];

const baseSeed = Number(process.env.PERSONA_LENS_FUZZ_SEED ?? 0x5eed);
const fixtureDir = join(repoRoot(), 'test', 'fixtures', 'formats');
const samples = [
  // .eval archives are binary (their sample documents are JSON logs, fuzzed as inspect-eval.json); SOURCES.md is the fixtures' provenance.
  ...readdirSync(fixtureDir)
    .filter((name) => !name.endsWith('.eval') && name !== 'SOURCES.md')
    .map((name) => ({ name, text: readFileSync(join(fixtureDir, name), 'utf8'), runs: 300 })),
  ...readdirSync(TRANSCRIPTS_DIR).map((name) => ({ name, text: readFileSync(join(TRANSCRIPTS_DIR, name), 'utf8'), runs: 40 })),
];

for (const [index, sample] of samples.entries()) {
  test(`fuzz ${sample.name}: ${sample.runs} mutations keep every range and text invariant`, () => {
    const original = parse(sample.text, sample.name);
    assert.notEqual(original.format, 'unknown', 'the unmutated sample must parse');
    assert.deepEqual(invariantProblems(sample.text, original), []);
    for (let run = 0; run < sample.runs; run++) {
      const seed = (baseSeed + index * 100_003 + run) >>> 0;
      const rnd = mulberry32(seed);
      let text = sample.text;
      const steps: string[] = [];
      for (let k = 0; k < 1 + pick(3, rnd); k++) {
        const m = (mutations[pick(mutations.length, rnd)] as Mutation)(text, rnd);
        text = m.text;
        steps.push(m.what);
      }
      const where = `${sample.name}, seed ${seed} (PERSONA_LENS_FUZZ_SEED=${baseSeed}, run ${run}): ${steps.join('; ')}`;
      let result;
      try {
        result = parse(text, sample.name);
      } catch (e) {
        assert.fail(`parse threw on ${where}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.deepEqual(invariantProblems(text, result), [], where);
    }
  });
}
