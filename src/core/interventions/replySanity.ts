/**
 * Quick checks of a regenerated reply that a reviewer comparing interventions wants flagged before
 * reading its value: a strong cap or steer can push a model off its chat format (template markup or
 * the next user turn written out), into a loop, or into nothing. Heuristics on the text only; each
 * problem is a short phrase, none of them changes a value.
 */

/** Chat-template markup of the common template families (ChatML/Qwen, Llama 2/3, Gemma, Phi, Mistral, SentencePiece). */
const TEMPLATE_MARKUP =
  /<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|user|assistant|system|end)\|>|\[\/?INST\]|<<\/?SYS>>|<(?:start|end)_of_turn>|<\/?s>/;

/** A line that starts the other side's turn, as base models do when they lose the chat format. */
const NEXT_TURN = /^(?:user|human|USER|User|Human)\s*:/m;

/** Word trigrams: fewer than this share of distinct ones in a long reply reads as a loop. */
const LOOP_DISTINCT_SHARE = 0.4;
const LOOP_MIN_WORDS = 16;

export function replyProblems(text: string, stopReason: 'eos' | 'maxTokens' | null): string[] {
  const problems: string[] = [];
  if (text.trim() === '') return ['empty reply'];
  const markup = TEMPLATE_MARKUP.exec(text);
  if (markup) problems.push(`chat-template markup in the text (${markup[0]})`);
  if (NEXT_TURN.test(text)) problems.push("writes the user's next turn");
  const fences = text.match(/^\s*```/gm)?.length ?? 0;
  if (fences % 2 === 1 && stopReason !== 'maxTokens') problems.push('unclosed code block');
  if (repeats(text)) problems.push('repeats itself');
  if (stopReason === 'maxTokens') problems.push('cut at the token limit');
  return problems;
}

function repeats(text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length < LOOP_MIN_WORDS) return false;
  const grams = new Set<string>();
  for (let i = 0; i + 2 < words.length; i++) grams.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return grams.size / (words.length - 2) < LOOP_DISTINCT_SHARE;
}
