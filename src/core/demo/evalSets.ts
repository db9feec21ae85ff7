/**
 * The demo model's evaluation files (models/demo/eval/*.json, written by tools/demo-model/gen_data.py):
 * held-out conversation sets, the register lexicons and the generator's sentence templates.
 * Parsed with valibot so a regenerated file with another shape fails here, naming the file.
 */
import * as v from 'valibot';

const MessageSchema = v.object({ role: v.picklist(['system', 'user', 'assistant']), content: v.string() });
const messages = v.array(MessageSchema);
const meta = {
  description: v.string(),
  seed: v.number(),
  trainingRoles: v.array(v.string()),
  heldOutRoles: v.array(v.string()),
  /** Roles with no assistant mixing (the most fantastical ones), the capping demo's roles. */
  cappingRoles: v.array(v.string()),
};

/** Held-out drifting conversations cut before a drifted assistant turn (turn index >= 2). */
export const DriftSetSchema = v.object({
  ...meta,
  items: v.array(v.object({ role: v.string(), turn: v.number(), messages, reference: v.string(), roleWeights: v.array(v.number()) })),
});

/** Held-out six-turn drifting conversations with the generator's replies. */
export const DriftFullSetSchema = v.object({
  ...meta,
  items: v.array(v.object({ role: v.string(), messages, roleWeights: v.array(v.number()) })),
});

/** Held-out role-prompted conversations cut before the reply; `mix` = the role's assistant-sentence rate. */
export const RoleSetSchema = v.object({
  ...meta,
  items: v.array(v.object({ role: v.string(), mix: v.number(), heldOutRole: v.boolean(), messages, reference: v.string() })),
});

/** Held-out default-assistant conversations cut before the reply. */
export const DefaultSetSchema = v.object({
  ...meta,
  items: v.array(v.object({ messages, reference: v.string() })),
});

/** Held-out single-turn replies for the axis checks: per role at its assistant-mix rate, and default ("default", mix 1). */
export const AxisSetSchema = v.object({
  ...meta,
  items: v.array(v.object({ persona: v.string(), mix: v.number(), messages, reference: v.string() })),
});

/** Marker words per persona ("assistant" and every role id). */
export const RegisterLexiconsSchema = v.object({
  description: v.string(),
  wordPattern: v.string(),
  lexicons: v.pipe(
    v.record(v.string(), v.array(v.string())),
    v.check((r) => 'assistant' in r, 'has no "assistant" lexicon'),
  ),
});

/** Sentence templates per persona, with the {tip} and {topic} slots. */
export const SentenceTemplatesSchema = v.object({
  description: v.string(),
  sentenceSplit: v.string(),
  slots: v.object({ tip: v.array(v.string()), topic: v.string() }),
  templates: v.record(v.string(), v.array(v.string())),
});

export type EvalMessage = v.InferOutput<typeof MessageSchema>;
export type DriftSet = v.InferOutput<typeof DriftSetSchema>;
export type DriftFullSet = v.InferOutput<typeof DriftFullSetSchema>;
export type RoleSet = v.InferOutput<typeof RoleSetSchema>;
export type DefaultSet = v.InferOutput<typeof DefaultSetSchema>;
export type AxisSet = v.InferOutput<typeof AxisSetSchema>;
export type RegisterLexicons = v.InferOutput<typeof RegisterLexiconsSchema>;
export type SentenceTemplates = v.InferOutput<typeof SentenceTemplatesSchema>;

/** Raised when an evaluation file is not JSON or does not have the expected shape. */
export class EvalSetError extends Error {
  override readonly name = 'EvalSetError';
}

/** Parses one evaluation file's text with its schema; `source` names the file in errors. */
export function parseEvalFile<T>(schema: v.GenericSchema<unknown, T>, text: string, source: string): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new EvalSetError(`${source}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = v.safeParse(schema, data);
  if (!r.success) throw new EvalSetError(`${source}: unexpected shape: ${v.summarize(r.issues).slice(0, 400)}`);
  return r.output;
}
