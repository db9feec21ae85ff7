// Writes tokenizer files for generated test models: a small byte-level BPE (GPT-2 byte alphabet, a few
// merges, ChatML special tokens) or a copy of the real Qwen3 tokenizer from ../shared/models.
import { gunzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKENIZERS_DIR } from './shared.mjs';

/** ChatML template as used by Qwen2 / SmolLM2 (no default system prompt). */
export const CHATML_TEMPLATE =
  "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}";

export interface TokenizerInfo {
  /** Number of ids the tokenizer can produce (model vocabulary must be at least this). */
  readonly vocabSize: number;
  readonly endOfTextId: number;
  readonly imStartId: number;
  readonly imEndId: number;
}

/** GPT-2's byte -> printable unicode table (bytes_to_unicode in openai/gpt-2 encoder.py). */
function byteToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const table: string[] = new Array<string>(256);
  for (const b of bs) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) {
      table[b] = String.fromCodePoint(256 + n);
      n++;
    }
  }
  return table;
}

/** A few English merges so common words take fewer tokens (ids follow the 256 byte tokens). */
const MERGES: readonly (readonly [string, string])[] = [
  ['h', 'e'],
  ['Ġ', 't'],
  ['Ġt', 'he'],
  ['i', 'n'],
  ['e', 'r'],
  ['Ġ', 'a'],
  ['o', 'u'],
  ['Ġ', 'y'],
  ['Ġy', 'ou'],
  ['Ġ', 'i'],
  ['Ġi', 's'],
];

const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** Writes tokenizer.json + tokenizer_config.json + special_tokens_map.json for the byte-level BPE. */
export function writeByteTokenizer(dir: string): TokenizerInfo {
  const table = byteToUnicode();
  const vocab: Record<string, number> = {};
  table.forEach((ch, b) => (vocab[ch] = b));
  let next = 256;
  for (const [a, b] of MERGES) vocab[a + b] = next++;
  const addedTokens = SPECIALS.map((content, k) => ({
    id: next + k,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: MERGES.map(([a, b]) => `${a} ${b}`),
    },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  const decoder: Record<string, unknown> = {};
  for (const t of addedTokens) {
    const { id, ...rest } = t;
    decoder[String(id)] = rest;
  }
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify(
      {
        add_bos_token: false,
        add_prefix_space: false,
        added_tokens_decoder: decoder,
        additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
        bos_token: null,
        chat_template: CHATML_TEMPLATE,
        clean_up_tokenization_spaces: false,
        eos_token: '<|im_end|>',
        model_max_length: 2048,
        pad_token: '<|endoftext|>',
        tokenizer_class: 'Qwen2Tokenizer',
        unk_token: null,
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'special_tokens_map.json'),
    JSON.stringify({
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
      additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    }),
  );
  return { vocabSize: next + SPECIALS.length, endOfTextId: next, imStartId: next + 1, imEndId: next + 2 };
}

/** Folder of the shared real Qwen3 tokenizer (read at test time, never copied into the repo). */
export const QWEN3_TOKENIZER_DIR = join(TOKENIZERS_DIR, 'qwen3');

/** Writes the real Qwen3 tokenizer.json (gunzipped) and its tokenizer_config.json into `dir`. */
export function writeQwen3Tokenizer(dir: string): TokenizerInfo {
  const json = gunzipSync(readFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer.json.gz')));
  writeFileSync(join(dir, 'tokenizer.json'), json);
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    readFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer_config.json')),
  );
  const parsed = JSON.parse(json.toString('utf8')) as {
    model: { vocab: Record<string, number> };
    added_tokens: { id: number; content: string }[];
  };
  let maxId = 0;
  for (const id of Object.values(parsed.model.vocab)) maxId = Math.max(maxId, id);
  const special = new Map(parsed.added_tokens.map((t) => [t.content, t.id]));
  for (const id of special.values()) maxId = Math.max(maxId, id);
  const get = (s: string): number => {
    const id = special.get(s);
    if (id === undefined) throw new Error(`Qwen3 tokenizer lacks ${s}`);
    return id;
  };
  return {
    vocabSize: maxId + 1,
    endOfTextId: get('<|endoftext|>'),
    imStartId: get('<|im_start|>'),
    imEndId: get('<|im_end|>'),
  };
}
