// Runtime schema of probes.json, so a hand edit that breaks the shape fails at load with a clear message.
import * as v from 'valibot';

const text = v.pipe(v.string(), v.minLength(1));
const category = v.picklist(['vulnerability', 'nature', 'roleplay', 'creative', 'meta']);

/** Valibot schema of probes.json. */
export const probeSetSchema = v.strictObject({
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  description: v.string(),
  categories: v.strictObject({ vulnerability: text, nature: text, roleplay: text, creative: text, meta: text }),
  probes: v.pipe(
    v.array(
      v.strictObject({
        id: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/)),
        category,
        title: text,
        // At least two user turns: a probe measures a trajectory, not one reply.
        turns: v.pipe(v.array(text), v.minLength(2)),
      }),
    ),
    v.minLength(1),
  ),
  quick: v.pipe(v.array(text), v.minLength(1)),
});
