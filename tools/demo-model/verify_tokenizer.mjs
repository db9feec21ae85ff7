// Checks the demo tokenizer from Node with transformers.js (the runtime's tokenizer):
// same ids as the Python encoder on a sample, and decode(encode(x)) == x for every
// training conversation. Usage: node verify_tokenizer.mjs MODELDIR WORKDIR
import { AutoTokenizer } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';

const [modelDir, work] = process.argv.slice(2).map((p) => resolve(p));
const tok = await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true });
const sample = JSON.parse(readFileSync(join(work, 'tok_sample.json'), 'utf8'));
let mismatch = 0;
for (const { text, ids } of sample) {
  const js = tok.encode(text, { add_special_tokens: false });
  if (js.length !== ids.length || js.some((x, i) => x !== ids[i])) {
    mismatch++;
    if (mismatch <= 3) console.error('ids differ for', JSON.stringify(text.slice(0, 80)), js.slice(0, 20), ids.slice(0, 20));
  }
}
const corpus = readFileSync(join(work, 'train.txt'), 'utf8').split('<|endoftext|>').filter((c) => c);
let badRoundTrip = 0;
for (const c of corpus) {
  const back = tok.decode(tok.encode(c, { add_special_tokens: false }), { skip_special_tokens: false });
  if (back !== c) badRoundTrip++;
}
const chat = tok.apply_chat_template(
  [{ role: 'system', content: 'You are a pirate.' }, { role: 'user', content: 'Hi' }],
  { tokenize: false, add_generation_prompt: true },
);
console.log(`verify_tokenizer: ${sample.length} samples, id mismatches vs Python: ${mismatch}; ` +
  `${corpus.length} training conversations, round-trip failures: ${badRoundTrip}; chat template -> ${JSON.stringify(chat)}`);
if (mismatch || badRoundTrip) process.exit(1);
