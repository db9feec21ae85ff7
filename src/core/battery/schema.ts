// Runtime schema of battery.json, so a hand edit that breaks the shape fails at load with a clear message.
import * as v from 'valibot';

const idList = v.array(v.pipe(v.string(), v.minLength(1)));

/** Valibot schema of battery.json. */
export const batterySchema = v.strictObject({
  version: v.number(),
  description: v.string(),
  defaultPrompts: v.array(v.strictObject({ id: v.string(), systemPrompt: v.nullable(v.string()) })),
  roles: v.array(
    v.strictObject({
      id: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]*$/)),
      name: v.string(),
      assistantLikeness: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
      description: v.string(),
      systemPrompts: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(3)),
    }),
  ),
  questions: v.array(
    v.strictObject({
      id: v.string(),
      text: v.pipe(v.string(), v.minLength(1)),
      topic: v.string(),
      kind: v.picklist(['practical', 'feeling', 'identity']),
    }),
  ),
  split: v.strictObject({ seed: v.number(), method: v.string(), heldOutRoles: idList, heldOutQuestions: idList }),
  quick: v.strictObject({ description: v.string(), roles: idList, questions: idList }),
});
