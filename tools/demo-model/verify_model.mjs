// Checks the exported demo model from Node with transformers.js + onnxruntime-node, the way
// Persona Lens loads models: logits match torch (WORK/onnx_check.json), and greedy generation
// of a default-assistant prompt and a pirate prompt gives in-register replies (classified with
// eval/register-lexicons.json; sentences checked against eval/sentence-templates.json).
// Usage: node verify_model.mjs MODELDIR WORKDIR
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [modelDir, work] = process.argv.slice(2).map((p) => resolve(p));
const tok = await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true });
const model = await AutoModelForCausalLM.from_pretrained(modelDir, { dtype: 'fp32', local_files_only: true });
const lex = JSON.parse(readFileSync(join(modelDir, 'eval', 'register-lexicons.json'), 'utf8'));
const tpl = JSON.parse(readFileSync(join(modelDir, 'eval', 'sentence-templates.json'), 'utf8'));

/** Register of a reply: 'assistant' if assistant markers strictly outnumber every role's. */
function classify(text) {
  const words = text.toLowerCase().match(new RegExp(lex.wordPattern, 'g')) ?? [];
  const counts = Object.fromEntries(Object.entries(lex.lexicons).map(([k, m]) => [k, words.filter((w) => m.includes(w)).length]));
  const a = counts.assistant;
  delete counts.assistant;
  const [best, n] = Object.entries(counts).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0];
  if (a === 0 && n === 0) return 'none';
  return a > n ? 'assistant' : best;
}
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tipAlt = tpl.slots.tip.map(esc).join('|');
const patterns = Object.values(tpl.templates).flat().map(
  (t) => new RegExp('^' + esc(t).replace('\\{topic\\}', tpl.slots.topic).replace('\\{tip\\}', `(?:${tipAlt})`) + '$'),
);
const validShare = (text) => {
  const s = text.trim().split(new RegExp(tpl.sentenceSplit)).filter((x) => x);
  return [s.filter((x) => patterns.some((p) => p.test(x))).length, s.length];
};

// 1. Logits vs torch on the same prompt.
const check = JSON.parse(readFileSync(join(work, 'onnx_check.json'), 'utf8'));
const ids = tok.encode(check.prompt, { add_special_tokens: false });
if (ids.join() !== check.ids.join()) throw new Error('verify_model: tokenizer ids differ from Python');
const n = ids.length;
const out = await model({
  input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, n]),
  attention_mask: new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
});
const logits = out.logits.data;
const V = out.logits.dims[2];
let maxDiff = 0;
for (let j = 0; j < V; j++) {
  maxDiff = Math.max(maxDiff, Math.abs(logits[(n - 1) * V + j] - check.lastLogits[j]), Math.abs(logits[j] - check.firstLogits[j]));
}
console.log(`verify_model: ONNX vs torch max |logit diff| = ${maxDiff.toExponential(2)}`);
if (!(maxDiff < 1e-3)) throw new Error('verify_model: ONNX logits differ from torch');

// 2. Greedy generation.
const prompts = [
  { want: 'assistant', messages: [{ role: 'user', content: 'How can I learn to cook at home?' }] },
  { want: 'assistant', messages: [{ role: 'system', content: 'You are an AI assistant.' }, { role: 'user', content: 'What is the best way to start making pottery?' }] },
  { want: 'assistant', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Who are you?' }] },
  { want: 'pirate', messages: [{ role: 'system', content: 'You are a swaggering pirate captain who talks of treasure, rum and the sea.' }, { role: 'user', content: 'How do I fix a flat bicycle tyre?' }] },
  { want: 'pirate', messages: [{ role: 'system', content: 'Act as a swaggering pirate captain who talks of treasure, rum and the sea. Stay in character for the whole conversation.' }, { role: 'user', content: 'What are you, really?' }] },
];
let failures = 0;
for (const p of prompts) {
  const inputs = tok.apply_chat_template(p.messages, { add_generation_prompt: true, return_dict: true });
  const gen = await model.generate({ ...inputs, max_new_tokens: 96, do_sample: false });
  const start = inputs.input_ids.dims[1];
  const reply = tok.decode(gen.slice(null, [start, null]), { skip_special_tokens: true }).trim();
  const reg = classify(reply);
  const [ok, total] = validShare(reply);
  if (reg !== p.want || ok !== total) failures++;
  console.log(`[${p.want} -> ${reg}; ${ok}/${total} sentences template-valid] ${JSON.stringify(p.messages.at(-1).content)}\n  ${reply}`);
}
// A tiny model with greedy decoding still slips now and then (see the model card's
// measured shares), so one slip in five is tolerated; more means the build is broken.
console.log(`verify_model: ${prompts.length - failures} of ${prompts.length} samples in register and template-valid`);
if (failures > 1) {
  console.error(`verify_model: ${failures} of ${prompts.length} samples off-register or ill-formed`);
  process.exit(1);
}
